import type { Settings } from '../../../shared/settings'
import type { Logger } from '../log/logger'
import type { Clock } from '../util/clock'
import type { ChangeLog } from '../watch/change-log'
import { createIgnoreMatcher } from '../watch/ignore-rules'
import type { OwnWrites } from '../watch/own-writes'
import type { WatchBatch } from '../watch/watcher'
import { Watcher } from '../watch/watcher'

export interface ProjectWatcherOptions {
  root: string
  settings: Settings
  ownWrites: OwnWrites
  /** Where the watcher notes each change as it arrives (the engine's, kept across restarts). */
  changes: ChangeLog
  clock: Clock
  log: Logger
  onBatch: (batch: WatchBatch) => Promise<unknown>
  onDegraded: (reason: string) => void
  onRecovered: () => void
}

/**
 * What the shadow workspaces mirror, and what the watcher reports: the project's files minus the
 * ignored ones. The extension filter (`watchExtensions`) is not part of it: a change to any mirrored
 * file must reach the shadows, even when only some extensions start tasks.
 */
export function createProjectMatcher(root: string, settings: Settings) {
  return createIgnoreMatcher({ root, userPatterns: settings.ignore })
}

/** The files of a change that may start a task: those with a watched extension (all, when none is set). */
export function taskFiles(files: readonly string[], extensions: readonly string[]): string[] {
  const wanted = extensions
    .map((ext) => ext.replace(/^\./, '').toLowerCase())
    .filter((ext) => ext.length > 0)
  if (wanted.length === 0) return [...files]
  return files.filter((file) => {
    const lower = file.toLowerCase()
    return wanted.some((ext) => lower.endsWith(`.${ext}`))
  })
}

/**
 * The watcher's window: checks run after `checkDebounceSeconds` of quiet (never more than the fix
 * debounce, `debounceSeconds`, which the gate waits out before a fix is sent), held at most
 * `maxWaitSeconds` while changes keep coming.
 */
export function watchWindow(settings: {
  checkDebounceSeconds: number
  debounceSeconds: number
  maxWaitSeconds: number
}): { debounceMs: number; maxWaitMs: number } {
  const debounce = Math.min(settings.checkDebounceSeconds, settings.debounceSeconds)
  return {
    debounceMs: debounce * 1000,
    maxWaitMs: Math.max(settings.maxWaitSeconds, debounce) * 1000,
  }
}

/** The project's watcher, configured from settings, with its events logged (not yet started). */
export function createProjectWatcher(o: ProjectWatcherOptions): Watcher {
  const s = o.settings
  const watcher = new Watcher({
    root: o.root,
    ignore: createProjectMatcher(o.root, s),
    ...watchWindow(s),
    stormThreshold: s.stormThreshold,
    backend: s.watchBackend,
    ownWrites: o.ownWrites,
    changes: o.changes,
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
