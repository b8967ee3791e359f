import { EventEmitter } from 'node:events'
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import type { TaskKind } from '../../../shared/domain'
import { systemClock, type Clock, type Timer } from '../util/clock'
import type { BackendHandle, BackendHandlers, BackendKind, RawEvent } from './backend'
import { classifyBackendError, errorMessage, watchLimitMessage } from './backend-errors'
import { buildBatch } from './batch-builder'
import {
  ChangeBatcher,
  type ChangeType,
  type ClosedWindow,
  type WindowCloseReason,
} from './change-batcher'
import { ChangeLog } from './change-log'
import { createIgnoreMatcher, type IgnoreMatcher } from './ignore-rules'
import { loadParcelWatcher, startNativeBackend, type NativeWatcherModule } from './native-backend'
import { OwnWrites } from './own-writes'
import { startPollingBackend } from './polling-backend'
import { pathStates } from './path-states'
import { ReportedFiles } from './reported-files'
import { detectPollingReason } from './polling-reason'
import { findUnreadableDirs } from './unreadable-dirs'

export interface WatcherOptions {
  /** The project root. */
  root: string
  /** @default createIgnoreMatcher({ root }) (defaults, the project's .gitignore files) */
  ignore?: IgnoreMatcher
  /** Quiet time after the last change before a batch is handed on, ms. @default 2000 */
  debounceMs?: number
  /** Longest a batch is held while changes keep coming, ms (raised to `debounceMs` if lower). @default 10000 */
  maxWaitMs?: number
  /** More files than this in one batch make it one `batch` task. @default 50 */
  stormThreshold?: number
  /**
   * `native` is switched to polling on its own where native events cannot work (WSL `/mnt/`, network
   * file systems) or when the native watcher fails. @default 'native'
   */
  backend?: BackendKind
  /** Where the core registers its own writes. @default new OwnWrites() */
  ownWrites?: OwnWrites
  /**
   * Where each change is noted as its event arrives (a log may outlive a watcher).
   * @default new ChangeLog()
   */
  changes?: ChangeLog
  /** @default systemClock */
  clock?: Clock
  /** Polling backend: how often each file is stat'ed, ms. @default 1000 */
  pollIntervalMs?: number
  /** After the project folder vanished: how often to look for it again, ms. @default 1000 */
  rootCheckMs?: number
  /** A deletion this recent (ms) that is not yet followed by a re-creation waits one more window. @default 100 */
  atomicGraceMs?: number
  /** Loads @parcel/watcher. @default loadParcelWatcher */
  loadNative?: () => Promise<NativeWatcherModule>
  /** Why this root needs polling, or null. @default detectPollingReason */
  detectPolling?: (root: string) => Promise<string | null>
}

/** One debounced batch of changed files. */
export interface WatchBatch {
  /** Project-relative, forward slashes, sorted, de-duplicated; deleted files included. */
  files: string[]
  /** The subset of `files` that no longer exist (a deletion can break tests too). */
  deleted: string[]
  /** `batch` when there are more than `stormThreshold` files: one task, not one per file. */
  kind: TaskKind
  /** When the batch was emitted (clock ms). */
  at: number
  /** When its debounce window closed (clock ms): `at - closedAt` is the watcher's own latency. */
  closedAt: number
  reason: WindowCloseReason
}

export interface WatcherEvents {
  batch: [batch: WatchBatch]
  /** Watching works less well than it should, or not at all for now; `reason` says why and what to do. */
  degraded: [info: { reason: string }]
  /** Watching is healthy again. */
  recovered: [info: { backend: BackendKind }]
  /** Something was skipped but watching goes on (a folder Fixloop may not read). */
  warning: [info: { message: string; path?: string }]
  /** Unexpected failures. Emitted only while someone listens, so it never crashes the process. */
  error: [error: Error]
}

export interface WatcherStatus {
  /** A backend is running and delivering events. */
  alive: boolean
  backend: BackendKind | null
  degradedReason: string | null
  /** Why polling was chosen up front (setting, WSL, network drive), or null. */
  pollingReason: string | null
  /** Project-relative folders skipped because they cannot be read. */
  skipped: string[]
  /** Paths changed in the window that is still open. */
  pending: number
}

type WatcherConfig = Required<
  Pick<
    WatcherOptions,
    | 'debounceMs'
    | 'maxWaitMs'
    | 'stormThreshold'
    | 'backend'
    | 'pollIntervalMs'
    | 'rootCheckMs'
    | 'atomicGraceMs'
    | 'loadNative'
    | 'detectPolling'
  >
>

type State = 'idle' | 'starting' | 'running' | 'root-lost' | 'stopping' | 'stopped'

/**
 * Watches a project folder and emits debounced batches of changed files. Two backends behind one face:
 * @parcel/watcher (native, default) and chokidar polling (fallback, WSL, network drives, a setting).
 * Bad ground (unreadable folders, the inotify limit, the project folder vanishing) degrades it with a
 * reason; it never throws from an event.
 */
export class Watcher extends EventEmitter<WatcherEvents> {
  readonly root: string
  readonly ownWrites: OwnWrites
  /** When each path last changed, repeats of an event not counted. */
  readonly changes: ChangeLog
  private readonly matcher: IgnoreMatcher
  private readonly clock: Clock
  private readonly config: WatcherConfig
  private readonly batcher: ChangeBatcher
  private readonly reported: ReportedFiles
  private state: State = 'idle'
  private realRoot: string
  private backend: BackendHandle | null = null
  /** Bumped whenever a backend is replaced, so late events of an old one are dropped. */
  private generation = 0
  private degradedReason: string | null = null
  private pollingReason: string | null = null
  private readonly skipped = new Set<string>()
  private starting: Promise<void> | null = null
  private stopping: Promise<void> | null = null
  /** Windows are turned into batches one after another, in order. */
  private processing: Promise<void> = Promise.resolve()
  /** Deliveries of events are looked at (an lstat each, to tell a repeat) one after another. */
  private intake: Promise<void> = Promise.resolve()
  /** Bumped when what is pending is dropped (the root lost): events still being looked at go too. */
  private epoch = 0
  /** Backend changes (fallback, root lost, recovery) one after another. */
  private transitions: Promise<void> = Promise.resolve()
  private rootTimer: Timer | null = null

  constructor(options: WatcherOptions) {
    super()
    this.root = path.resolve(options.root)
    this.realRoot = this.root
    this.config = {
      debounceMs: options.debounceMs ?? 2000,
      maxWaitMs: options.maxWaitMs ?? 10_000,
      stormThreshold: options.stormThreshold ?? 50,
      backend: options.backend ?? 'native',
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      rootCheckMs: options.rootCheckMs ?? 1000,
      atomicGraceMs: options.atomicGraceMs ?? 100,
      loadNative: options.loadNative ?? loadParcelWatcher,
      detectPolling: options.detectPolling ?? detectPollingReason,
    }
    validate(this.config)
    this.matcher = options.ignore ?? createIgnoreMatcher({ root: this.root })
    this.ownWrites = options.ownWrites ?? new OwnWrites({ clock: options.clock })
    this.clock = options.clock ?? systemClock
    this.changes = options.changes ?? new ChangeLog({ clock: this.clock })
    this.reported = new ReportedFiles({ clock: this.clock })
    this.batcher = new ChangeBatcher({
      debounceMs: this.config.debounceMs,
      maxWaitMs: this.config.maxWaitMs,
      clock: this.clock,
      onClose: (window) => this.onWindowClosed(window),
    })
  }

  /** Resolves once watching has begun (on a fallback backend if need be); rejects if the root is no folder. */
  start(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      return Promise.reject(new Error('This watcher was stopped; create a new one to watch again.'))
    }
    this.starting ??= this.serial(async () => {
      this.state = 'starting'
      if (!(await isDirectory(this.root))) {
        this.state = 'idle'
        this.starting = null
        throw new Error(`Cannot watch ${this.root}: it is not an existing folder.`)
      }
      try {
        this.realRoot = await realpath(this.root)
        await this.openBackend()
      } catch (error) {
        this.state = 'idle'
        this.starting = null
        throw error
      }
      // stop() may have been called meanwhile
      if (this.state === 'starting') this.state = 'running'
    })
    return this.starting
  }

  /** Stops watching. What is pending is flushed (emitted as a batch), not dropped. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => undefined)
      this.state = 'stopping'
      this.generation++
      this.clearRootTimer()
      await this.transitions.catch(() => undefined)
      await this.closeBackend()
      await this.intake
      this.batcher.flush()
      await this.processing
      this.batcher.clear()
      this.state = 'stopped'
    })()
    return this.stopping
  }

  /** Emits what is pending now, without waiting for the debounce; resolves after the batch was emitted. */
  async flush(): Promise<void> {
    await this.intake
    this.batcher.flush()
    await this.processing
  }

  status(): WatcherStatus {
    return {
      alive: this.state === 'running' && this.backend !== null,
      backend: this.backend?.kind ?? null,
      degradedReason: this.degradedReason,
      pollingReason: this.pollingReason,
      skipped: [...this.skipped].sort(),
      pending: this.batcher.size,
    }
  }

  private async openBackend(): Promise<void> {
    let kind = this.config.backend
    this.pollingReason = kind === 'polling' ? 'Polling was chosen in the settings.' : null
    if (kind === 'native') {
      this.pollingReason = await this.config.detectPolling(this.realRoot)
      if (this.pollingReason) kind = 'polling'
    }
    const generation = ++this.generation
    const native = kind === 'native' ? await this.tryNative(generation) : null
    this.backend =
      native ??
      (await startPollingBackend({
        root: this.realRoot,
        matcher: this.matcher,
        intervalMs: this.config.pollIntervalMs,
        ...this.handlers(generation),
      }))
    // Both backends pass over a folder they may not read without a word; say which, after start
    this.background(this.reportUnreadable(generation))
  }

  private async reportUnreadable(generation: number): Promise<void> {
    const unreadable = await findUnreadableDirs(this.realRoot, this.matcher)
    if (generation !== this.generation) return
    for (const rel of unreadable) if (rel !== '') this.skip(rel, 'permission denied')
  }

  /** The native backend, or null after degrading with the reason it could not run. */
  private async tryNative(generation: number): Promise<BackendHandle | null> {
    try {
      return await startNativeBackend({
        root: this.realRoot,
        // Folders already known to be unreadable (after a recovery) are not even tried
        ignore: [
          ...this.matcher.ignoredDirGlobs(),
          ...[...this.skipped].map((rel) => path.join(this.realRoot, rel)),
        ],
        load: this.config.loadNative,
        ...this.handlers(generation),
      })
    } catch (error) {
      if (!(await isDirectory(this.realRoot))) {
        throw new Error(`Cannot watch ${this.root}: it is not an existing folder.`, {
          cause: error,
        })
      }
      const message = errorMessage(error)
      this.setDegraded(
        classifyBackendError(error) === 'limit'
          ? watchLimitMessage(message)
          : `The native file watcher could not start (${message}). Fixloop is watching by polling instead, which is slower.`,
      )
      return null
    }
  }

  private handlers(generation: number): BackendHandlers {
    const current = () => generation === this.generation
    return {
      onEvents: (events) => {
        if (current()) this.onRawEvents(events)
      },
      onError: (error) => {
        if (current()) this.background(this.onBackendError(error))
      },
      onWarning: (reason, absolutePath) => {
        if (!current()) return
        const rel = absolutePath === undefined ? null : this.toRelative(absolutePath)
        if (rel) this.skip(rel, reason)
        else this.emit('warning', { message: `Skipped a path Fixloop may not read (${reason}).` })
      },
    }
  }

  private onRawEvents(events: RawEvent[]): void {
    const at = this.clock.now()
    const wanted: { rel: string; type: ChangeType }[] = []
    for (const event of events) {
      const rel = this.wanted(event)
      if (rel !== null) wanted.push({ rel, type: event.type })
    }
    if (wanted.length === 0) return
    const epoch = this.epoch
    this.intake = this.intake
      .then(() => this.addChanges(wanted, at, epoch))
      .catch((error: unknown) => this.emitError(error))
  }

  /** The event's project-relative path when it may be a change to report, else null. */
  private wanted(event: RawEvent): string | null {
    const rel = this.toRelative(event.path)
    if (rel === null) return null
    if (rel === '') {
      if (event.type === 'delete') this.background(this.checkRoot())
      return null
    }
    if (path.posix.basename(rel) === '.gitignore') {
      const dir = path.posix.dirname(rel)
      this.matcher.invalidate(dir === '.' ? '' : dir)
    }
    // Type unknown yet: judged as a file without the extension allow-list; the batch decides finally
    return this.matcher.ignores(rel) ? null : rel
  }

  /**
   * Each path is looked at once as its event comes: a repeat of the path's last event (same type,
   * same state) moves no deadline and opens no window. The events' arrival time `at` is what counts.
   */
  private async addChanges(
    changes: { rel: string; type: ChangeType }[],
    at: number,
    epoch: number,
  ): Promise<void> {
    const states = await pathStates(
      this.realRoot,
      changes.map((change) => change.rel),
    )
    if (epoch !== this.epoch) return
    changes.forEach(({ rel, type }, i) => {
      if (this.batcher.add(rel, type, at, states[i])) this.changes.note(rel, at)
    })
  }

  private onWindowClosed(window: ClosedWindow): void {
    const final = window.reason === 'flush'
    this.processing = this.processing
      .then(() => this.emitBatch(window, final))
      .catch((error: unknown) => this.emitError(error))
  }

  private async emitBatch(window: ClosedWindow, final: boolean): Promise<void> {
    if (this.state === 'root-lost') return
    if (!(await isDirectory(this.realRoot))) {
      // Deleting the project shows up as every file deleted: that is no batch, it is a lost root
      await this.checkRoot()
      return
    }
    const built = await buildBatch(window.changes, {
      root: this.realRoot,
      alias: this.root,
      matcher: this.matcher,
      ownWrites: this.ownWrites,
      reported: this.reported,
      now: this.clock.now(),
      atomicGraceMs: this.config.atomicGraceMs,
      final,
    })
    if (built.carry.size > 0) this.batcher.restore(built.carry)
    if (built.files.length === 0) return
    this.emit('batch', {
      files: built.files,
      deleted: built.deleted,
      kind: built.files.length > this.config.stormThreshold ? 'batch' : 'file_change',
      at: this.clock.now(),
      closedAt: window.closedAt,
      reason: window.reason,
    })
  }

  private onBackendError(error: Error): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'running') return
      if (!(await isDirectory(this.realRoot))) return this.loseRoot()
      const kind = this.backend?.kind
      const message = errorMessage(error)
      if (kind !== 'native') {
        // Polling has nothing to fall back to; it keeps polling what it can
        this.emit('warning', { message: `The polling watcher reported: ${message}` })
        return this.emitError(error)
      }
      await this.closeBackend()
      this.setDegraded(
        classifyBackendError(error) === 'limit'
          ? watchLimitMessage(message)
          : `The native file watcher failed (${message}). Fixloop is watching by polling instead, which is slower.`,
      )
      const generation = ++this.generation
      this.backend = await startPollingBackend({
        root: this.realRoot,
        matcher: this.matcher,
        intervalMs: this.config.pollIntervalMs,
        ...this.handlers(generation),
      })
    })
  }

  private checkRoot(): Promise<void> {
    return this.serial(async () => {
      if (this.state === 'running' && !(await isDirectory(this.realRoot))) await this.loseRoot()
    })
  }

  /** The project folder is gone (deleted, renamed): stop the backend, degrade, look for it again. */
  private async loseRoot(): Promise<void> {
    this.state = 'root-lost'
    this.generation++
    this.epoch++
    this.batcher.clear()
    await this.closeBackend()
    this.setDegraded(
      `The project folder ${this.root} was deleted or moved. Fixloop resumes watching when it is back.`,
    )
    this.scheduleRootCheck()
  }

  private scheduleRootCheck(): void {
    this.clearRootTimer()
    this.rootTimer = this.clock.setTimeout(() => {
      this.rootTimer = null
      this.serial(async () => {
        if (this.state !== 'root-lost') return
        if (!(await isDirectory(this.root))) return this.scheduleRootCheck()
        this.realRoot = await realpath(this.root)
        this.degradedReason = null
        await this.openBackend()
        if (this.state !== 'root-lost') return
        this.state = 'running'
        if (this.degradedReason === null && this.backend) {
          this.emit('recovered', { backend: this.backend.kind })
        }
      }).catch((error: unknown) => {
        // The folder came back but cannot be watched yet: keep looking
        this.emitError(error)
        if (this.state === 'root-lost') this.scheduleRootCheck()
      })
    }, this.config.rootCheckMs)
    this.rootTimer.unref?.()
  }

  private clearRootTimer(): void {
    if (this.rootTimer) this.clock.clearTimeout(this.rootTimer)
    this.rootTimer = null
  }

  private async closeBackend(): Promise<void> {
    const backend = this.backend
    this.backend = null
    await backend?.close()
  }

  private skip(rel: string, why: string): void {
    if (this.skipped.has(rel)) return
    this.skipped.add(rel)
    this.emit('warning', {
      message: `Skipped the folder ${rel}: Fixloop may not read it (${why}). Changes inside it are not seen.`,
      path: rel,
    })
  }

  private setDegraded(reason: string): void {
    this.degradedReason = reason
    this.emit('degraded', { reason })
  }

  private emitError(error: unknown): void {
    if (this.listenerCount('error') > 0) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)))
    }
  }

  /** Work nobody awaits: its failure is reported, never an unhandled rejection. */
  private background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.emitError(error))
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.transitions.then(work, work)
    this.transitions = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  /** Project-relative with forward slashes, '' for the root itself, null outside it. */
  private toRelative(absolutePath: string): string | null {
    const rel = path.relative(this.realRoot, absolutePath)
    // '..' as a whole segment: a file named '..env' at the root is inside
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null
    return rel.split(path.sep).join('/')
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory()
  } catch {
    return false
  }
}

function validate(config: WatcherConfig): void {
  const nonNegative = ['debounceMs', 'maxWaitMs', 'atomicGraceMs'] as const
  for (const key of nonNegative) {
    if (!Number.isFinite(config[key]) || config[key] < 0) {
      throw new RangeError(`${key} must be a finite number >= 0, got ${config[key]}`)
    }
  }
  for (const key of ['pollIntervalMs', 'rootCheckMs'] as const) {
    if (!Number.isFinite(config[key]) || config[key] <= 0) {
      throw new RangeError(`${key} must be a positive number, got ${config[key]}`)
    }
  }
  if (!Number.isInteger(config.stormThreshold) || config.stormThreshold < 1) {
    throw new RangeError(`stormThreshold must be a positive integer, got ${config.stormThreshold}`)
  }
  if (config.backend !== 'native' && config.backend !== 'polling') {
    throw new RangeError(`backend must be 'native' or 'polling', got ${String(config.backend)}`)
  }
}
