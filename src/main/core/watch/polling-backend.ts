import path from 'node:path'
import { watch, type FSWatcher } from 'chokidar'
import type { BackendHandle, BackendHandlers, RawEvent } from './backend'
import { classifyBackendError, errorMessage } from './backend-errors'
import type { ChangeType } from './change-batcher'
import type { IgnoreMatcher } from './ignore-rules'

export interface PollingBackendOptions extends BackendHandlers {
  /** Absolute, real path of the project root. */
  root: string
  matcher: IgnoreMatcher
  /** How often each file and folder is stat'ed, in ms. */
  intervalMs: number
}

const EVENT_TYPES: Readonly<Record<string, ChangeType>> = {
  add: 'create',
  addDir: 'create',
  change: 'update',
  unlink: 'delete',
  unlinkDir: 'delete',
}

/**
 * chokidar in polling mode: for file systems where native events do not arrive (WSL `/mnt/`, network
 * drives) and as the fallback when the native watcher cannot run. `ignored` is a function over our own
 * matcher so ignored folders are never read or polled. Resolves when the initial scan is done.
 */
export async function startPollingBackend(options: PollingBackendOptions): Promise<BackendHandle> {
  const { root, matcher } = options
  let closed = false
  const watcher: FSWatcher = watch(root, {
    usePolling: true,
    interval: options.intervalMs,
    binaryInterval: options.intervalMs,
    ignoreInitial: true,
    followSymlinks: false,
    // Our batcher collapses unlink + add itself; chokidar's own atomic handling would only delay
    atomic: false,
    ignored: (absolutePath, stats) => {
      const rel = path.relative(root, absolutePath)
      if (rel === '') return false
      // Without stats chokidar asks again once it has them, so an unknown type is judged leniently
      return matcher.ignores(rel, stats ? stats.isDirectory() : undefined)
    },
  })
  watcher.on('all', (event, absolutePath) => {
    const type = EVENT_TYPES[event]
    if (closed || !type) return
    options.onEvents([{ path: absolutePath, type } satisfies RawEvent])
  })
  watcher.on('error', (error) => {
    if (closed) return
    const failure = classifyBackendError(error)
    const where = (error as { path?: unknown }).path
    const absolutePath = typeof where === 'string' ? where : undefined
    if (failure === 'permission') {
      options.onWarning(errorMessage(error), absolutePath)
    } else {
      options.onError(error instanceof Error ? error : new Error(String(error)))
    }
  })
  await new Promise<void>((resolve) => watcher.once('ready', resolve))
  return {
    kind: 'polling',
    async close() {
      if (closed) return
      closed = true
      try {
        await watcher.close()
      } catch {
        // Closing stat pollers of a vanished tree can fail; they are released either way
      }
    },
  }
}
