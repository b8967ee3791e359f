import type { Stats } from 'node:fs'
import { lstat, readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { ABSENT_FILE_HASH, contentHash } from '../util/hash'
import { errorCode } from './backend-errors'
import type { PendingChange } from './change-batcher'
import type { IgnoreMatcher } from './ignore-rules'
import type { OwnWrites } from './own-writes'
import type { ReportedFiles } from './reported-files'

export interface BatchContent {
  /** Project-relative, forward slashes, sorted, de-duplicated; deleted files included. */
  files: string[]
  /** The subset of `files` that no longer exist. */
  deleted: string[]
}

export interface BuildBatchOptions {
  /** Real path of the project root (events arrive under it). */
  root: string
  /** The root as configured, when it differs from `root` (own writes may be registered under it). */
  alias?: string
  matcher: IgnoreMatcher
  ownWrites: OwnWrites
  /** States already reported: a late event for a file still in that state is no new change. */
  reported: ReportedFiles
  now: number
  /**
   * A path whose last event is a recent deletion and which does not exist may be half an atomic save
   * (unlink, then add). Unless `final`, it is held over to the next window for this long.
   */
  atomicGraceMs: number
  final: boolean
}

export interface BuiltBatch extends BatchContent {
  /** Changes held over to the next window. */
  carry: Map<string, PendingChange>
}

/** Files found in one newly created folder at most: a cap on a runaway copy. */
const MAX_EXPANDED = 100_000
const CONCURRENCY = 64

/**
 * Turns a closed window into the files to report: each path is looked at once, now. What exists is a
 * change (so an atomic save is reported as the file, not as a deletion); what is gone is a deletion;
 * folders are dropped, but a new folder's files are listed (native events can miss files written into
 * a folder before its watch was added); Fixloop's own writes are dropped by content hash.
 */
export async function buildBatch(
  changes: Map<string, PendingChange>,
  options: BuildBatchOptions,
): Promise<BuiltBatch> {
  const files = new Set<string>()
  const deleted = new Set<string>()
  const carry = new Map<string, PendingChange>()
  const expanded = new Set<string>()

  async function visit(rel: string, change: PendingChange | null): Promise<void> {
    const absolute = path.join(options.root, rel)
    let stats: Stats
    try {
      stats = await lstat(absolute)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR') {
        // Cannot look at it (EACCES): report it as changed rather than lose it
        if (!options.matcher.ignores(rel, false)) files.add(rel)
        return
      }
      const recentDelete =
        change !== null &&
        change.type === 'delete' &&
        options.now - change.lastAt < options.atomicGraceMs
      if (recentDelete && !options.final) carry.set(rel, change)
      else if (isOwnDeletion(rel)) return
      else if (!options.matcher.ignores(rel, false) && !options.reported.unchanged(rel, null)) {
        options.reported.remember(rel, null)
        deleted.add(rel)
      }
      return
    }
    if (stats.isDirectory()) {
      if (change?.type === 'create' && !options.matcher.ignores(rel, true)) await expand(rel)
      return
    }
    if (options.matcher.ignores(rel, false)) return
    if (options.reported.unchanged(rel, stats)) return
    if (stats.isFile() && (await isOwnWrite(rel))) return
    options.reported.remember(rel, stats)
    files.add(rel)
  }

  /** A file Fixloop itself removed (a rollback deleting what a fix created) is not a change. */
  function isOwnDeletion(rel: string): boolean {
    const candidates = [path.join(options.root, rel)]
    if (options.alias && options.alias !== options.root)
      candidates.push(path.join(options.alias, rel))
    return candidates
      .filter((candidate) => options.ownWrites.has(candidate))
      .map((candidate) => options.ownWrites.isOwn(candidate, ABSENT_FILE_HASH))
      .some(Boolean)
  }

  async function isOwnWrite(rel: string): Promise<boolean> {
    const candidates = [path.join(options.root, rel)]
    if (options.alias && options.alias !== options.root)
      candidates.push(path.join(options.alias, rel))
    const registered = candidates.filter((candidate) => options.ownWrites.has(candidate))
    if (registered.length === 0) return false
    let hash: string
    try {
      hash = contentHash(await readFile(candidates[0] as string))
    } catch {
      return false
    }
    // Every alias is asked, so a miss clears the stale registrations under each name
    return registered.map((candidate) => options.ownWrites.isOwn(candidate, hash)).some(Boolean)
  }

  async function expand(relDir: string): Promise<void> {
    const queue = [relDir]
    for (let next = 0; next < queue.length && expanded.size < MAX_EXPANDED; next++) {
      const dir = queue[next] as string
      let entries
      try {
        entries = await readdir(path.join(options.root, dir), { withFileTypes: true })
      } catch {
        continue
      }
      for (const entry of entries) {
        const rel = `${dir}/${entry.name}`
        if (entry.isDirectory()) {
          if (!options.matcher.ignores(rel, true)) queue.push(rel)
        } else if (!changes.has(rel) && !expanded.has(rel)) {
          expanded.add(rel)
        }
      }
    }
  }

  await inChunks([...changes], ([rel, change]) => visit(rel, change))
  await inChunks([...expanded], (rel) => visit(rel, null))

  const all = [...files, ...deleted].sort(compare)
  return { files: all, deleted: [...deleted].sort(compare), carry }
}

async function inChunks<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += CONCURRENCY) {
    await Promise.all(items.slice(start, start + CONCURRENCY).map(work))
  }
}

/** Code-unit order: stable across locales. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
