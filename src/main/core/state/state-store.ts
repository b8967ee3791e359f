/**
 * The one owner of `<project>/.fixloop/state.json`. Nothing else reads or writes that file.
 *
 * open: lock → load (salvage what is damaged, move aside what is unusable, migrate the seed's
 * format) → recover tasks left in progress → write. update: serialised; each mutator works on a
 * draft of the state (immer: copy on write, so what it does not touch is shared, not copied),
 * limits are applied, what changed is validated and written atomically, and only then becomes
 * `state`. Updates queued while a write is on its way are written together, once.
 *
 * What is written is what changed: `state.json` (small: summaries, history, breakers, spend,
 * stats) when any of it did, and a task's own file (`tasks/<id>.json`: its checks, attempts, plan,
 * diff) when its record did (task-details.ts). A write that only moves the heartbeat updates those
 * 24 bytes of `state.json` in place.
 */
import { mkdir, open as openFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createDraft, current as currentOf, finishDraft, isDraft, produce } from 'immer'
import type { Task } from '../../../shared/domain'
import { complete, requeueInProgress } from '../queue/transitions'
import { DEFAULT_QUEUE_LIMITS } from '../queue/limits'
import type { QueueLimits } from '../queue/limits'
import type { QueueContext } from '../queue/context'
import { isoNow, systemClock } from '../util/clock'
import type { Clock } from '../util/clock'
import { isCode, removeLeftoverTemps, writeFileAtomic } from './atomic-write'
import { StateEmitter } from './events'
import type { StateEventListener, StateEventName, StateEvents } from './events'
import { copyAside, loadStateFile, moveAside } from './load'
import { describeSalvageBrief } from './salvage-notes'
import { acquireProjectLock, lockHolder } from './project-lock'
import type { ProjectLock } from './project-lock'
import { resolveStatePaths } from './paths'
import type { StatePaths } from './paths'
import { freshState } from './schema'
import type { StateFile } from './schema'
import { applyStateLimits, limitsNeeded } from './state-limits'
import { deepFreeze } from './deep-freeze'
import { assertRealDataDir } from './data-dir'
import { RIDER_DELAY_MS, changedFinished, planWrite, taskIndex, validateChange } from './state-diff'
import type { WritePlan } from './state-diff'
import { StateJson } from './state-json'
import {
  ensureTasksDir,
  isStub,
  listTaskFileIds,
  removeTaskFiles,
  tasksDirFor,
  unlinkTaskFiles,
  writeTaskFile,
} from './task-details'

export interface StateStoreOptions {
  projectRoot: string
  /** The state file (STATE_FILE); relative paths resolve against the project. @default '.fixloop/state.json' */
  stateFile?: string
  /** The lock (LOCK_FILE), a directory proper-lockfile creates. @default '<stateFile>.lock' */
  lockFile?: string
  /** @default systemClock */
  clock?: Clock
  /** Receives every event, including those raised while opening (before `on` can be called). */
  onEvent?: StateEventListener
  /**
   * Awaited at every open with the tasks found in progress (maybe none), before they go back to
   * pending, so interrupted writes to the tree can be repaired first. Tasks it names in `hold` are
   * not re-run: they end as `needs_review` with the reason given. If it throws, open fails and the
   * lock is released.
   */
  beforeRequeue?: (
    tasks: readonly Task[],
  ) => Promise<RecoveryDecision | void> | RecoveryDecision | void
  /** A lock not refreshed for this long is taken over. proper-lockfile's minimum is 2000. @default 10_000 */
  staleMs?: number
  /** How often the lock is refreshed; at most staleMs / 2. @default 5_000 */
  updateMs?: number
  /** @default DEFAULT_QUEUE_LIMITS (50 completed, 50 failed) */
  queueLimits?: QueueLimits
}

/** What the start-up repair decided about the tasks found in progress. */
export interface RecoveryDecision {
  /** Tasks held for review instead of returned to pending, with the reason the user reads. */
  hold?: { id: string; reason: string }[]
}

/** update() after the lock was lost. */
export class StateCompromisedError extends Error {
  override readonly name = 'StateCompromisedError'
  readonly code = 'ECOMPROMISED'
}

/** A mutator produced a state that fails the schema or the queue invariants; nothing was written. */
export class StateValidationError extends Error {
  override readonly name = 'StateValidationError'
  readonly code = 'EINVALIDSTATE'
}

export type PeekResult = {
  file: string
  /** The Fixloop holding the project's lock (pid null if it cannot be told), or null if none. */
  running: { pid: number | null } | null
  /**
   * null when the file is missing, unusable or damaged (peek never repairs: the next open salvages
   * a damaged file, and `problem` says what it will keep).
   */
  state: StateFile | null
  /** Why `state` is null although the file exists. */
  problem: string | null
  /** Set when the file is in the seed's format (shown migrated, not rewritten). */
  migratedFrom: string | null
}

interface Job {
  mutator: (draft: StateFile) => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

export class StateStore {
  private current: StateFile
  private jobs: Job[] = []
  private flushing: Promise<void> | null = null
  /** Removal of task files of tasks that left the state (best effort; awaited by close). */
  private cleanup: Promise<unknown> = Promise.resolve()
  private readonly json = new StateJson()
  /** Where `last_heartbeat`'s value is in `state.json` as last written, or null if unknown. */
  private heartbeatOffset: number | null = null
  private tasksDirReady = false
  /**
   * Ids of tasks whose record is not in a file yet (a state read in the older all-in-one form, a
   * migrated or salvaged one): the first write puts them there, before `state.json` drops them.
   */
  private unfiled = new Set<string>()
  /** Rider sections changed in memory, not yet in `state.json` (see RIDER_SECTIONS). */
  private riders: ReturnType<typeof setTimeout> | null = null
  /** Set by the riders' timer: the next write rewrites `state.json` even if nothing else changed. */
  private forceStateFile = false
  readonly tasksDir: string
  private closing = false
  private writeError: string | null = null
  private closed: Promise<void> | undefined
  private lost: StateCompromisedError | null = null
  private readonly emitter: StateEmitter

  private constructor(
    readonly paths: StatePaths,
    private readonly lock: ProjectLock,
    private readonly clock: Clock,
    private readonly queueLimits: QueueLimits,
    emitter: StateEmitter,
    initial: StateFile,
  ) {
    this.emitter = emitter
    this.current = deepFreeze(initial)
    this.tasksDir = tasksDirFor(paths.stateFile)
  }

  /**
   * Takes the project's lock and loads its state, repairing what it must. Throws
   * AlreadyRunningError when another live process holds the lock.
   */
  static async open(options: StateStoreOptions): Promise<StateStore> {
    const staleMs = options.staleMs ?? 10_000
    const updateMs = options.updateMs ?? 5_000
    if (!(staleMs >= 2_000)) throw new RangeError(`staleMs must be at least 2000 (got ${staleMs})`)
    if (!(updateMs >= 1_000 && updateMs <= staleMs / 2)) {
      throw new RangeError(`updateMs must be between 1000 and staleMs / 2 (got ${updateMs})`)
    }
    const clock = options.clock ?? systemClock
    const queueLimits = options.queueLimits ?? DEFAULT_QUEUE_LIMITS
    const paths = resolveStatePaths(options)
    const emitter = new StateEmitter(options.onEvent)

    await prepareDataDir(paths)
    let store: StateStore | undefined
    let earlyLoss: Error | undefined
    const lock = await acquireProjectLock({
      projectRoot: paths.projectRoot,
      target: paths.stateFile,
      lockFile: paths.lockFile,
      staleMs,
      updateMs,
      onCompromised: (error) => (store ? store.handleCompromised(error) : (earlyLoss = error)),
      onTakeover: (previous) =>
        emitter.emit('lock-taken-over', { lockFile: paths.lockFile, previousPid: previous.pid }),
    })
    try {
      await removeLeftoverTemps(paths.stateFile)
      const state = await loadAndRepair(paths, clock, emitter)
      const decision = await options.beforeRequeue?.(structuredClone(state.queues.in_progress))
      const now = isoNow(clock)
      const held: string[] = []
      for (const { id, reason } of decision?.hold ?? []) {
        if (!state.queues.in_progress.some((t) => t.id === id)) continue
        complete(state.queues, id, { outcome: 'needs_review', failureReason: reason }, { now })
        held.push(id)
      }
      if (state.queues.in_progress.length > 0 || held.length > 0) {
        const { moved, absorbed } = requeueInProgress(state.queues, { now })
        emitter.emit('recovered', {
          tasks: moved.map((t) => ({ id: t.id, files: [...t.files] })),
          merged: absorbed,
          held,
        })
      }
      store = new StateStore(paths, lock, clock, queueLimits, emitter, state)
      const filed = await listTaskFileIds(store.tasksDir)
      for (const task of taskIndex(state.queues).values())
        if (isStub(task) && !filed.has(task.id)) store.unfiled.add(task.id)
      // Lost while loading: the first write below then refuses, and open fails with the reason.
      if (earlyLoss) store.handleCompromised(earlyLoss)
      await store.schedule((draft) => {
        const now = isoNow(clock)
        draft.processes.orchestrator = { status: 'starting', pid: process.pid, last_heartbeat: now }
        draft.stats.firstStartedAt ??= now
      })
      // Files of tasks that are gone (a crash between a write and its clean-up), and temp files.
      await removeTaskFiles(store.tasksDir, new Set(taskIndex(store.state.queues).keys()))
      return store
    } catch (error) {
      await lock.release()
      throw error
    }
  }

  /**
   * Reads a project's state without taking the lock (for `fixloop status`). A missing file is not
   * an error; an unusable one is reported, not repaired.
   */
  static async peek(
    projectRootOrFile: string,
    options: { stateFile?: string; lockFile?: string; clock?: Clock } = {},
  ): Promise<PeekResult> {
    const isFile = projectRootOrFile.endsWith('.json')
    const paths = resolveStatePaths(
      isFile
        ? { projectRoot: dirname(projectRootOrFile), stateFile: projectRootOrFile, ...options }
        : { projectRoot: projectRootOrFile, ...options },
    )
    const file = paths.stateFile
    const running = await lockHolder(paths.lockFile)
    const none = { file, running, state: null, problem: null, migratedFrom: null }
    const now = isoNow(options.clock)
    const outcome = await loadStateFile(file, { projectRoot: paths.projectRoot, now })
    if (outcome.kind === 'unusable') return { ...none, problem: outcome.reason }
    if (outcome.kind === 'salvaged') {
      return { ...none, problem: `${outcome.reason}; ${describeSalvageBrief(outcome.report)}` }
    }
    if (outcome.kind === 'missing') return none
    return {
      ...none,
      state: outcome.state,
      migratedFrom: outcome.kind === 'seed' ? outcome.from : null,
    }
  }

  /**
   * The state as last written: frozen (what a write added is frozen as it is written); each write
   * gives a new object that shares what the write did not change.
   */
  get state(): StateFile {
    return this.current
  }

  /**
   * Why the last write to disk failed (a full disk, say), until `state.json` is written again. An
   * update that is only in memory (RIDER_SECTIONS) does not clear it.
   */
  get lastWriteError(): string | null {
    return this.writeError
  }

  /** Whether the lock was lost; if so, `update` rejects and nothing more is written. */
  get compromised(): boolean {
    return this.lost !== null
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends StateEventName>(name: K, listener: (payload: StateEvents[K]) => void): () => void {
    return this.emitter.on(name, listener)
  }

  /**
   * Applies `mutator` to a draft of the state and writes what changed. Updates run one at a time,
   * in the order they were called; those called while a write is on its way are written together.
   * The mutator must be synchronous; what it returns is resolved once the write is on disk, except
   * for a change that touches only the history, test results, counters, spend or last health check
   * (RIDER_SECTIONS): that one is in `state` at once and reaches the disk with the next write, at
   * most RIDER_DELAY_MS later (a crash in that second loses it). If the mutator throws, or its
   * result fails validation, nothing is written and the promise rejects.
   */
  update<R>(mutator: (draft: StateFile) => R): Promise<R> {
    if (this.closing) {
      return Promise.reject(new Error(`The state store for ${this.paths.projectRoot} is closed.`))
    }
    return this.schedule(mutator)
  }

  /** A queue context whose sequence numbers come from (and advance) `draft.seq`. */
  queueContext(draft: StateFile): QueueContext {
    return { now: isoNow(this.clock), nextSeq: () => draft.seq++ }
  }

  /**
   * Waits for queued writes, records the orchestrator as stopped and releases the lock. Calling it
   * again returns the same promise.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true
      await this.flushing
      if (!this.lost) {
        await this.schedule((draft) => {
          draft.processes.orchestrator.status = 'stopped'
          draft.processes.orchestrator.last_heartbeat = isoNow(this.clock)
        }).catch(() => {})
      }
      if (this.riders) clearTimeout(this.riders)
      this.riders = null
      await this.cleanup
      await this.lock.release()
    })()
    return this.closed
  }

  /** Queues a write behind the others; also used by open and close, which bypass `closing`. */
  private schedule<R>(mutator: (draft: StateFile) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.jobs.push({ mutator, resolve: resolve as (value: unknown) => void, reject })
      this.flushing ??= this.flush()
    })
  }

  /** Writes queued updates until none is left; those queued during a write go in the next one. */
  private async flush(): Promise<void> {
    try {
      // Updates asked for in the same turn share a write.
      await Promise.resolve()
      while (this.jobs.length > 0) await this.commit(this.jobs.splice(0))
    } finally {
      this.flushing = null
    }
  }

  private async commit(batch: Job[]): Promise<void> {
    if (this.lost) return batch.forEach((job) => job.reject(this.lost))
    const base = this.current
    let next = base
    const done: { job: Job; result: unknown }[] = []
    for (const job of batch) {
      try {
        const produced = this.produce(next, job.mutator)
        next = produced.state
        done.push({ job, result: produced.result })
      } catch (error) {
        job.reject(error)
      }
    }
    if (done.length === 0) return
    try {
      if (next !== base || this.forceStateFile) await this.persist(base, next)
    } catch (error) {
      if (!(error instanceof StateCompromisedError)) this.writeError = (error as Error).message
      return done.forEach(({ job }) => job.reject(error))
    }
    for (const { job, result } of done) job.resolve(result)
  }

  /** Runs one mutator on a draft of `prev`, applies the limits and validates what changed. */
  private produce(prev: StateFile, mutator: (draft: StateFile) => unknown) {
    const draft = createDraft(prev)
    let result = mutator(draft)
    if (result instanceof Promise) {
      throw new TypeError('StateStore.update mutators must be synchronous; await before updating.')
    }
    // A draft returned by the mutator is revoked once finished: hand back a plain copy instead.
    result = detach(result)
    const candidate = finishDraft(draft) as StateFile
    if (candidate === prev) return { state: prev, result }
    const changed = changedFinished(prev, candidate)
    const clip = (id: string) => changed.has(id)
    // Drafted only when something is over a limit: walking every finished task through a draft
    // costs more than the rest of a write.
    const state = limitsNeeded(candidate, this.queueLimits, clip)
      ? produce(candidate, (d) => applyStateLimits(d, this.queueLimits, clip))
      : candidate
    const problem = validateChange(prev, state, this.queueLimits)
    if (problem) throw new StateValidationError(`Refused to save an invalid state: ${problem}`)
    return { state, result }
  }

  /** Puts `next` on disk, given that `prev` is there, writing only what changed. */
  private async persist(prev: StateFile, next: StateFile): Promise<void> {
    const plan = planWrite(prev, next)
    const started = performance.now()
    const forced = this.forceStateFile
    if (forced) {
      plan.stateFile = true
      plan.ridersOnly = false
      this.forceStateFile = false
    } else if (plan.ridersOnly && !this.closing) {
      // History, counters, spend: written with the next write that must happen, or soon.
      plan.stateFile = false
      this.riders ??= setTimeout(() => {
        this.riders = null
        this.forceStateFile = true
        this.schedule(() => {}).catch(() => {})
      }, RIDER_DELAY_MS)
      this.riders.unref?.()
    }
    if (plan.stateFile && !forced && !this.riders && this.onlyHeartbeatMoved(prev, next)) {
      await this.writeHeartbeat(next.processes.orchestrator.last_heartbeat!)
      this.current = next
      this.emitter.emit('written', {
        generation: next.generation,
        bytes: 0,
        durationMs: performance.now() - started,
        stateFile: false,
        taskFiles: 0,
        inPlace: true,
      })
      return
    }
    // The lock may have been lost while the mutator ran; never write over another owner's files.
    if (this.lost) throw this.lost
    if (this.unfiled.size) {
      const planned = new Set(plan.records.map((t) => t.id))
      for (const [id, task] of taskIndex(next.queues))
        if (this.unfiled.has(id) && !planned.has(id) && isStub(task)) plan.records.push(task)
    }
    await this.writeRecords(plan)
    this.unfiled.clear()
    let bytes = 0
    if (plan.stateFile) {
      next = Object.freeze({
        ...next,
        generation: prev.generation + 1,
        timestamp: isoNow(this.clock),
      })
      const rendered = this.json.render(next)
      if (this.lost) throw this.lost
      await writeFileAtomic(this.paths.stateFile, rendered.json)
      this.heartbeatOffset = rendered.heartbeatOffset
      bytes = rendered.bytes
      this.writeError = null
      if (this.riders) clearTimeout(this.riders)
      this.riders = null
    }
    this.current = next
    if (plan.removed.length) {
      const ids = plan.removed
      this.cleanup = this.cleanup.then(() => unlinkTaskFiles(this.tasksDir, ids))
    }
    this.emitter.emit('written', {
      generation: next.generation,
      bytes,
      durationMs: performance.now() - started,
      stateFile: plan.stateFile,
      taskFiles: plan.records.length,
      changed: plan.changed,
    })
  }

  private async writeRecords(plan: WritePlan): Promise<void> {
    if (plan.records.length === 0) return
    if (!this.tasksDirReady) {
      await ensureTasksDir(this.tasksDir)
      this.tasksDirReady = true
    }
    await Promise.all(plan.records.map((task) => writeTaskFile(this.tasksDir, task)))
  }

  /** Whether the only change is the orchestrator's heartbeat, and the file can take it in place. */
  private onlyHeartbeatMoved(prev: StateFile, next: StateFile): boolean {
    if (this.heartbeatOffset === null) return false
    for (const key of Object.keys(next) as (keyof StateFile)[]) {
      if (key !== 'processes' && prev[key] !== next[key]) return false
    }
    const a = prev.processes.orchestrator
    const b = next.processes.orchestrator
    return (
      a.status === b.status &&
      a.pid === b.pid &&
      a.last_heartbeat !== null &&
      b.last_heartbeat !== null &&
      a.last_heartbeat !== b.last_heartbeat &&
      a.last_heartbeat.length === b.last_heartbeat.length &&
      Buffer.byteLength(b.last_heartbeat) === b.last_heartbeat.length
    )
  }

  /**
   * Overwrites the heartbeat's characters in `state.json`. They are within the file's first sector,
   * which a disk writes whole, so a crash leaves the old time or the new one. Not synced: a
   * heartbeat lost to a power cut only makes the last one look older.
   */
  private async writeHeartbeat(at: string): Promise<void> {
    if (this.lost) throw this.lost
    const handle = await openFile(this.paths.stateFile, 'r+')
    try {
      await handle.write(at, this.heartbeatOffset!, 'utf8')
    } finally {
      await handle.close()
    }
  }

  private handleCompromised(error: Error): void {
    if (this.lost) return
    const reason = error.message
    this.lost = new StateCompromisedError(
      `Fixloop lost its lock on ${this.paths.projectRoot} (${reason}). It stopped saving state so ` +
        'it cannot overwrite another instance; restart Fixloop to continue.',
    )
    const message = this.lost.message
    // Never let this throw: it runs inside proper-lockfile's timer.
    void this.reread()
      .catch(() => false)
      .then((reloaded) => this.emitter.emit('compromised', { reason, message, reloaded }))
  }

  /** After losing the lock: show what is on disk now, if it is a valid state. */
  private async reread(): Promise<boolean> {
    const outcome = await loadStateFile(this.paths.stateFile, {
      projectRoot: this.paths.projectRoot,
      now: isoNow(this.clock),
    })
    if (outcome.kind !== 'current') return false
    this.current = deepFreeze(outcome.state)
    this.heartbeatOffset = null
    return true
  }
}

async function prepareDataDir(paths: StatePaths): Promise<void> {
  // Creating a mistyped project folder (and a .fixloop inside it) would hide the mistake.
  const root = await stat(paths.projectRoot).catch(() => null)
  if (!root?.isDirectory()) {
    throw new Error(`The project folder ${paths.projectRoot} does not exist or is not a folder.`)
  }
  await assertRealDataDir(paths.projectRoot)
  await mkdir(paths.dataDir, { recursive: true })
  // The folder is ours: keep it out of the project's git without touching its .gitignore.
  await writeFile(join(paths.dataDir, '.gitignore'), '*\n', { flag: 'wx' }).catch((error) => {
    if (!isCode(error, 'EEXIST')) throw error
  })
  await mkdir(dirname(paths.stateFile), { recursive: true })
  await mkdir(dirname(paths.lockFile), { recursive: true })
}

async function loadAndRepair(
  paths: StatePaths,
  clock: Clock,
  emitter: StateEmitter,
): Promise<StateFile> {
  const file = paths.stateFile
  const now = isoNow(clock)
  const outcome = await loadStateFile(file, { projectRoot: paths.projectRoot, now })
  switch (outcome.kind) {
    case 'missing':
      emitter.emit('created', { file })
      return freshState(now)
    case 'current':
      if (outcome.lostRecords?.length)
        emitter.emit('records-lost', { file, ids: outcome.lostRecords })
      return outcome.state
    case 'seed': {
      const backup = await copyAside(file, 'seed-backup', now)
      const { tasks, merged, dropped, from } = outcome
      emitter.emit('migrated', { file, from, tasks, merged, dropped, backup })
      return outcome.state
    }
    case 'salvaged': {
      // Copied, not moved: until the salvaged state is written over it, a crash leaves the damaged
      // file where it was, to be salvaged again (a missing file would start a fresh state).
      const movedTo = await copyAside(file, 'corrupt', now)
      emitter.emit('corrupt', { file, movedTo, reason: outcome.reason, salvaged: outcome.report })
      if (outcome.lostRecords?.length)
        emitter.emit('records-lost', { file, ids: outcome.lostRecords })
      return outcome.state
    }
    case 'unusable': {
      const movedTo = await moveAside(file, 'corrupt', now)
      emitter.emit('corrupt', { file, movedTo, reason: outcome.reason })
      return freshState(now)
    }
  }
}

/**
 * What a mutator returned, with drafts in it (itself, or the items or values one level down)
 * replaced by plain copies, since drafts are revoked when the write is finished.
 */
function detach<R>(value: R): R {
  if (isDraft(value)) return currentOf(value as object) as R
  if (Array.isArray(value)) {
    return (value.some(isDraft) ? value.map((v) => (isDraft(v) ? currentOf(v) : v)) : value) as R
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    let copy: Record<string, unknown> | null = null
    for (const [key, v] of Object.entries(value)) {
      if (!isDraft(v)) continue
      copy ??= { ...(value as Record<string, unknown>) }
      copy[key] = currentOf(v)
    }
    return (copy ?? value) as R
  }
  return value
}
