import { rmSync } from 'node:fs'
import path from 'node:path'
import { isoNow } from '../util/clock'
import { DependencyLinks } from './dependency-links'
import type { CompareMode } from './entry-sync'
import { Mirror } from './mirror'
import type { SyncCounts } from './mirror'
import { Pacer } from './pacer'
import { reconcileTree } from './reconcile-tree'
import type { TreeState } from './reconcile-tree'
import type { PoolContext } from './pool-context'
import { normalizeRel } from './rel-path'
import { shadowIoError } from './shadow-error'
import { emptyTmp, openShadowFolders, rootIntact } from './shadow-folders'

/** The shadow folder our own editor journals in; wiped at release. */
const OWN_DIR = '.fixloop'
import { readMeta, SHADOW_VERSION, writeMeta } from './shadow-meta'
import { syncEntries, syncPath } from './sync-path'
import type { ReleaseReport, SyncReport } from './types'

/** More noted paths than this and one walk of the whole tree is cheaper than one sync per path. */
const STORM_PATHS = 4096

/**
 * One shadow workspace (`<pool>/w<n>`): `root/` the mirror, `tmp/` its checks' temp folder,
 * `meta.json`. Every operation on it runs under its lock, one at a time; the pool decides who may
 * lease it.
 */
export class ShadowWorkspace {
  readonly name: string
  readonly dir: string
  readonly tmpDir: string
  leased = false
  readonly #ctx: PoolContext
  readonly #state: TreeState = { links: new DependencyLinks() }
  #mirror: Mirror | null = null
  #needsFull = true
  #pending = new Set<string>()
  #lock: Promise<unknown> = Promise.resolve()

  constructor(ctx: PoolContext, dir: string) {
    this.#ctx = ctx
    this.dir = dir
    this.name = path.basename(dir)
    this.tmpDir = path.join(dir, 'tmp')
  }

  /** Real path of the mirror (known once it has been synced). */
  get root(): string {
    return this.#mirror?.shadowRoot ?? path.join(this.dir, 'root')
  }

  get writable(): string[] {
    return [this.root, this.tmpDir, ...this.#state.links.cacheFolders()]
  }

  get readable(): string[] {
    const mirror = this.#mirror
    return mirror ? [...this.#state.links.projectFolders(mirror), ...mirror.outside] : []
  }

  /** Paths that may differ from the project now; applied at the next lease or release. */
  note(rels: readonly string[]): void {
    if (this.#needsFull) return
    for (const rel of rels) this.#pending.add(rel)
    if (this.#pending.size > STORM_PATHS) this.invalidate()
  }

  /** The next lease compares the whole tree. */
  invalidate(): void {
    this.#needsFull = true
    this.#pending.clear()
  }

  /** Runs `fn` after every operation queued before it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn)
    this.#lock = run.catch(() => undefined)
    return run
  }

  /** First sync or full reconcile: walks the project, copies what differs, removes what it lacks. */
  async fullSync(signal?: AbortSignal): Promise<SyncReport> {
    const started = performance.now()
    const pacer = new Pacer(signal)
    const mirror = await this.prepareFolders()
    this.#pending.clear()
    this.#needsFull = true
    mirror.resetCounts()
    mirror.stamps.clear()
    await reconcileTree(mirror, this.#state, '', 'dir', pacer)
    mirror.takeTouchedDirs()
    this.settle(mirror)
    const meta = readMeta(this.metaFile)
    writeMeta(this.metaFile, {
      version: SHADOW_VERSION,
      projectRoot: this.#ctx.projectRoot,
      createdAt: meta?.createdAt ?? isoNow(this.#ctx.clock),
      syncedAt: isoNow(this.#ctx.clock),
    })
    this.#needsFull = false
    return { ...mirror.resetCounts(), ms: performance.now() - started, full: true }
  }

  /**
   * Before a lease: what was noted synced by size/mtime, dependency folders checked for installs,
   * the task's own files compared byte for byte, the temp folder emptied. A full sync instead when
   * the shadow cannot be trusted.
   */
  async update(taskFiles: readonly string[], signal?: AbortSignal): Promise<SyncReport> {
    const started = performance.now()
    const pacer = new Pacer(signal)
    try {
      const full = this.trusted() ? null : await this.fullSync(signal)
      const mirror = this.#mirror as Mirror
      mirror.resetCounts()
      const todo = new Map<string, CompareMode>()
      if (!full) for (const rel of this.takePending()) todo.set(rel, 'stat')
      for (const rel of taskFiles) {
        const normal = normalizeRel(rel, this.#ctx.projectRoot)
        if (normal) todo.set(normal, 'content')
      }
      await this.syncAll(mirror, todo, pacer)
      this.settle(mirror)
      return withCounts(mirror.resetCounts(), full, started)
    } catch (error) {
      this.invalidate()
      throw error
    }
  }

  /**
   * After a task: every file and folder of the shadow compared with its stamp (see ShadowStamps),
   * and what changed restored from the project, with the editor's `touched` files and what was
   * noted meanwhile; the editor's `.fixloop/` wiped. A full sync instead when the shadow cannot be
   * trusted.
   */
  async restore(touched: readonly string[]): Promise<ReleaseReport> {
    const started = performance.now()
    const pacer = new Pacer()
    try {
      if (!this.trusted()) {
        const full = await this.fullSync()
        const checked = this.#mirror?.stamps.size ?? 0
        return { ...full, ms: performance.now() - started, checked, changed: 0 }
      }
      const mirror = this.#mirror as Mirror
      mirror.resetCounts()
      const checked = mirror.stamps.size
      const changed = await mirror.stamps.changed(mirror.shadowRoot, pacer)
      const todo = new Map<string, CompareMode>()
      for (const rel of this.takePending()) todo.set(rel, 'stat')
      // A check may keep a file's size and mtime (cp -p, tar): a changed stamp is compared by content
      for (const rel of changed.files) todo.set(rel, 'content')
      for (const rel of touched) {
        const normal = normalizeRel(rel, this.#ctx.projectRoot)
        if (normal) todo.set(normal, 'force')
      }
      for (const dir of changed.dirs) {
        await syncEntries(mirror, this.#state, dir, pacer)
        mirror.stamps.dir(mirror.shadowRoot, dir)
      }
      await this.syncAll(mirror, todo, pacer)
      this.settle(mirror)
      const report = withCounts(mirror.resetCounts(), null, started)
      return { ...report, checked, changed: changed.files.length + changed.dirs.length }
    } catch (error) {
      this.invalidate()
      throw error
    }
  }

  private get metaFile(): string {
    return path.join(this.dir, 'meta.json')
  }

  /**
   * Whether the shadow may be synced path by path: it has been synced in full in this process (so
   * its stamps are known) and its root is still the folder it was.
   */
  private trusted(): boolean {
    const mirror = this.#mirror
    return !this.#needsFull && mirror !== null && rootIntact(mirror.shadowRoot)
  }

  private takePending(): Set<string> {
    const pending = this.#pending
    this.#pending = new Set()
    return pending
  }

  private async syncAll(
    mirror: Mirror,
    todo: Map<string, CompareMode>,
    pacer: Pacer,
  ): Promise<void> {
    for (const [rel, mode] of todo) {
      await syncPath(mirror, this.#state, rel, mode, pacer)
      const wait = pacer.due()
      if (wait) await wait
    }
    for (const rel of this.#state.links.changed(mirror))
      await syncPath(mirror, this.#state, rel, 'stat', pacer)
  }

  /** The shadow's folders (see `openShadowFolders`), and a mirror on its root. */
  private async prepareFolders(): Promise<Mirror> {
    const { root, cleared } = openShadowFolders(this.dir, this.#ctx)
    if (cleared || this.#mirror?.shadowRoot !== root) {
      this.#state.links.clear()
      this.#mirror = new Mirror({ ...this.#ctx, shadowRoot: root })
    }
    return this.#mirror
  }

  /** The editor's `.fixloop/` wiped, the temp folder emptied, changed folders stamped again. */
  private settle(mirror: Mirror): void {
    const touched = mirror.takeTouchedDirs()
    const own = mirror.shadow(OWN_DIR)
    if (mirror.lstat(own)) {
      try {
        rmSync(own, { recursive: true, force: true, maxRetries: 2 })
      } catch (error) {
        throw shadowIoError('Cannot remove', own, error)
      }
      touched.add('')
    }
    emptyTmp(this.tmpDir)
    for (const rel of touched)
      if (rel === '' || mirror.classify(rel, true).kind === 'mirrored')
        mirror.stamps.dir(mirror.shadowRoot, rel)
  }
}

/** One report for a sync that may have started with a full one. */
function withCounts(counts: SyncCounts, full: SyncReport | null, started: number): SyncReport {
  return {
    copied: counts.copied + (full?.copied ?? 0),
    removed: counts.removed + (full?.removed ?? 0),
    linked: counts.linked + (full?.linked ?? 0),
    skipped: counts.skipped + (full?.skipped ?? 0),
    ms: performance.now() - started,
    full: full !== null,
  }
}
