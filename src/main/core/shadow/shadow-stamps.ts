import { lstatSync } from 'node:fs'
import type { Stats } from 'node:fs'
import type { Pacer } from './pacer'
import { absPath } from './rel-path'

/** What identifies one state of a file or folder: a write, a chmod, a rename over it all change it. */
interface Stamp {
  ino: number
  size: number
  mtimeMs: number
  /** No process can set a ctime back: any change moves it to the present. */
  ctimeMs: number
}

/**
 * The stamp of every file and folder the shadow mirrors, taken when the shadow was last made
 * faithful. Release compares them all (one lstat each) to find what the editor and the checks
 * wrote: a changed file stamp means its content or mode may differ, a changed folder stamp means
 * entries were added, removed or renamed in it.
 *
 * Why a walk, and not the native watcher with a fence (write a marker, wait for its event): the
 * fence cost 1-60 ms here, a whole release with this walk over 20,000 files 80-110 ms, but the
 * watcher can lose events without saying so, and then a fence only proves that the ones it did
 * deliver came first. @parcel/watcher 2.6 drops an event the native thread adds while a batch is
 * handed over (getEvents() and clear() take the lock separately in Watcher::triggerCallbacks; see
 * also parcel-bundler/watcher#183, open) and skips inotify's queue-overflow event
 * (InotifyBackend.cc, `// overflow`). With the watcher, a check's in-place rewrite went unreported
 * in about one run of this module's tests in fifteen, leaving the shadow dirty. A walk is exact,
 * and costs the same whatever the checks did.
 */
export class ShadowStamps {
  readonly #files = new Map<string, Stamp>()
  readonly #dirs = new Map<string, Stamp>()

  clear(): void {
    this.#files.clear()
    this.#dirs.clear()
  }

  /** The file `rel` is faithful as `stats` shows it. */
  file(rel: string, stats: Stats): void {
    this.#files.set(rel, stampOf(stats))
  }

  /** The folder `rel` (under `root`) is faithful as it is now; forgotten when it is not a folder. */
  dir(root: string, rel: string): void {
    const stats = lstatOrNull(absPath(root, rel))
    if (stats?.isDirectory()) this.#dirs.set(rel, stampOf(stats))
    else this.#dirs.delete(rel)
  }

  /** `rel` is no longer mirrored as it was (removed, or about to be replaced). */
  forget(rel: string): void {
    this.#files.delete(rel)
    this.#dirs.delete(rel)
  }

  get size(): number {
    return this.#files.size + this.#dirs.size
  }

  /**
   * What changed under `root` since it was stamped: files (gone ones too) and folders. Entries under
   * a folder removed whole are found here as gone, and dropped by the sync that follows.
   */
  async changed(root: string, pacer: Pacer): Promise<{ files: string[]; dirs: string[] }> {
    const files: string[] = []
    const dirs: string[] = []
    let count = 0
    for (const [map, out] of [
      [this.#files, files],
      [this.#dirs, dirs],
    ] as const) {
      for (const [rel, stamp] of map) {
        const now = lstatOrNull(absPath(root, rel))
        if (!now || !same(stamp, now)) out.push(rel)
        if (++count % 256 === 0) {
          const wait = pacer.due()
          if (wait) await wait
        }
      }
    }
    for (const rel of files) this.#files.delete(rel)
    for (const rel of dirs) this.#dirs.delete(rel)
    return { files, dirs }
  }
}

function lstatOrNull(target: string): Stats | null {
  try {
    return lstatSync(target)
  } catch {
    // Gone, or a folder above it is no longer one: changed either way
    return null
  }
}

function stampOf(stats: Stats): Stamp {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs }
}

function same(stamp: Stamp, now: Stats): boolean {
  return (
    stamp.ctimeMs === now.ctimeMs &&
    stamp.mtimeMs === now.mtimeMs &&
    stamp.size === now.size &&
    stamp.ino === now.ino
  )
}
