/**
 * "The change since the last green run". When the project's checks pass, `record` notes every
 * non-ignored file (untracked ones included: this is the working tree, not git) with its size,
 * mtime and sha256, and keeps a copy of each text file. When a check fails later, `changesSince`
 * diffs the tree against that record, so the fixer's prompt shows what broke it even when nothing
 * was ever committed. With no record yet it returns null, and the caller falls back to `git diff`.
 *
 * Both walk the whole tree but only read what changed: a file whose size and mtime match the
 * record is taken as unchanged, unless its mtime is within `RACY_MS` of the record's scan start
 * (then an edit in the same clock tick could hide behind an equal mtime, git's "racy clean"
 * problem, so it is hashed).
 */
import { createHash } from 'node:crypto'
import { createReadStream, type Stats } from 'node:fs'
import { lstat, mkdir, readFile } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { decodeUtf8 } from '../fix/atomic-file'
import { unifiedDiff } from '../fix/diff'
import { isCaseInsensitiveFs, protectedReason } from '../fix/protected-paths'
import { NEVER_WALKED, comparePaths, listFiles, mapLimit } from '../fix/search-engines'
import { isInside } from '../shadow/cache-location'
import { absPath, normalizeRel } from '../shadow/rel-path'
import { type Clock, systemClock } from '../util/clock'
import { contentHash } from '../util/hash'
import type { IgnoreMatcher } from '../watch/ignore-rules'
import {
  type BaselineEntry,
  type BaselineIndex,
  BaselineStore,
  type EntryKind,
} from './green-baseline-store'

export interface GreenBaselineOptions {
  /** This project's baseline folder (index and blobs), created when missing. */
  cacheDir: string
  /** The project's root, absolute. */
  projectRoot: string
  /** The project's ignore rules (its root must be `projectRoot`). */
  ignore: IgnoreMatcher
  /** Text files larger than this are tracked by hash only and shown as changed without a diff. @default 512 KiB */
  maxFileBytes?: number
  /** @default systemClock */
  clock?: Clock
  /** Fold case when matching protected names. @default detected from the project's file system */
  caseInsensitive?: boolean
}

/** What `record` may be told: the paths changed since the last record (files or folders). */
export interface RecordHint {
  changed?: readonly string[]
}

export interface RecordSummary {
  /** Files in the baseline. */
  files: number
  /** Files read and hashed (the rest matched the previous record by size and mtime). */
  hashed: number
  recordedAt: number
  /** `hint`: only the hinted paths were looked at. */
  scan: 'full' | 'hint'
}

export type BaselineStatus = 'added' | 'modified' | 'deleted'

export interface BaselineFileChange {
  path: string
  status: BaselineStatus
  /** The file's unified diff, whole; or its header and a note for binary, large or protected files. */
  diff: string
}

export interface BaselineChanges {
  recordedAt: number
  /** Every changed file, by path. */
  files: BaselineFileChange[]
  /** The files' diffs together, trimmed to `maxChars`, with a note naming what was left out. */
  diff: string
}

export interface ChangesOptions {
  /** Characters of the combined diff. @default 12_000 */
  maxChars?: number
  signal?: AbortSignal
}

/** How close to a scan's start an mtime must be to count as racy (coarse file-system clocks). */
export const RACY_MS = 2000
/** More hinted paths than this, and a full scan is about as cheap. */
const MAX_HINTS = 1000
const CONCURRENCY = 32

interface Observed {
  entry: BaselineEntry
  /** Read and hashed in this scan (not taken from the record on its stats). */
  fresh: boolean
  /** The content, when the file is text and fresh. */
  bytes?: Buffer
}

export class GreenBaseline {
  private index: BaselineIndex | null
  private swept = false
  private queue: Promise<unknown> = Promise.resolve()
  private readonly root: string
  private readonly ignore: IgnoreMatcher
  private readonly maxFileBytes: number
  private readonly clock: Clock
  private readonly caseInsensitive: boolean

  private constructor(
    private readonly store: BaselineStore,
    options: GreenBaselineOptions,
    index: BaselineIndex | null,
    /** Where a corrupt index found on opening was moved, or null. */
    readonly setAside: string | null,
  ) {
    this.root = resolve(options.projectRoot)
    this.ignore = options.ignore
    this.maxFileBytes = options.maxFileBytes ?? 512 * 1024
    this.clock = options.clock ?? systemClock
    this.caseInsensitive = options.caseInsensitive ?? isCaseInsensitiveFs(this.root)
    this.index = index
  }

  /** Opens the baseline kept in `cacheDir`. A corrupt index is set aside: no baseline, no error. */
  static async open(options: GreenBaselineOptions): Promise<GreenBaseline> {
    for (const key of ['cacheDir', 'projectRoot'] as const) {
      const value = options[key]
      if (typeof value !== 'string' || !isAbsolute(value)) {
        throw new TypeError(`${key} must be an absolute path, got ${String(value)}`)
      }
    }
    const root = resolve(options.projectRoot)
    const { ignore } = options
    if (typeof ignore?.ignores !== 'function' || resolve(ignore.root) !== root) {
      throw new TypeError(`ignore must be the ignore matcher of ${root}`)
    }
    const max = options.maxFileBytes
    if (max !== undefined && (!Number.isInteger(max) || max <= 0)) {
      throw new TypeError(`maxFileBytes must be a positive integer, got ${max}`)
    }
    const cacheDir = resolve(options.cacheDir)
    if (isInside(cacheDir, root)) {
      const rel = relative(root, cacheDir).split(sep).join('/')
      const first = rel.split('/')[0]!.toLowerCase()
      if (!NEVER_WALKED.has(first) && !ignore.ignores(rel, true)) {
        throw new TypeError(
          `the baseline folder ${cacheDir} is inside the project and not ignored, so it would record itself`,
        )
      }
    }
    await mkdir(cacheDir, { recursive: true })
    const store = new BaselineStore(cacheDir, root)
    const read = await store.readIndex()
    const setAside = read.index === null && read.reason === 'corrupt' ? read.setAside : null
    return new GreenBaseline(store, options, read.index, setAside)
  }

  /** When the baseline was recorded; null when there is none. */
  get recordedAt(): number | null {
    return this.index?.recordedAt ?? null
  }

  /**
   * Records the tree as green. With `hint.changed`, only those paths are looked at on top of the
   * previous record (a hinted path that is gone is dropped, with everything under it); without a
   * previous record, or with too many hints, the whole tree is scanned.
   */
  record(hint?: RecordHint, signal?: AbortSignal): Promise<RecordSummary> {
    return this.serial(() => this.recordNow(hint, signal))
  }

  /** What changed since the record, or null when there is none. */
  changesSince(options: ChangesOptions = {}): Promise<BaselineChanges | null> {
    const maxChars = options.maxChars ?? 12_000
    if (!Number.isInteger(maxChars) || maxChars <= 0) {
      throw new TypeError(`maxChars must be a positive integer, got ${maxChars}`)
    }
    return this.serial(() => this.changesNow(maxChars, options.signal))
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn)
    this.queue = next.catch(() => undefined)
    return next
  }

  private async recordNow(hint: RecordHint | undefined, signal?: AbortSignal) {
    const previous = this.index
    const scanStartedAt = this.clock.now()
    const hinted = previous && hint?.changed ? this.hintedPaths(hint.changed) : null
    let observed: Map<string, Observed>
    if (previous && hinted) observed = await this.rescan(previous, hinted, signal)
    else observed = await this.scan(previous, signal)

    const before = textHashes(previous?.entries.values() ?? [])
    const entries = new Map<string, BaselineEntry>()
    const blobs = new Map<string, Buffer>()
    let hashed = 0
    for (const rel of [...observed.keys()].sort(comparePaths)) {
      const { entry, fresh, bytes } = observed.get(rel)!
      entries.set(rel, entry)
      if (fresh) hashed++
      if (bytes && !before.has(entry.hash)) blobs.set(entry.hash, bytes)
    }
    // Blobs first: the index must never name a blob that is not there yet
    await mapLimit([...blobs], CONCURRENCY, ([hash, bytes]) => this.store.putBlob(hash, bytes))
    const index = { recordedAt: this.clock.now(), scanStartedAt, entries }
    await this.store.writeIndex(index)
    this.index = index
    const after = textHashes(entries.values())
    await this.store.removeBlobs([...before].filter((hash) => !after.has(hash)))
    if (!this.swept) {
      // Once per run, a full sweep catches blobs orphaned by a crash between blob and index
      await this.store.sweep(after)
      this.swept = true
    }
    return {
      files: entries.size,
      hashed,
      recordedAt: index.recordedAt,
      scan: hinted ? 'hint' : 'full',
    } satisfies RecordSummary
  }

  private async changesNow(maxChars: number, signal?: AbortSignal) {
    const base = this.index
    if (!base) return null
    const now = await this.scan(base, signal)
    const changed: { path: string; status: BaselineStatus }[] = []
    for (const [path, observed] of now) {
      const was = base.entries.get(path)
      if (!was) changed.push({ path, status: 'added' })
      else if (was.hash !== observed.entry.hash) changed.push({ path, status: 'modified' })
    }
    for (const path of base.entries.keys()) {
      if (!now.has(path)) changed.push({ path, status: 'deleted' })
    }
    changed.sort((a, b) => comparePaths(a.path, b.path))
    const files: BaselineFileChange[] = []
    for (const change of changed) {
      signal?.throwIfAborted()
      const diff = await this.fileDiff(change, base.entries.get(change.path), now.get(change.path))
      files.push({ ...change, diff })
    }
    return { recordedAt: base.recordedAt, files, diff: combineDiffs(files, maxChars) }
  }

  private async fileDiff(
    change: { path: string; status: BaselineStatus },
    was: BaselineEntry | undefined,
    now: Observed | undefined,
  ): Promise<string> {
    const { path } = change
    const head = `--- ${was ? `a/${path}` : '/dev/null'}\n+++ ${now ? `b/${path}` : '/dev/null'}\n`
    if (was?.kind === 'protected' || now?.entry.kind === 'protected') {
      return `${head}(protected file changed; content not shown)\n`
    }
    if ((was && was.kind !== 'text') || (now && now.entry.kind !== 'text')) {
      return `${head}(binary or large file changed)\n`
    }
    const before = was ? await this.store.getBlob(was.hash) : null
    if (was && !before)
      return `${head}(the baseline copy of this file is missing; content not shown)\n`
    // A text file that changed was read in this scan, so its bytes are at hand
    const after = now?.bytes
    if (now && !after) return `${head}(content not shown)\n`
    return unifiedDiff(
      path,
      before ? before.toString('utf8') : null,
      after ? after.toString('utf8') : null,
    )
  }

  /** Every non-ignored file now, reusing `previous` entries whose stats still match. */
  private async scan(previous: BaselineIndex | null, signal?: AbortSignal) {
    const files = await listFiles({ root: this.root, ignore: this.ignore, signal })
    return this.observeAll(files, previous, signal)
  }

  private async observeAll(
    files: readonly string[],
    previous: BaselineIndex | null,
    signal?: AbortSignal,
    into = new Map<string, Observed>(),
  ) {
    const trustBefore = previous ? previous.scanStartedAt - RACY_MS : -Infinity
    await mapLimit(files, CONCURRENCY, async (rel) => {
      signal?.throwIfAborted()
      const observed = await this.observe(rel, previous?.entries.get(rel), trustBefore)
      if (observed) into.set(rel, observed)
      else into.delete(rel)
    })
    return into
  }

  /** The previous record with the hinted paths looked at again. */
  private async rescan(previous: BaselineIndex, hinted: string[], signal?: AbortSignal) {
    const observed = new Map<string, Observed>()
    for (const [rel, entry] of previous.entries) observed.set(rel, { entry, fresh: false })
    const dirs = new Map<string, boolean>()
    for (const rel of hinted) {
      signal?.throwIfAborted()
      const st = await this.lstatInside(rel, dirs)
      const isDir = st?.isDirectory() ?? false
      const walkable =
        st !== null &&
        (st.isFile() || isDir) &&
        !rel.split('/').some((part) => NEVER_WALKED.has(part.toLowerCase())) &&
        !this.ignore.ignores(rel, isDir)
      if (!walkable || isDir || !observed.has(rel)) dropUnder(observed, rel)
      if (!walkable) continue
      if (isDir) {
        const files = await listFiles({ root: this.root, ignore: this.ignore, from: rel, signal })
        await this.observeAll(files, previous, signal, observed)
      } else {
        // A hinted file is hashed whatever its stats say: the hint is the news
        const now = await this.observe(rel, undefined, -Infinity)
        if (now) observed.set(rel, now)
        else observed.delete(rel)
      }
    }
    // An entry the previous record could not trust (racy) must not become trusted by being
    // carried into a record with a later scan start: look at those again
    const trustBefore = previous.scanStartedAt - RACY_MS
    const racy = [...observed]
      .filter(([, o]) => !o.fresh && o.entry.mtimeMs >= trustBefore)
      .map(([rel]) => rel)
    await this.observeAll(racy, previous, signal, observed)
    return observed
  }

  /** Hinted paths as relative paths, or null (scan everything) when one names the root or there are too many. */
  private hintedPaths(changed: readonly string[]): string[] | null {
    if (changed.length > MAX_HINTS) return null
    const out = new Set<string>()
    for (const path of changed) {
      if (resolve(this.root, path) === this.root) return null
      const rel = normalizeRel(path, this.root)
      if (rel !== null) out.add(rel)
    }
    return [...out]
  }

  /**
   * lstat of `rel`, or null when it is missing or a folder on the way is a link or not a folder:
   * the walk never goes through links, so a hint must not either.
   */
  private async lstatInside(rel: string, dirs: Map<string, boolean>): Promise<Stats | null> {
    const parts = rel.split('/')
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/')
      let ok = dirs.get(dir)
      if (ok === undefined) {
        const st = await lstatOrNull(absPath(this.root, dir))
        ok = st?.isDirectory() ?? false
        dirs.set(dir, ok)
      }
      if (!ok) return null
    }
    return lstatOrNull(absPath(this.root, rel))
  }

  /** A file as it is now: `was` when its stats match and are not racy; read and hashed otherwise. */
  private async observe(
    rel: string,
    was: BaselineEntry | undefined,
    trustBefore: number,
  ): Promise<Observed | null> {
    const abs = absPath(this.root, rel)
    try {
      const st = await lstat(abs)
      if (!st.isFile()) return null
      if (was && was.size === st.size && was.mtimeMs === st.mtimeMs && st.mtimeMs < trustBefore) {
        return { entry: was, fresh: false }
      }
      const stats = { size: st.size, mtimeMs: st.mtimeMs }
      const guarded = protectedReason(rel, { caseInsensitive: this.caseInsensitive }) !== null
      const only = (hash: string, kind: EntryKind): Observed => ({
        entry: { ...stats, hash, kind },
        fresh: true,
      })
      if (st.size > this.maxFileBytes)
        return only(await hashFile(abs), guarded ? 'protected' : 'large')
      const bytes = await readFile(abs)
      const hash = contentHash(bytes)
      if (guarded) return only(hash, 'protected')
      if (bytes.length > this.maxFileBytes) return only(hash, 'large')
      if (bytes.includes(0) || decodeUtf8(bytes) === null) return only(hash, 'binary')
      return { entry: { ...stats, hash, kind: 'text' }, fresh: true, bytes }
    } catch (error) {
      // Gone or unreadable since the walk listed it: not part of the tree
      if (GONE.has(String((error as NodeJS.ErrnoException).code))) return null
      throw error
    }
  }
}

const GONE = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM'])

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path)
  } catch (error) {
    if (GONE.has(String((error as NodeJS.ErrnoException).code))) return null
    throw error
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')))
  })
}

function textHashes(entries: Iterable<BaselineEntry>): Set<string> {
  const out = new Set<string>()
  for (const entry of entries) if (entry.kind === 'text') out.add(entry.hash)
  return out
}

/** Drops `rel` and everything under it. */
function dropUnder(observed: Map<string, Observed>, rel: string) {
  observed.delete(rel)
  const prefix = `${rel}/`
  for (const key of observed.keys()) if (key.startsWith(prefix)) observed.delete(key)
}

/** Below this many characters left, a file's diff is left out rather than cut to a stub. */
const MIN_PARTIAL = 400

/**
 * The diffs together, within `maxChars`: whole diffs in path order while they fit, then the next
 * one cut at a line, then a note naming the files and counting the lines left out.
 */
export function combineDiffs(files: readonly BaselineFileChange[], maxChars: number): string {
  const full = files.map((f) => f.diff).join('')
  if (full.length <= maxChars) return full
  let reserve = Math.min(600, Math.floor(maxChars / 4))
  for (let attempt = 0; attempt < 4; attempt++) {
    const filled = fill(files, Math.max(0, maxChars - reserve))
    const note = trimNote(filled, maxChars, true)
    if (filled.body.length + note.length <= maxChars) return filled.body + note
    reserve = note.length + 40
  }
  // Even the note barely fits: say only what was left out
  const filled = fill(files, 0)
  return trimNote(filled, maxChars, false)
}

interface Filled {
  body: string
  cut: { path: string; lines: number } | null
  leftOut: { path: string; status: BaselineStatus; lines: number }[]
}

function fill(files: readonly BaselineFileChange[], budget: number): Filled {
  let body = ''
  let cut: Filled['cut'] = null
  const leftOut: Filled['leftOut'] = []
  for (const file of files) {
    const open = cut === null && leftOut.length === 0
    if (open && body.length + file.diff.length <= budget) {
      body += file.diff
      continue
    }
    const lines = file.diff.split('\n')
    if (lines.at(-1) === '') lines.pop()
    const room = budget - body.length
    if (open && room >= MIN_PARTIAL) {
      let shown = 0
      let taken = ''
      for (const line of lines) {
        if (taken.length + line.length + 1 > room) break
        taken += `${line}\n`
        shown++
      }
      body += taken
      cut = { path: file.path, lines: lines.length - shown }
      continue
    }
    leftOut.push({ path: file.path, status: file.status, lines: lines.length })
  }
  return { body, cut, leftOut }
}

function trimNote({ cut, leftOut }: Filled, maxChars: number, named: boolean): string {
  const parts: string[] = []
  if (cut) parts.push(`the last ${plural(cut.lines, 'line')} of ${cut.path}`)
  if (leftOut.length > 0) {
    const lines = leftOut.reduce((n, f) => n + f.lines, 0)
    let files = `${plural(leftOut.length, cut ? 'more file' : 'file')} (${plural(lines, 'diff line')})`
    if (named) {
      const names = leftOut.slice(0, 10).map((f) => `${f.path} (${f.status})`)
      const rest = leftOut.length - names.length
      files += `: ${names.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`
    }
    parts.push(files)
  }
  return `[Diff trimmed to ${maxChars} characters; left out: ${parts.join('; ')}. View those files to see them.]\n`
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
