import {
  closeSync,
  constants,
  copyFileSync,
  fchmodSync,
  fstatSync,
  futimesSync,
  lstatSync,
  openSync,
  readFileSync,
  unlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs'
import path from 'node:path'
import { errorCode } from './shadow-error'

/**
 * Files at least this big are always copied with `copyFile(COPYFILE_FICLONE)`: the kernel copies
 * them without passing the bytes through JavaScript. Smaller ones, where the file system has no
 * clones, are read and written: on ext4 here that was twice as fast for 1 KB files (20,000 in
 * 1.7 s against 3.7 s), because copyFile's extra fstat, ioctl and sendfile calls cost more than the
 * bytes, and it lets the mtime be set on the open descriptor.
 */
const CLONE_ALWAYS_BYTES = 64 * 1024

/** Error codes saying "no copy-on-write clones between these two places". */
const NO_CLONE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EBADF'])

/**
 * The shadow's copy of a file gets the project file's mtime truncated to whole milliseconds (what a
 * `Date` holds). Reading it back can be a fraction of a microsecond off (seconds pass through a
 * double), so the shadow side is rounded: the two keys are equal exactly when the copy is ours.
 */
export const projectMtimeKey = (mtimeMs: number): number => Math.trunc(mtimeMs)
export const shadowMtimeKey = (mtimeMs: number): number => Math.round(mtimeMs)

/**
 * Whether the shadow's file still is the copy of the project's: same size, same mtime key, same
 * permission bits (Windows keeps no such bits).
 */
export function sameCopy(project: Stats, shadow: Stats, platform = process.platform): boolean {
  return (
    project.size === shadow.size &&
    projectMtimeKey(project.mtimeMs) === shadowMtimeKey(shadow.mtimeMs) &&
    (platform === 'win32' || (project.mode & 0o7777) === (shadow.mode & 0o7777))
  )
}

/**
 * Copies project files into a shadow: a copy-on-write clone where the file system has them (probed
 * once, on the first copy), a plain copy elsewhere; permission bits kept, mtime set to the
 * project's. The destination is always a new file, so a hard link a check planted in the shadow
 * never carries our write into the file it shares.
 */
export class FileCopier {
  #clones: boolean | undefined
  #umask: number | undefined
  readonly #platform: NodeJS.Platform
  readonly #scratchDir: string

  /** `scratchDir`: a folder of ours where the umask is probed once. */
  constructor(scratchDir: string, platform: NodeJS.Platform = process.platform) {
    this.#scratchDir = scratchDir
    this.#platform = platform
  }

  /**
   * Copies `src` (whose lstat is `stat`) to `dst` and returns the copy's stats. `replace`: something
   * may exist at `dst` and is unlinked first. Throws the OS error; the caller knows which path to
   * name.
   */
  copy(src: string, dst: string, stat: Stats, replace: boolean): Stats {
    if (replace) unlinkQuiet(dst)
    try {
      return this.copyNew(src, dst, stat)
    } catch (error) {
      // Something made the file between our look and our copy: it goes, like anything replaced
      if (errorCode(error) !== 'EEXIST') throw error
      unlinkQuiet(dst)
      return this.copyNew(src, dst, stat)
    }
  }

  /** Copies into a new file at `dst` (never through an existing one, a hard link perhaps). */
  private copyNew(src: string, dst: string, stat: Stats): Stats {
    const seconds = projectMtimeKey(stat.mtimeMs) / 1000
    if (this.#clones === undefined && stat.size > 0) {
      try {
        copyFileSync(src, dst, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL)
        this.#clones = true
        utimesSync(dst, seconds, seconds)
        return lstatSync(dst)
      } catch (error) {
        if (!NO_CLONE.has(errorCode(error) ?? '')) throw error
        this.#clones = false
        unlinkQuiet(dst)
      }
    }
    if (this.#clones || stat.size >= CLONE_ALWAYS_BYTES) {
      copyFileSync(src, dst, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL)
      utimesSync(dst, seconds, seconds)
      return lstatSync(dst)
    }
    const bytes = readFileSync(src)
    const mode = stat.mode & 0o7777
    const fd = openSync(dst, 'wx', mode)
    try {
      let written = 0
      while (written < bytes.length) written += writeSync(fd, bytes, written)
      if (this.#platform !== 'win32' && (mode & this.umask()) !== 0) fchmodSync(fd, mode)
      futimesSync(fd, seconds, seconds)
      // The stamp release compares with: taken last, after every change we make to it
      return fstatSync(fd)
    } finally {
      closeSync(fd)
    }
  }

  /**
   * The process umask, probed once with a file created as 0777 (`process.umask()` without an
   * argument is deprecated and throws in workers). `open` applies it to a new file's mode, so a copy
   * whose mode has one of its bits needs an explicit chmod.
   */
  private umask(): number {
    if (this.#umask === undefined) {
      const probe = path.join(this.#scratchDir, `.umask-${process.pid}`)
      unlinkQuiet(probe)
      const fd = openSync(probe, 'wx', 0o777)
      try {
        this.#umask = 0o777 & ~fstatSync(fd).mode
      } finally {
        closeSync(fd)
        unlinkQuiet(probe)
      }
    }
    return this.#umask
  }
}

function unlinkQuiet(target: string): void {
  try {
    unlinkSync(target)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
}
