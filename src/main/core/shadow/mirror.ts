import {
  accessSync,
  constants,
  lstatSync,
  mkdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import type { Stats } from 'node:fs'
import path from 'node:path'
import type { IgnoreMatcher } from '../watch/ignore-rules'
import type { FileCopier } from './file-copy'
import { absPath, childRel, parentRel } from './rel-path'
import { errorCode, isMissing, shadowIoError } from './shadow-error'
import { ShadowStamps } from './shadow-stamps'

/** What a path of the project is to the mirror. */
export type PathKind =
  | { kind: 'mirrored' }
  | { kind: 'ignored'; rel: string }
  /** Inside (or being) a dependency folder: linked, never copied. `dir` is the folder's path. */
  | { kind: 'dependency'; dir: string }

/** What one sync did. */
export interface SyncCounts {
  copied: number
  removed: number
  linked: number
  skipped: number
}

/** Where a path diverges from "a chain of real folders": the first prefix that is missing or not one. */
export type Divergence = null | { kind: 'missing' | 'other'; rel: string }

export interface MirrorOptions {
  /** Real path of the project root. */
  projectRoot: string
  /** Real path of the shadow's root. */
  shadowRoot: string
  /** Real path of the cache folder; no link may point into it. */
  cacheRoot: string
  ignore: IgnoreMatcher
  dependencyDirs: ReadonlySet<string>
  cacheDirs: ReadonlySet<string>
  copier: FileCopier
  /** Logs a warning once per key for the life of the pool (an unreadable file is skipped quietly after). */
  warnOnce: (key: string, message: string) => void
  platform: NodeJS.Platform
}

/**
 * One shadow's view of the project: how paths classify, and the few writes a sync makes (copy,
 * link, folder, removal), each one inside the shadow only. Every write goes to a path whose folders
 * the caller has seen to be real folders of the shadow, so nothing a check planted (a symlink to the
 * project in place of a folder) can carry a write out.
 */
export class Mirror {
  readonly projectRoot: string
  readonly shadowRoot: string
  readonly cacheRoot: string
  readonly ignore: IgnoreMatcher
  readonly dependencyDirs: ReadonlySet<string>
  readonly cacheDirs: ReadonlySet<string>
  readonly copier: FileCopier
  readonly warnOnce: (key: string, message: string) => void
  readonly platform: NodeJS.Platform
  counts: SyncCounts = zeroCounts()
  /** What the shadow's files and folders were like when last made faithful (see ShadowStamps). */
  readonly stamps = new ShadowStamps()
  /** Shadow folders whose entries this mirror added or removed since `takeTouchedDirs()`. */
  #touchedDirs = new Set<string>()
  /** Real paths outside the project that mirrored links point at (a sandbox must let checks read them). */
  readonly outside = new Set<string>()

  constructor(options: MirrorOptions) {
    this.projectRoot = options.projectRoot
    this.shadowRoot = options.shadowRoot
    this.cacheRoot = options.cacheRoot
    this.ignore = options.ignore
    this.dependencyDirs = options.dependencyDirs
    this.cacheDirs = options.cacheDirs
    this.copier = options.copier
    this.warnOnce = options.warnOnce
    this.platform = options.platform
  }

  /** Starts counting a new sync; returns the counts of the previous one. */
  resetCounts(): SyncCounts {
    const previous = this.counts
    this.counts = zeroCounts()
    return previous
  }

  /** The shadow folders whose entries changed since the last call (to stamp them again). */
  takeTouchedDirs(): Set<string> {
    const taken = this.#touchedDirs
    this.#touchedDirs = new Set()
    return taken
  }

  project(rel: string): string {
    return absPath(this.projectRoot, rel)
  }

  shadow(rel: string): string {
    return absPath(this.shadowRoot, rel)
  }

  /**
   * How `rel` is mirrored. Folders above it are judged as folders; `isDir` says what the last
   * segment is, when known. A dependency folder wins over the ignore rules (which list
   * `node_modules` by default): it is linked whatever they say.
   */
  classify(rel: string, isDir?: boolean): PathKind {
    const parts = rel.split('/')
    let prefix = ''
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string
      const last = i === parts.length - 1
      prefix = childRel(prefix, part)
      if (this.dependencyDirs.has(part) && (!last || isDir !== false))
        return { kind: 'dependency', dir: prefix }
      if (this.ignore.ignores(prefix, last ? isDir : true)) return { kind: 'ignored', rel: prefix }
    }
    return { kind: 'mirrored' }
  }

  /** Whether a symlink may point at `rel` from inside the shadow: the shadow has it (copied or linked). */
  inShadow(rel: string, isDir?: boolean): boolean {
    return this.classify(rel, isDir).kind !== 'ignored'
  }

  /**
   * Where the folder chain of `relDir` (under `root`: the project or the shadow) stops being real
   * folders, or null when it is one all the way. One realpath call when all is well.
   */
  divergence(side: 'project' | 'shadow', relDir: string): Divergence {
    if (relDir === '') return null
    const root = side === 'project' ? this.projectRoot : this.shadowRoot
    const target = absPath(root, relDir)
    try {
      // The trailing separator makes it fail on a file (ENOTDIR), not only on a link or a gap
      if (realpathSync.native(`${target}${path.sep}`) === target) return null
    } catch {
      // Walk down to find which folder is missing
    }
    let prefix = ''
    for (const part of relDir.split('/')) {
      prefix = childRel(prefix, part)
      const stat = this.lstat(absPath(root, prefix))
      if (!stat) return { kind: 'missing', rel: prefix }
      if (!stat.isDirectory()) return { kind: 'other', rel: prefix }
    }
    return null
  }

  /** lstat, or null when the path is not there. Other errors are thrown as ShadowErrors. */
  lstat(target: string): Stats | null {
    try {
      return lstatSync(target)
    } catch (error) {
      if (isMissing(error)) return null
      throw shadowIoError('Cannot read', target, error)
    }
  }

  /** Removes whatever is at `rel` in the shadow (a link itself, never what it points at). */
  remove(rel: string): void {
    this.delete(rel)
    this.counts.removed++
  }

  /** A real folder at `rel` in the shadow, whose parent is one already. `existing`: what is there now. */
  makeDir(rel: string, existing: 'dir' | 'other' | 'none'): void {
    if (existing === 'dir') return
    if (existing === 'other') this.delete(rel)
    const target = this.shadow(rel)
    this.#touchedDirs.add(parentRel(rel)).add(rel)
    try {
      mkdirSync(target)
    } catch (error) {
      if (errorCode(error) !== 'EEXIST')
        throw shadowIoError('Cannot create the folder', target, error)
    }
  }

  /** Copies the project's file at `rel` (lstat `stat`) over whatever the shadow has there. */
  copy(rel: string, stat: Stats, existing: 'file' | 'dir' | 'other' | 'none'): void {
    if (existing === 'dir') this.delete(rel)
    const src = this.project(rel)
    const dst = this.shadow(rel)
    this.#touchedDirs.add(parentRel(rel))
    try {
      this.stamps.file(
        rel,
        this.copier.copy(src, dst, stat, existing === 'file' || existing === 'other'),
      )
      this.counts.copied++
    } catch (error) {
      if (!this.sourceUnusable(rel, src, error))
        throw shadowIoError('Cannot copy into the shadow workspace', dst, error)
      this.counts.skipped++
    }
  }

  /** A symlink at `rel` in the shadow pointing at `target`, replacing what is there. */
  link(rel: string, target: string, isDir: boolean, existing: 'other' | 'dir' | 'none'): void {
    if (existing !== 'none') this.delete(rel)
    const at = this.shadow(rel)
    this.#touchedDirs.add(parentRel(rel))
    try {
      if (this.platform === 'win32' && isDir) {
        // Junctions need no privilege on Windows, but take an absolute target
        symlinkSync(path.resolve(path.dirname(at), target), at, 'junction')
      } else {
        symlinkSync(target, at, isDir ? 'dir' : 'file')
      }
      this.counts.linked++
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && existing === 'none')
        return this.link(rel, target, isDir, 'other')
      throw shadowIoError('Cannot create the link', at, error)
    }
  }

  private delete(rel: string): void {
    this.#touchedDirs.add(parentRel(rel))
    this.stamps.forget(rel)
    const target = this.shadow(rel)
    try {
      rmSync(target, { recursive: true, force: true, maxRetries: 2 })
    } catch (error) {
      throw shadowIoError('Cannot remove', target, error)
    }
  }

  /**
   * Whether a failed copy was the source's fault, so it is skipped: the file went away while we
   * copied (it will be noted again), or it cannot be read (one warning, not a crash).
   */
  private sourceUnusable(rel: string, src: string, error: unknown): boolean {
    if (isMissing(error)) return this.lstat(src) === null
    const code = errorCode(error)
    if (code !== 'EACCES' && code !== 'EPERM') return false
    try {
      accessSync(src, constants.R_OK)
      return false
    } catch {
      this.warnOnce(`unreadable:${rel}`, `Not mirrored, cannot be read: ${src} (${code})`)
      return true
    }
  }
}

function zeroCounts(): SyncCounts {
  return { copied: 0, removed: 0, linked: 0, skipped: 0 }
}
