import type * as ParcelWatcher from '@parcel/watcher'
import type { BackendHandle, BackendHandlers, RawEvent } from './backend'

export type NativeWatcherModule = Pick<typeof ParcelWatcher, 'subscribe'>

/** Loads @parcel/watcher; rejects when its native binary is missing or does not load on this system. */
export async function loadParcelWatcher(): Promise<NativeWatcherModule> {
  const loaded = await import('@parcel/watcher')
  // CommonJS seen through ESM: the functions may sit on `default`
  const candidate = (loaded as { default?: NativeWatcherModule }).default ?? loaded
  if (typeof candidate.subscribe !== 'function')
    throw new Error('@parcel/watcher has no subscribe()')
  return candidate
}

export interface NativeBackendOptions extends BackendHandlers {
  /** Absolute, real path of the project root. */
  root: string
  /** Root-relative globs and absolute or relative paths never descended into. */
  ignore: string[]
  /** @default loadParcelWatcher */
  load?: () => Promise<NativeWatcherModule>
}

/**
 * @parcel/watcher: one recursive native subscription. Ignored folders are passed down, so the native
 * crawl never descends into them and the OS is never asked to watch them. Resolves when watching.
 */
export async function startNativeBackend(options: NativeBackendOptions): Promise<BackendHandle> {
  const native = await (options.load ?? loadParcelWatcher)()
  let closed = false
  const subscription = await native.subscribe(
    options.root,
    (error, events) => {
      if (closed) return
      if (error) options.onError(error)
      if (events.length > 0) {
        options.onEvents(events.map((event): RawEvent => ({ path: event.path, type: event.type })))
      }
    },
    { ignore: compactIgnores(options.ignore) },
  )
  return {
    kind: 'native',
    async close() {
      if (closed) return
      closed = true
      try {
        await subscription.unsubscribe()
      } catch {
        // After the root was deleted the native side fails to remove watches that are already gone
        // ("Unable to remove watcher: Invalid argument"); there is nothing left to release
      }
    },
  }
}

/**
 * The native side tests every path it meets against each glob with std::regex, which is slow: 32
 * separate globs made the crawl of a 10,000-file tree about ten times slower than one. So the
 * unanchored names (the bulk: node_modules, dist… at any depth) become one brace glob; plain paths
 * stay as they are (a cheap prefix compare). Braces are not nested: inside an outer brace, picomatch
 * loses the zero-folder match of a leading globstar.
 */
export function compactIgnores(ignore: readonly string[]): string[] {
  const unanchoredName = /^\*\*\/[^/{},]+$/
  const unique = [...new Set(ignore)]
  const names = unique.filter((entry) => unanchoredName.test(entry)).map((glob) => glob.slice(3))
  const rest = unique.filter((entry) => !unanchoredName.test(entry))
  if (names.length <= 1) return unique
  return [...rest, `**/{${names.join(',')}}`]
}
