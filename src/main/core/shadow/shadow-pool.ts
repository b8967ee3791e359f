import path from 'node:path'
import { resolvePoolOptions } from './pool-options'
import type { ShadowPoolOptions } from './pool-options'
import type { PoolContext } from './pool-context'
import { normalizeRel, parentRel } from './rel-path'
import { ShadowError, shadowIoError } from './shadow-error'
import { ShadowWorkspace } from './shadow-workspace'
import type { ReleaseReport, ShadowLease, SyncReport } from './types'

/**
 * A project's shadow workspaces: mirrors of the project outside it, where every check and every
 * fix runs. The user's tree is only ever read. `lease` hands out a free shadow brought up to date
 * (making another when all are leased), `release` makes it a faithful mirror again.
 */
export class ShadowPool {
  /** `<cacheDir>/shadows/<basename>-<12 hex of sha256(realpath(root))>` */
  readonly dir: string
  readonly #ctx: PoolContext
  readonly #max: number
  readonly #shadows: ShadowWorkspace[] = []
  readonly #waiters = new Set<() => void>()
  readonly #closing = new AbortController()
  #disposed = false

  private constructor(dir: string, ctx: PoolContext, max: number) {
    this.dir = dir
    this.#ctx = ctx
    this.#max = max
  }

  /** Validates the options and the cache location; touches no file yet. */
  static open(options: ShadowPoolOptions): ShadowPool {
    const { dir, ctx, maxShadows } = resolvePoolOptions(options)
    return new ShadowPool(dir, ctx, maxShadows)
  }

  /** First sync, or a full reconcile, of the first shadow (a size/mtime pass when it is in step). */
  async prepare(signal?: AbortSignal): Promise<SyncReport> {
    this.assertOpen()
    const shadow = this.#shadows[0] ?? this.add()
    // A lease that comes meanwhile takes this shadow and waits on its lock, behind this sync
    while (shadow.leased) {
      await this.nextRelease(signal)
      this.assertOpen()
    }
    const combined = this.signal(signal)
    return shadow.exclusive(() => this.guard(() => shadow.fullSync(combined), combined))
  }

  /**
   * Paths that may differ from the project now (the watcher's batches, apply and undo writes),
   * project-relative. Only recorded: each shadow applies them at its next lease, or at its release
   * when it is leased now.
   */
  noteChanged(rels: readonly string[]): void {
    if (this.#disposed) return
    const normal = rels
      .map((rel) => normalizeRel(rel, this.#ctx.projectRoot))
      .filter((rel): rel is string => rel !== null)
    if (normal.length === 0) return
    const gitignores = normal.filter((rel) => rel === '.gitignore' || rel.endsWith('/.gitignore'))
    if (gitignores.length > 0) {
      // What is mirrored changed: files may now be in or out of the shadow anywhere below
      for (const rel of gitignores) this.#ctx.ignore.invalidate(parentRel(rel))
      this.invalidate(`${gitignores[0]} changed`)
      return
    }
    for (const shadow of this.#shadows) shadow.note(normal)
  }

  /** Every shadow compares the whole tree at its next lease (watcher overflow, degraded, restart). */
  invalidate(reason: string): void {
    if (this.#disposed) return
    this.#ctx.log(
      'info',
      `Shadow workspaces will be reconciled in full before the next task: ${reason}`,
    )
    for (const shadow of this.#shadows) shadow.invalidate()
  }

  /**
   * A free shadow brought up to date with the project (the task's files compared byte for byte).
   * When every shadow is leased another one is made, by a full sync, and kept.
   */
  async lease(taskFiles: readonly string[], signal?: AbortSignal): Promise<ShadowLease> {
    this.assertOpen()
    const shadow = await this.acquire(signal)
    let report: SyncReport
    try {
      const combined = this.signal(signal)
      report = await shadow.exclusive(() =>
        this.guard(() => shadow.update(taskFiles, combined), combined),
      )
    } catch (error) {
      this.free(shadow)
      throw error
    }
    let released: Promise<ReleaseReport> | null = null
    return {
      root: shadow.root,
      tmpDir: shadow.tmpDir,
      writable: shadow.writable,
      readable: shadow.readable,
      syncMs: Math.round(report.ms * 10) / 10,
      synced: report.copied + report.removed + report.linked,
      release: (touched = []) => (released ??= this.release(shadow, touched)),
    }
  }

  /**
   * Stops the syncs under way (their signal aborts) and waits for them; refuses new work. The
   * folders stay, so the next start reconciles them instead of copying everything again.
   */
  async dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    this.#closing.abort(new ShadowError('The shadow workspaces were closed.', this.dir))
    for (const wake of this.#waiters) wake()
    await Promise.all(this.#shadows.map((shadow) => shadow.exclusive(async () => {})))
  }

  private async release(
    shadow: ShadowWorkspace,
    touched: readonly string[],
  ): Promise<ReleaseReport> {
    try {
      if (this.#disposed) return idleRelease()
      return await shadow.exclusive(() => this.guard(() => shadow.restore(touched)))
    } finally {
      this.free(shadow)
    }
  }

  private async acquire(signal?: AbortSignal): Promise<ShadowWorkspace> {
    for (;;) {
      this.assertOpen()
      signal?.throwIfAborted()
      const shadow =
        this.#shadows.find((s) => !s.leased) ??
        (this.#shadows.length < this.#max ? this.add() : null)
      if (shadow) {
        shadow.leased = true
        return shadow
      }
      await this.nextRelease(signal)
    }
  }

  private add(): ShadowWorkspace {
    const shadow = new ShadowWorkspace(this.#ctx, path.join(this.dir, `w${this.#shadows.length}`))
    this.#shadows.push(shadow)
    return shadow
  }

  private free(shadow: ShadowWorkspace): void {
    shadow.leased = false
    for (const wake of this.#waiters) wake()
  }

  private nextRelease(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.#waiters.delete(done)
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = () => {
        this.#waiters.delete(done)
        reject(signal?.reason)
      }
      this.#waiters.add(done)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private signal(signal?: AbortSignal): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal
  }

  /** Unexpected errors become ShadowErrors naming the pool; an abort's reason passes as it is. */
  private async guard<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      if (error instanceof ShadowError || (signal?.aborted && error === signal.reason)) throw error
      throw shadowIoError('The shadow workspace failed in', this.dir, error)
    }
  }

  private assertOpen(): void {
    if (this.#disposed) throw new ShadowError('The shadow workspaces were closed.', this.dir)
  }

  /** How many shadows exist (health shows it). */
  get size(): number {
    return this.#shadows.length
  }
}

function idleRelease(): ReleaseReport {
  return {
    ms: 0,
    copied: 0,
    removed: 0,
    linked: 0,
    skipped: 0,
    full: false,
    checked: 0,
    changed: 0,
  }
}
