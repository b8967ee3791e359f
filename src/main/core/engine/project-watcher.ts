import type { Settings } from '../../../shared/settings'
import type { Logger } from '../log/logger'
import type { Clock } from '../util/clock'
import { createIgnoreMatcher } from '../watch/ignore-rules'
import type { OwnWrites } from '../watch/own-writes'
import type { WatchBatch } from '../watch/watcher'
import { Watcher } from '../watch/watcher'

export interface ProjectWatcherOptions {
  root: string
  settings: Settings
  ownWrites: OwnWrites
  clock: Clock
  log: Logger
  onBatch: (batch: WatchBatch) => Promise<unknown>
  onDegraded: (reason: string) => void
  onRecovered: () => void
}

/** The project's watcher, configured from settings, with its events logged (not yet started). */
export function createProjectWatcher(o: ProjectWatcherOptions): Watcher {
  const s = o.settings
  const watcher = new Watcher({
    root: o.root,
    ignore: createIgnoreMatcher({
      root: o.root,
      userPatterns: s.ignore,
      extensions: s.watchExtensions,
    }),
    debounceMs: s.debounceSeconds * 1000,
    maxWaitMs: Math.max(s.maxWaitSeconds, s.debounceSeconds) * 1000,
    stormThreshold: s.stormThreshold,
    backend: s.watchBackend,
    ownWrites: o.ownWrites,
    clock: o.clock,
  })
  const source = { source: 'watcher' }
  watcher.on('batch', (batch) => {
    o.onBatch(batch).catch((error: unknown) =>
      o.log.error(`Could not queue a change: ${(error as Error).message}`, source),
    )
  })
  watcher.on('degraded', ({ reason }) => {
    o.log.warn(`Watcher degraded: ${reason}`, source)
    o.onDegraded(reason)
  })
  watcher.on('recovered', ({ backend }) => {
    o.log.info(`Watcher recovered (${backend})`, source)
    o.onRecovered()
  })
  watcher.on('warning', ({ message }) => o.log.warn(message, source))
  watcher.on('error', (error) => o.log.error(`Watcher error: ${error.message}`, source))
  return watcher
}
