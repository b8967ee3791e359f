import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import type { Dirent, Stats } from 'node:fs'
import { sameCopy } from './file-copy'
import { planUserLink } from './link-targets'
import type { Mirror } from './mirror'
import { isMissing, shadowIoError } from './shadow-error'

/** What the shadow holds at a path, as far as a sync cares. */
export type Existing = 'file' | 'dir' | 'link' | 'other' | 'none'

/**
 * How a file is compared before it is copied: `stat` by size, mtime and mode (what a project edit
 * always changes); `content` also byte for byte when those agree (a task's own files, and what a
 * check wrote, since a check may restore an mtime: `cp -p`, tar); `force` copies whatever it finds.
 */
export type CompareMode = 'stat' | 'content' | 'force'

export function existingOf(entry: Dirent | Stats | null | undefined): Existing {
  if (!entry) return 'none'
  if (entry.isSymbolicLink()) return 'link'
  if (entry.isDirectory()) return 'dir'
  if (entry.isFile()) return 'file'
  return 'other'
}

/** The replace-hint for a folder or a link write: anything that is not a folder is simply removed. */
export function asReplace(existing: Existing): 'dir' | 'other' | 'none' {
  return existing === 'none' ? 'none' : existing === 'dir' ? 'dir' : 'other'
}

/** Brings the shadow's copy of the project file `rel` (lstat `stat`) up to date. */
export function syncFile(
  mirror: Mirror,
  rel: string,
  stat: Stats,
  existing: Existing,
  mode: CompareMode,
): void {
  // A hard link may share its content with a file outside the project: a copy in the shadow would
  // let code and fixers there read it (the editor refuses such files; Claude Code reads the shadow).
  if (stat.nlink > 1) {
    mirror.warnOnce(
      `hardlink:${rel}`,
      `Hard-linked file not copied into the shadow: ${rel} (it may share its content with a file outside the project)`,
    )
    mirror.counts.skipped++
    if (existing !== 'none') mirror.remove(rel)
    return
  }
  if (existing === 'file' && mode !== 'force') {
    const copy = mirror.lstat(mirror.shadow(rel))
    if (copy?.isFile() && sameCopy(stat, copy, mirror.platform)) {
      if (mode === 'stat' || sameBytes(mirror, rel)) return mirror.stamps.file(rel, copy)
    }
  }
  mirror.copy(rel, stat, existing === 'link' ? 'other' : existing)
}

/** Mirrors the user's symlink `rel`, or leaves it out with one warning when it is dangerous. */
export function syncUserLink(mirror: Mirror, rel: string, existing: Existing): void {
  let plan
  try {
    plan = planUserLink(mirror, rel)
  } catch (error) {
    if (!isMissing(error)) throw shadowIoError('Cannot read the link', mirror.project(rel), error)
    if (existing !== 'none') mirror.remove(rel)
    return
  }
  if (plan.kind === 'refuse') {
    mirror.warnOnce(`link:${rel}`, `Symlink not mirrored into the shadow: ${rel} (${plan.reason})`)
    mirror.counts.skipped++
    if (existing !== 'none') mirror.remove(rel)
    return
  }
  if (plan.outside) mirror.outside.add(plan.outside)
  if (existing === 'link' && readLinkOrNull(mirror.shadow(rel)) === plan.target) return
  mirror.link(rel, plan.target, plan.isDir, asReplace(existing))
}

export function readLinkOrNull(target: string): string | null {
  try {
    return readlinkSync(target)
  } catch {
    return null
  }
}

function sameBytes(mirror: Mirror, rel: string): boolean {
  try {
    return readFileSync(mirror.project(rel)).equals(readFileSync(mirror.shadow(rel)))
  } catch {
    // Either side unreadable: copying again decides (and warns) as a first copy would
    return false
  }
}

/** The shadow folder's entries by name (none when it is missing). */
export function shadowEntries(mirror: Mirror, rel: string): Map<string, Dirent> {
  const dir = mirror.shadow(rel)
  try {
    return new Map(readdirSync(dir, { withFileTypes: true }).map((entry) => [entry.name, entry]))
  } catch (error) {
    if (isMissing(error)) return new Map()
    throw shadowIoError('Cannot read the folder', dir, error)
  }
}
