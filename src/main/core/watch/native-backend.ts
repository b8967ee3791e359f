import path from 'node:path'
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
    { ignore: compactIgnores(options.ignore), backend: pinnedBackend() },
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
 * The OS's own backend, named. Left to choose, @parcel/watcher first asks whether Watchman is
 * installed by running `watchman get-sockname` (a fork and, when it is installed, a daemon round
 * trip) on every start, before the OS backend; and a Watchman found would give other event
 * semantics than the ones we test. Elsewhere (FreeBSD: kqueue) its default stands.
 */
export function pinnedBackend(
  platform: NodeJS.Platform = process.platform,
): ParcelWatcher.BackendType | undefined {
  if (platform === 'linux') return 'inotify'
  if (platform === 'darwin') return 'fs-events'
  if (platform === 'win32') return 'windows'
  return undefined
}

/**
 * The native side tests every path it meets against each glob with std::regex, which is slow: on a
 * 100,000-file tree one picomatch glob doubled the crawl, and 32 separate ones made it ten times
 * slower. So every glob becomes part of one plain RegExp (about twice as fast to match as picomatch's
 * output); plain paths stay as they are (a cheap prefix compare). The native side wraps a RegExp for
 * substring search, so each alternative carries its own anchors.
 */
export function compactIgnores(ignore: readonly string[]): (string | RegExp)[] {
  const unique = [...new Set(ignore)]
  // An absolute entry is always a path, whatever characters the folder names hold
  const isPath = (entry: string) => path.isAbsolute(entry) || !GLOB_CHARS.test(entry)
  const paths = unique.filter(isPath)
  const globs = unique.filter((entry) => !isPath(entry))
  const names: string[] = []
  const anchored: string[] = []
  const untranslated: string[] = []
  for (const glob of globs) {
    const unanchored = glob.startsWith('**/')
    const segments = (unanchored ? glob.slice(3) : glob).split('/')
    if (segments.some((segment) => !SIMPLE_SEGMENT.test(segment) || segment.includes('**'))) {
      untranslated.push(glob)
    } else if (unanchored && segments.length === 1) {
      names.push(segmentSource(segments[0] as string))
    } else {
      const body = segments.map(segmentSource).join(SEP)
      anchored.push(unanchored ? `(?:^|${SEP})${body}$` : `^${body}$`)
    }
  }
  const alternatives = [
    ...(names.length ? [`(?:^|${SEP})(?:${names.join('|')})$`] : []),
    ...anchored,
  ]
  const combined = alternatives.length ? [new RegExp(alternatives.join('|'))] : []
  return [...paths, ...untranslated, ...combined]
}

const GLOB_CHARS = /[*?[\]{}()!]/
/** Letters, digits, `. _ -` and the `*` `?` wildcards: what `ignoredDirGlobs` produces. */
const SIMPLE_SEGMENT = /^[\w.*?-]+$/
/** Either separator: native paths use backslashes on Windows. */
const SEP = '[\\\\/]'

function segmentSource(segment: string): string {
  return segment
    .split('')
    .map((char) =>
      char === '*' ? '[^\\\\/]*' : char === '?' ? '[^\\\\/]' : char.replace('.', '\\.'),
    )
    .join('')
}
