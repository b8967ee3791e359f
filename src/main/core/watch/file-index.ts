/**
 * The project's files in memory, so that what needs them (choosing the tests a change affects) does
 * not walk the tree each time. Filled once by an asynchronous walk that yields to the event loop,
 * started when the caller says (the engine: after `ready`), then kept current from change notes:
 * the watcher's batches and Fixloop's own writes to the tree (apply, undo), the same notes the
 * shadow workspaces get. It follows the watcher's ignore rules; `skipFolder` leaves out more folders
 * by name. `track` keeps a map derived from the files (a runner's test files, a glob's matches)
 * updated with them, so each file is judged once rather than on every question.
 */
import type { Dirent } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import path from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { errorCode } from './backend-errors'
import type { IgnoreMatcher } from './ignore-rules'

export interface FileIndexOptions {
  /** The project root, absolute. */
  root: string
  /** The watcher's ignore rules (`createProjectMatcher`): what they ignore is not indexed. */
  matcher: IgnoreMatcher
  /** Folders not entered besides the ignored ones, judged by name. @default none */
  skipFolder?: (name: string) => boolean
  /** Files indexed at most; past it the index stops growing and says it is `truncated`. @default 500000 */
  maxFiles?: number
  /** Folder entries handled between two yields to the event loop. @default 200 */
  chunk?: number
  /** Told once when the index reaches `maxFiles`. @default none */
  onWarning?: (message: string) => void
}

/**
 * - idle: not started; notes are dropped (the walk will see the tree as it is then).
 * - walking: notes wait for the walk's end and are applied after it.
 * - ready: complete, notes applied as they come.
 */
export type FileIndexState = 'idle' | 'walking' | 'ready' | 'disposed'

/** A map derived from the index, kept current with it (see `FileIndex.track`). */
export interface TrackedFiles<T> {
  /** Bumped on every change, so what is derived from the map can be cached against it. */
  readonly version: number
  readonly map: ReadonlyMap<string, T>
}

class Tracker<T> implements TrackedFiles<T> {
  version = 0
  readonly map = new Map<string, T>()
  constructor(readonly classify: (rel: string) => T | undefined) {}

  add(rel: string): void {
    const value = this.classify(rel)
    if (value === undefined) return
    this.map.set(rel, value)
    this.version++
  }

  remove(rel: string): void {
    if (this.map.delete(rel)) this.version++
  }

  clear(): void {
    this.map.clear()
    this.version++
  }
}

/** Paths looked at side by side when notes are applied. */
const CONCURRENCY = 32

export class FileIndex {
  readonly root: string
  readonly #matcher: IgnoreMatcher
  readonly #skip: (name: string) => boolean
  readonly #max: number
  readonly #chunk: number
  readonly #onWarning: (message: string) => void
  readonly #files = new Set<string>()
  /** Every folder above an indexed file, so a deleted path can be known for a folder. */
  readonly #dirs = new Set<string>()
  readonly #trackers: Tracker<unknown>[] = []
  #state: FileIndexState = 'idle'
  #truncated = false
  /** Bumped by every walk, so what an older walk or note pass finds late is not taken in. */
  #generation = 0
  #abort = new AbortController()
  #walking: Promise<void> = Promise.resolve()
  readonly #notes = new Set<string>()
  #draining: Promise<void> | null = null

  constructor(options: FileIndexOptions) {
    this.root = path.resolve(options.root)
    this.#matcher = options.matcher
    this.#skip = options.skipFolder ?? (() => false)
    this.#max = options.maxFiles ?? 500_000
    this.#chunk = options.chunk ?? 200
    this.#onWarning = options.onWarning ?? (() => undefined)
    if (!(this.#max > 0)) throw new RangeError(`maxFiles must be positive, got ${this.#max}`)
    if (!(this.#chunk > 0)) throw new RangeError(`chunk must be positive, got ${this.#chunk}`)
  }

  get state(): FileIndexState {
    return this.#state
  }

  /** The walk is done: the index holds every file (unless `truncated`). */
  get ready(): boolean {
    return this.#state === 'ready'
  }

  /** The index stopped at `maxFiles`: files past it are missing. */
  get truncated(): boolean {
    return this.#truncated
  }

  get size(): number {
    return this.#files.size
  }

  has(rel: string): boolean {
    return this.#files.has(rel)
  }

  /** Every indexed file, project-relative with forward slashes, in no particular order. */
  files(): IterableIterator<string> {
    return this.#files.values()
  }

  /**
   * Starts the walk (once; later calls return the same walk). Resolves when the index is ready, or
   * when it was disposed meanwhile; never rejects (a folder that cannot be read is left out).
   */
  start(): Promise<void> {
    if (this.#state === 'idle') this.#walk()
    return this.#walking
  }

  /**
   * Forgets everything and walks again (the watcher may have missed changes, or a `.gitignore`
   * changed what is ignored). Not ready until that walk is done; does nothing before `start`.
   */
  rewalk(): void {
    if (this.#state === 'walking' || this.#state === 'ready') this.#walk()
  }

  /**
   * Paths that may have changed, project-relative: files or folders, created, changed or deleted.
   * Each is looked at (lstat) once the walk is done, so a late walk result cannot undo a note.
   */
  noteChanged(rels: readonly string[]): void {
    if (this.#state === 'idle' || this.#state === 'disposed') return
    for (const rel of rels) {
      const normal = rel.split(path.sep).join('/').replace(/^\.\//, '')
      if (normal && !normal.startsWith('../') && normal !== '..') this.#notes.add(normal)
    }
    if (this.#notes.size > 0) this.#drain()
  }

  /** Resolves once the notes taken so far are applied (at once when nothing is pending). */
  settled(): Promise<void> {
    return this.#draining ?? Promise.resolve()
  }

  /**
   * A map of the files for which `classify` returns a value, kept current as files come and go.
   * `classify` is asked once per file: registered before `start`, during the walk; later, for the
   * files indexed so far at once.
   */
  track<T>(classify: (rel: string) => T | undefined): TrackedFiles<T> {
    const tracker = new Tracker(classify)
    for (const rel of this.#files) tracker.add(rel)
    this.#trackers.push(tracker as Tracker<unknown>)
    return tracker
  }

  dispose(): void {
    this.#state = 'disposed'
    this.#abort.abort()
    this.#notes.clear()
  }

  #walk(): void {
    this.#abort.abort()
    this.#abort = new AbortController()
    const generation = ++this.#generation
    this.#files.clear()
    this.#dirs.clear()
    this.#truncated = false
    for (const tracker of this.#trackers) tracker.clear()
    this.#state = 'walking'
    const signal = this.#abort.signal
    this.#walking = this.#walkFrom('', signal).then(() => {
      if (generation === this.#generation && this.#state === 'walking') this.#state = 'ready'
    })
    if (this.#notes.size > 0) this.#drain()
  }

  /** Adds the files under `start` (a folder, '' for the root), breadth first, yielding as it goes. */
  async #walkFrom(start: string, signal: AbortSignal): Promise<void> {
    const queue = [start]
    let handled = 0
    for (let next = 0; next < queue.length; next++) {
      if (signal.aborted) return
      const dir = queue[next] as string
      let entries: Dirent[]
      try {
        entries = await readdir(path.join(this.root, dir), { withFileTypes: true })
      } catch {
        continue // unreadable or gone: the watcher reports unreadable folders; a gone one is no file
      }
      if (signal.aborted) return
      for (const entry of entries) {
        if (++handled % this.#chunk === 0) {
          await nextTurn()
          if (signal.aborted) return
        }
        const rel = dir ? `${dir}/${entry.name}` : entry.name
        if (entry.isDirectory()) {
          if (this.#enters(rel, entry.name)) queue.push(rel)
        } else if (entry.isFile() && !this.#matcher.ignores(rel, false)) this.#add(rel)
      }
    }
  }

  #enters(rel: string, name: string): boolean {
    return !this.#skip(name) && !this.#matcher.ignores(rel, true)
  }

  /** Whether `rel` belongs in the index: nothing on its way is skipped or ignored, nor is it. */
  #admits(rel: string, isDir: boolean): boolean {
    const parts = rel.split('/')
    for (let i = 0; i < parts.length - 1; i++) {
      if (!this.#enters(parts.slice(0, i + 1).join('/'), parts[i] as string)) return false
    }
    return isDir ? this.#enters(rel, parts.at(-1) as string) : !this.#matcher.ignores(rel, false)
  }

  #add(rel: string): void {
    if (this.#files.has(rel)) return
    if (this.#files.size >= this.#max) {
      if (!this.#truncated)
        this.#onWarning(
          `The file index of ${this.root} stopped at ${this.#max} files; tests beyond them are chosen by walking the folders.`,
        )
      this.#truncated = true
      return
    }
    this.#files.add(rel)
    for (let slash = rel.lastIndexOf('/'); slash > 0; slash = rel.lastIndexOf('/', slash - 1)) {
      const dir = rel.slice(0, slash)
      if (this.#dirs.has(dir)) break
      this.#dirs.add(dir)
    }
    for (const tracker of this.#trackers) tracker.add(rel)
  }

  #remove(rel: string): void {
    if (!this.#files.delete(rel)) return
    for (const tracker of this.#trackers) tracker.remove(rel)
  }

  /** Removes every file below any of `gone` (deleted folders), in one pass over the index. */
  #removeBelow(gone: ReadonlySet<string>): void {
    // Deleting from a Set while iterating it is safe: every entry is visited once
    for (const rel of this.#files) {
      for (let slash = rel.indexOf('/'); slash > 0; slash = rel.indexOf('/', slash + 1)) {
        if (gone.has(rel.slice(0, slash))) {
          this.#remove(rel)
          break
        }
      }
    }
    for (const dir of gone) this.#dirs.delete(dir)
  }

  #drain(): void {
    if (this.#draining) return
    this.#draining = (async () => {
      try {
        // After the walk: a folder it lists after a note was applied would bring the old state back
        await this.#walking
        while (this.#notes.size > 0 && this.#state === 'ready') {
          const rels = [...this.#notes]
          this.#notes.clear()
          await this.#apply(rels)
        }
      } finally {
        this.#draining = null
      }
      // A rewalk that began while the last pass ran left its notes for after it
      if (this.#notes.size > 0 && this.#state === 'walking') this.#drain()
    })()
  }

  async #apply(rels: readonly string[]): Promise<void> {
    const generation = this.#generation
    const gitignores = rels.filter((rel) => path.posix.basename(rel) === '.gitignore')
    if (gitignores.length > 0) {
      // What is ignored changed: files may be in or out anywhere below. Walk again.
      for (const rel of gitignores) {
        const dir = path.posix.dirname(rel)
        this.#matcher.invalidate(dir === '.' ? '' : dir)
      }
      this.#walk()
      return
    }
    const gone = new Set<string>()
    const folders: string[] = []
    for (let start = 0; start < rels.length; start += CONCURRENCY) {
      await Promise.all(
        rels.slice(start, start + CONCURRENCY).map(async (rel) => {
          let kind: 'file' | 'folder' | 'other' | 'gone'
          try {
            const stats = await lstat(path.join(this.root, rel))
            kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'folder' : 'other'
          } catch (error) {
            const code = errorCode(error)
            // Cannot look (EACCES): left as it was
            if (code !== 'ENOENT' && code !== 'ENOTDIR') return
            kind = 'gone'
          }
          if (generation !== this.#generation) {
            this.#notes.add(rel) // a new walk began: looked at again after it
            return
          }
          if (kind === 'file') {
            if (this.#admits(rel, false)) this.#add(rel)
            else this.#remove(rel)
            return
          }
          this.#remove(rel)
          if (kind === 'folder') folders.push(rel)
          // Gone, or a link now: what the index had below it is gone too
          else if (this.#dirs.has(rel)) gone.add(rel)
        }),
      )
    }
    if (gone.size > 0) this.#removeBelow(gone)
    // A folder that appeared (created, or moved here): its files, unless it is left out
    for (const dir of folders) {
      if (generation !== this.#generation) return
      if (this.#admits(dir, true)) await this.#walkFrom(dir, this.#abort.signal)
    }
  }
}
