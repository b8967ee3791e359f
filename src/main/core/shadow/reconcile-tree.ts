import { readdirSync } from 'node:fs'
import type { Dirent } from 'node:fs'
import type { DependencyLinks } from './dependency-links'
import { asReplace, existingOf, shadowEntries, syncFile, syncUserLink } from './entry-sync'
import type { Mirror } from './mirror'
import type { Pacer } from './pacer'
import { childRel } from './rel-path'
import { errorCode, isMissing, ShadowError, shadowIoError } from './shadow-error'

/** What a reconcile needs besides the mirror: the dependency links it renews. */
export interface TreeState {
  links: DependencyLinks
}

/**
 * Makes the shadow's folder `rel` match the project's, all the way down: the project is walked
 * (ignored folders are not entered, dependency folders are linked), files that differ by size,
 * mtime or mode are copied, and what the project does not have is removed. `rel`'s parents are
 * real folders on both sides; `existing` is what the shadow has at `rel` now.
 */
export async function reconcileTree(
  mirror: Mirror,
  state: TreeState,
  rel: string,
  existing: 'dir' | 'other' | 'none',
  pacer: Pacer,
): Promise<void> {
  if (rel !== '') mirror.makeDir(rel, existing)
  const stack: { rel: string; fresh: boolean }[] = [{ rel, fresh: existing !== 'dir' }]
  for (let next = stack.pop(); next; next = stack.pop()) {
    const wait = pacer.due()
    if (wait) await wait
    reconcileDir(mirror, state, next.rel, next.fresh, stack)
  }
}

function reconcileDir(
  mirror: Mirror,
  state: TreeState,
  dirRel: string,
  fresh: boolean,
  stack: { rel: string; fresh: boolean }[],
): void {
  const entries = projectEntries(mirror, dirRel)
  if (entries === 'gone') {
    mirror.remove(dirRel)
    return
  }
  if (entries === 'unreadable') return
  // A folder we just made is empty: no need to read it
  const have = fresh ? new Map<string, Dirent>() : shadowEntries(mirror, dirRel)
  for (const entry of entries) {
    const name = entry.name
    const rel = childRel(dirRel, name)
    const existing = existingOf(have.get(name))
    have.delete(name)
    if (entry.isDirectory()) {
      if (mirror.dependencyDirs.has(name)) {
        state.links.sync(mirror, rel, existing)
      } else if (mirror.ignore.ignores(rel, true)) {
        if (existing !== 'none') mirror.remove(rel)
      } else {
        mirror.makeDir(rel, asReplace(existing))
        stack.push({ rel, fresh: existing !== 'dir' })
      }
    } else if (entry.isFile()) {
      if (mirror.ignore.ignores(rel, false)) {
        if (existing !== 'none') mirror.remove(rel)
        continue
      }
      const stat = mirror.lstat(mirror.project(rel))
      if (stat?.isFile()) syncFile(mirror, rel, stat, existing, 'stat')
      else if (existing !== 'none') mirror.remove(rel)
    } else if (entry.isSymbolicLink()) {
      if (!mirror.dependencyDirs.has(name) && mirror.ignore.ignores(rel)) {
        if (existing !== 'none') mirror.remove(rel)
      } else {
        syncUserLink(mirror, rel, existing)
      }
    } else if (existing !== 'none') {
      // Sockets, FIFOs and devices are not mirrored: nothing a check reads as a file
      mirror.remove(rel)
    }
  }
  for (const name of have.keys()) mirror.remove(childRel(dirRel, name))
  mirror.stamps.dir(mirror.shadowRoot, dirRel)
}

function projectEntries(mirror: Mirror, rel: string): Dirent[] | 'gone' | 'unreadable' {
  const dir = mirror.project(rel)
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    if (isMissing(error)) {
      if (rel === '')
        throw new ShadowError(
          `The project folder ${dir} is gone: open another project or restore it.`,
          dir,
          errorCode(error),
        )
      return 'gone'
    }
    const code = errorCode(error)
    if (code === 'EACCES' || code === 'EPERM') {
      mirror.warnOnce(`unreadable:${rel}`, `Folder not mirrored, cannot be read: ${dir} (${code})`)
      return 'unreadable'
    }
    throw shadowIoError('Cannot read the folder', dir, error)
  }
}
