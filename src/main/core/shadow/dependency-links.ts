import { lstatSync, readdirSync, statSync } from 'node:fs'
import type { Dirent } from 'node:fs'
import { asReplace, existingOf, readLinkOrNull, shadowEntries } from './entry-sync'
import type { Existing } from './entry-sync'
import { planDependencyLink } from './link-targets'
import type { Mirror } from './mirror'
import { childRel } from './rel-path'
import { errorCode, isMissing, shadowIoError } from './shadow-error'

/** A folder's identity and last change: an install renames or rewrites it, and either shows here. */
type Stamp = string
const MISSING: Stamp = 'missing'

interface LinkedDir {
  /** The dependency folder and its `@scope` folders: rel → [project stamp, shadow stamp]. */
  folders: Map<string, [Stamp, Stamp]>
  /** Tool cache folders made real in the shadow (absolute). */
  caches: string[]
}

/**
 * The shadow's dependency folders (`node_modules` at any depth and the like): real folders whose
 * entries are links to the project's entries, `@scope` folders one level deeper so each package is
 * its own link. Two kinds of entry differ: workspace links (see `planDependencyLink`) point at the
 * shadow's copy, and tool cache folders (`.vite`, `.cache`…) are real, empty folders of the shadow's
 * own, kept across leases, so a runner's cache writes stay in the shadow.
 *
 * Each linked folder's stamps (project and shadow side) are kept, so `changed()` finds an install
 * in the project or a check's damage in the shadow with a couple of stats per folder.
 */
export class DependencyLinks {
  readonly #linked = new Map<string, LinkedDir>()

  /** Every linked dependency folder is forgotten (a full reconcile links them all again). */
  clear(): void {
    this.#linked.clear()
  }

  /** Links the dependency folder `rel` unless both sides are as they were when it was last linked. */
  sync(mirror: Mirror, rel: string, existing: Existing): void {
    if (existing === 'dir' && this.unchanged(mirror, rel)) return
    this.link(mirror, rel, existing)
  }

  /**
   * Dependency folders whose project or shadow side changed since they were linked. One the project
   * no longer has is forgotten here, once the caller has been told to sync it away.
   */
  changed(mirror: Mirror): string[] {
    const out = [...this.#linked.keys()].filter((rel) => !this.unchanged(mirror, rel))
    for (const rel of out) if (stamp(mirror.project(rel)) === MISSING) this.#linked.delete(rel)
    return out
  }

  /** Real paths of the project's linked dependency folders: what checks read through the links. */
  projectFolders(mirror: Mirror): string[] {
    return [...this.#linked.keys()].map((rel) => mirror.project(rel))
  }

  /** The shadow's real tool cache folders inside dependency folders. */
  cacheFolders(): string[] {
    return [...this.#linked.values()].flatMap((dir) => dir.caches)
  }

  private unchanged(mirror: Mirror, rel: string): boolean {
    const linked = this.#linked.get(rel)
    if (!linked) return false
    for (const [folder, [project, shadow]] of linked.folders) {
      if (stamp(mirror.project(folder)) !== project || stamp(mirror.shadow(folder)) !== shadow)
        return false
    }
    return true
  }

  private link(mirror: Mirror, rel: string, existing: Existing): void {
    this.#linked.delete(rel)
    mirror.makeDir(rel, asReplace(existing))
    const linked: LinkedDir = { folders: new Map(), caches: [] }
    this.linkEntries(mirror, rel, existing !== 'dir', false, linked)
    this.#linked.set(rel, linked)
  }

  private linkEntries(
    mirror: Mirror,
    dirRel: string,
    fresh: boolean,
    scoped: boolean,
    linked: LinkedDir,
  ): void {
    // Stamped before reading: an entry added meanwhile changes the stamp again, so it is not missed
    const projectStamp = stamp(mirror.project(dirRel))
    const entries = readEntries(mirror, mirror.project(dirRel))
    if (!entries) return
    const have = fresh ? new Map<string, Dirent>() : shadowEntries(mirror, dirRel)
    for (const entry of entries) {
      const rel = childRel(dirRel, entry.name)
      const existing = existingOf(have.get(entry.name))
      have.delete(entry.name)
      if (!scoped && entry.isDirectory() && mirror.cacheDirs.has(entry.name)) {
        mirror.makeDir(rel, asReplace(existing))
        linked.caches.push(mirror.shadow(rel))
      } else if (!scoped && entry.isDirectory() && entry.name.startsWith('@')) {
        mirror.makeDir(rel, asReplace(existing))
        this.linkEntries(mirror, rel, existing !== 'dir', true, linked)
      } else {
        this.linkEntry(mirror, rel, entry, existing)
      }
    }
    for (const [name, entry] of have) {
      // A cache folder a tool made in the shadow is the shadow's own
      if (!scoped && mirror.cacheDirs.has(name) && entry.isDirectory()) {
        linked.caches.push(mirror.shadow(childRel(dirRel, name)))
      } else {
        mirror.remove(childRel(dirRel, name))
      }
    }
    linked.folders.set(dirRel, [projectStamp, stamp(mirror.shadow(dirRel))])
  }

  private linkEntry(mirror: Mirror, rel: string, entry: Dirent, existing: Existing): void {
    let target: string
    try {
      target = planDependencyLink(mirror, rel, entry.isSymbolicLink())
    } catch (error) {
      if (!isMissing(error)) throw shadowIoError('Cannot read the link', mirror.project(rel), error)
      return
    }
    if (existing === 'link' && readLinkOrNull(mirror.shadow(rel)) === target) return
    // Only Windows cares what a link points at (a folder needs a junction)
    const isDir =
      entry.isDirectory() ||
      (mirror.platform === 'win32' && entry.isSymbolicLink() && isDirectory(mirror.project(rel)))
    try {
      mirror.link(rel, target, isDir, asReplace(existing))
    } catch (error) {
      // Windows lets only administrators (or developer mode) make file symlinks: copy the few files
      if (mirror.platform !== 'win32' || isDir || errorCode(error) !== 'EPERM') throw error
      const stat = mirror.lstat(mirror.project(rel))
      if (stat?.isFile()) mirror.copy(rel, stat, 'none')
    }
  }
}

function readEntries(mirror: Mirror, dir: string): Dirent[] | null {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    if (isMissing(error)) return null
    const code = errorCode(error)
    if (code === 'EACCES' || code === 'EPERM') {
      mirror.warnOnce(`unreadable:${dir}`, `Dependency folder not linked, cannot be read: ${dir}`)
      return null
    }
    throw shadowIoError('Cannot read the folder', dir, error)
  }
}

function stamp(dir: string): Stamp {
  try {
    const stat = lstatSync(dir)
    return `${stat.ino}:${stat.mtimeMs}:${stat.isDirectory()}`
  } catch {
    // Gone, or no longer reachable as a folder: either way not what was linked
    return MISSING
  }
}

function isDirectory(target: string): boolean {
  return statSync(target, { throwIfNoEntry: false })?.isDirectory() ?? false
}
