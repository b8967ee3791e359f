/**
 * The orchestrator ties the watcher, the checks, the queue, the state file and the fix pipeline into
 * a running service. It is event-driven: a change batch is queued, `pump()` takes work while there is
 * room, and a finished task pumps again. No loop polls.
 */
import { EventEmitter } from 'node:events'
import { basename } from 'node:path'
import type {
  Activity,
  EngineSnapshot,
  EngineStatus,
  EscalationChannel,
  EscalationRecord,
  Health,
  Task,
  Usage,
} from '../../../shared/domain'
import { EMPTY_USAGE } from '../../../shared/domain'
import type { SecretName, Settings, SettingsPatch } from '../../../shared/settings'
import { Settings as SettingsSchema } from '../../../shared/settings'
import type { RunnerInfo } from '../checks'
import { checksHealth } from '../checks'
import type { ClaudeClient } from '../claude/client'
import { createClaudeClient } from '../claude/client'
import { ClaudeAuthError, ClaudeModelError } from '../claude/errors'
import { addUsage } from '../claude/pricing'
import type { LoadedConfig, Secrets } from '../config/load-config'
import type { DesktopNotifier, Escalator } from '../escalate'
import { createEscalator } from '../escalate'
import { currentBreakers } from '../fix/breaker'
import { dayKey } from '../fix/budget'
import { Logger } from '../log/logger'
import { enqueue, requeueInProgress, takeNext } from '../queue'
import { ApiOutage } from './api-outage'
import { Churn, burstTimes } from './churn'
import type { StateEventName, StateEvents, StateFile } from '../state'
import { StateStore } from '../state'
import { createRedactor } from '../util/redact'
import type { Clock } from '../util/clock'
import { every, isoNow, systemClock } from '../util/clock'
import type { WatchBatch, Watcher } from '../watch/watcher'
import { OwnWrites } from '../watch/own-writes'
import { ChangeLog } from '../watch/change-log'
import { EngineError } from './engine-error'
import { stateEscalationMemory } from './escalation-memory'
import { apiKeyHealth, assessHealth, fixerHealth, stateHealth, watcherHealth } from './health'
import { describeStateEvent } from './state-event-messages'
import { SessionStats } from './session-stats'
import { findTask, summarizeQueues } from './snapshot'
import { pruneJournals, recoverInterrupted } from './journal-upkeep'
import { createProjectWatcher, taskFiles } from './project-watcher'
import { withoutSecretValues } from '../checks'
import type { Isolation } from './isolation'
import { createIsolation } from './isolation'
import { describeFiles } from './pipeline/words'
import { runTask } from './pipeline/run-task'
import {
  approveTask,
  cancelTask,
  rejectTask,
  resetBreakerOf,
  retryTask,
  undoTask,
} from './task-commands'
import type { TaskCommandContext } from './task-commands'

export interface OrchestratorOptions {
  config: LoadedConfig
  /** @default systemClock */
  clock?: Clock
  /** @default Math.random */
  random?: () => number
  /** Shows escalations on the desktop; the CLI prints them. @default none */
  notifier?: DesktopNotifier | null
  /** For the escalation channels. @default globalThis.fetch */
  fetch?: typeof fetch
  /** @default 'https://api.github.com' */
  githubBaseUrl?: string
  /** A client to use instead of one made from the API key (tests inject one with fake timers). */
  claudeClient?: ClaudeClient
  /** @default 30 s */
  heartbeatMs?: number
  /** @default 5 min */
  healthMs?: number
  /** How long stop() lets a running task finish before aborting it. @default 30 s */
  shutdownTimeoutMs?: number
  /**
   * Where the shadow workspaces live. @default `FIXLOOP_CACHE_DIR`, else the OS cache folder + fixloop
   */
  cacheDir?: string
  /** Called when settings change through a command, to keep them (CLI: .fixloop/settings.json). */
  persistSettings?: (settings: Settings) => Promise<void> | void
  /** Called when a secret changes through a command (Electron: safeStorage). */
  persistSecret?: (name: SecretName, value: string | null) => Promise<void> | void
  logger?: Logger
}

/** Events of the running engine, richer than the contract's (the CLI's --json prints them). */
export interface OrchestratorEvents {
  ready: [{ projectRoot: string; backend: string | null }]
  change: [{ files: string[]; deleted: string[]; kind: Task['kind'] }]
  task_created: [Task]
  task_updated: [Task]
  task_completed: [Task]
  task_failed: [Task]
  escalated: [{ taskId: string | null; record: EscalationRecord }]
  heartbeat: [{ at: string }]
  health: [Health]
  snapshot: [EngineSnapshot]
  notice: [{ level: 'info' | 'warn' | 'error'; title: string; body: string; taskId: string | null }]
  stopped: [{ stats: EngineSnapshot['stats'] }]
}

interface Active {
  task: Task
  abort: AbortController
  done: Promise<void>
}

export class Orchestrator extends EventEmitter<OrchestratorEvents> {
  readonly root: string
  readonly log: Logger
  readonly ownWrites = new OwnWrites()
  readonly #options: OrchestratorOptions
  readonly #clock: Clock
  readonly #stats: SessionStats
  #settings: Settings
  #secrets: Secrets
  #store: StateStore | null = null
  #watcher: Watcher | null = null
  #escalator: Escalator
  #client: ClaudeClient | null = null
  #keyRejected: string | null = null
  #runner: RunnerInfo | null = null
  /** The shadow workspaces and the OS sandbox: where every check and every fix runs. */
  #isolation: Isolation | null = null
  /** Settings it depends on changed: rebuilt before the next task, once none is running. */
  #isolationStale = false
  #runnerProblem: string | null = null
  #status: EngineStatus = 'stopped'
  #pausedReason: string | null = null
  /** An API outage holds new work (tasks go back to pending, uncounted) until it is over. */
  readonly #outage: ApiOutage
  /** Pending tasks that keep absorbing changes (a burst of saves), held until their files are quiet. */
  readonly #churn: Churn
  #health: Health | null = null
  #lastHeartbeat: string | null = null
  readonly #active = new Map<string, Active>()
  /** Disposers of the heartbeat and health timers. */
  #timers: (() => void)[] = []
  #snapshotQueued = false
  #writeError: string | null = null
  /** Aborted when stop() gives up waiting, so escalations in flight end too. */
  #shutdown = new AbortController()
  /** When each file last changed, across watcher restarts: the gate waits for quiet files. */
  readonly #changes: ChangeLog
  /** Aborted on pause and stop: a task waiting at the gate for quiet files goes back to pending. */
  #intake = new AbortController()

  constructor(options: OrchestratorOptions) {
    super()
    this.#options = options
    this.root = options.config.projectRoot
    this.#clock = options.clock ?? systemClock
    this.#settings = options.config.settings
    this.#secrets = { ...options.config.secrets }
    this.#stats = new SessionStats(this.#clock)
    this.#outage = new ApiOutage(this.#clock, () => this.#pump())
    this.#churn = new Churn(this.#clock, () => this.#pump())
    this.#changes = new ChangeLog({ clock: this.#clock })
    this.log = options.logger ?? new Logger({ clock: this.#clock })
    this.#escalator = createEscalator({
      settings: this.#settings.escalation,
      secrets: this.#secrets,
      desktop: options.notifier ?? null,
      fetch: options.fetch,
      githubBaseUrl: options.githubBaseUrl,
      clock: this.#clock,
      random: options.random,
      project: basename(this.root),
      memory: stateEscalationMemory(
        () => this.#store?.state ?? null,
        (fn) => this.#write(fn),
      ),
      log: (e) => this.log.log(e.level, e.message, { taskId: e.taskId, source: 'escalate' }),
    })
    this.log.setRedactor(this.#redactor())
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  get status(): EngineStatus {
    return this.#status
  }

  get settings(): Settings {
    return this.#settings
  }

  /** Takes the project's lock, repairs state, starts watching. Throws AlreadyRunningError. */
  async start(): Promise<void> {
    if (this.#status !== 'stopped') throw new EngineError('conflict', `Fixloop is ${this.#status}.`)
    this.#status = 'starting'
    this.#shutdown = new AbortController()
    this.#intake = new AbortController()
    const config = this.#options.config
    this.#store = await StateStore.open({
      projectRoot: this.root,
      stateFile: config.stateFile,
      lockFile: config.lockFile,
      clock: this.#clock,
      onEvent: (name, payload) => this.#onStateEvent(name, payload),
      beforeRequeue: (tasks) => recoverInterrupted(this.root, tasks, this.ownWrites, this.log),
    })
    this.#stats.start()
    if (this.#store) await pruneJournals(this.root, this.#store.state.queues, this.log)
    try {
      this.#isolation = await this.#createIsolation()
    } catch (error) {
      await this.#store?.close()
      this.#store = null
      this.#status = 'stopped'
      throw error
    }
    this.#refreshRunner()
    this.#startWatcher()
    await this.#watcher?.start()
    await this.#write((s) => {
      s.processes.orchestrator.status = 'running'
    })
    this.#status = 'running'
    this.#scheduleTimers()
    void this.#heartbeat()
    void this.#checkModel()
    const backend = this.#watcher?.status().backend ?? null
    this.log.info(`Watching ${this.root} (${backend ?? 'no'} watcher)`, { source: 'engine' })
    this.log.info(
      this.#settings.autoFix ? 'Auto-fix: enabled' : 'Auto-fix: disabled (detect and report only)',
    )
    this.emit('ready', { projectRoot: this.root, backend })
    // After ready, not before: until the walk is done, choosing tests walks the tree as it did.
    this.#isolation?.indexFiles()
    void this.#afterSandboxProbe()
    this.#emitSnapshot()
    this.#pump()
  }

  /**
   * What the sandbox's probe found, once it has settled (start does not wait for it, and no work is
   * taken before): with `sandbox: required` and none that works, nothing may run until that is
   * settled. Then the first health check, which reports the sandbox.
   */
  async #afterSandboxProbe(): Promise<void> {
    const isolation = this.#isolation
    await isolation?.sandboxReady
    if (this.#status === 'stopping' || this.#status === 'stopped') return
    const unavailable = isolation === this.#isolation ? isolation?.unavailable : null
    if (unavailable && this.#status === 'running') {
      this.#notice('error', 'Checks cannot run', unavailable, null)
      this.pause(unavailable)
    }
    await this.checkHealth()
  }

  /**
   * Stops intake, flushes the watcher (its last changes are queued, not dropped), lets running tasks
   * finish up to the shutdown timeout, then aborts them (their edits are rolled back and they return
   * to pending). Records the status `stopped` and releases the lock.
   */
  async stop(): Promise<EngineSnapshot['stats']> {
    if (this.#status === 'stopped' || this.#status === 'stopping') return this.#statsSnapshot()
    this.#status = 'stopping'
    // A running task may be waiting on nothing but unref'd timers (a retry or backoff sleep): this
    // holds the event loop open until the task is aborted, rolled back and requeued and the lock is
    // released, so the process cannot end half-way through shutting down.
    const hold = setInterval(() => undefined, 60_000)
    try {
      return await this.#stopNow()
    } finally {
      clearInterval(hold)
    }
  }

  async #stopNow(): Promise<EngineSnapshot['stats']> {
    for (const dispose of this.#timers) dispose()
    this.#timers = []
    this.#intake.abort(new Error('Fixloop is stopping'))
    this.#outage.dispose()
    this.#churn.dispose()
    this.log.info('Stopping: no new work is taken', { source: 'engine' })
    try {
      await this.#watcher?.stop()
    } catch (error) {
      this.log.warn(`Watcher did not stop cleanly: ${(error as Error).message}`)
    }
    if (this.#active.size > 0) {
      const timeout = this.#options.shutdownTimeoutMs ?? 30_000
      this.log.info(`Waiting up to ${timeout / 1000} s for ${this.#active.size} running task(s)`)
      const all = Promise.all([...this.#active.values()].map((a) => a.done))
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((resolve) => {
          const t = this.#clock.setTimeout(() => resolve(true), timeout)
          t.unref?.()
        }),
      ])
      if (timedOut) {
        this.log.warn('Shutdown timeout: aborting running tasks and rolling back their edits')
        for (const a of this.#active.values()) a.abort.abort(new Error('Fixloop is stopping'))
        this.#shutdown.abort(new Error('Fixloop is stopping'))
        await all
      }
    }
    // Aborted tasks had their edits rolled back; they go back to pending so nothing is lost.
    if (this.#store && this.#store.state.queues.in_progress.length > 0) {
      await this.#write((s) => requeueInProgress(s.queues, { now: isoNow(this.#clock) })).catch(
        () => undefined,
      )
    }
    const stats = this.#statsSnapshot()
    await this.#isolation?.dispose().catch(() => undefined)
    this.#isolation = null
    await this.#store?.close()
    this.#store = null
    this.#status = 'stopped'
    this.emit('stopped', { stats })
    return stats
  }

  /** Keeps watching and queuing but takes no new work. A running task finishes. */
  pause(reason = 'Paused by the user'): void {
    if (this.#status !== 'running' && this.#status !== 'paused') {
      throw new EngineError('conflict', `Cannot pause: Fixloop is ${this.#status}.`)
    }
    this.#status = 'paused'
    this.#pausedReason = reason
    this.#intake.abort(new Error(reason))
    this.log.warn(`Paused: ${reason}`, { source: 'engine' })
    // Not awaited, never unhandled: with the lock lost this write is refused, and that is said.
    this.#write((s) => {
      s.processes.orchestrator.status = 'paused'
    }).catch(() => undefined)
    this.#emitSnapshot()
  }

  resume(): void {
    if (this.#status !== 'paused') return
    const unavailable = this.#isolation?.unavailable
    if (unavailable) throw new EngineError('conflict', `Cannot resume: ${unavailable}`)
    this.#status = 'running'
    this.#pausedReason = null
    this.#keyRejected = null
    this.#intake = new AbortController()
    this.log.info('Resumed', { source: 'engine' })
    this.#write((s) => {
      s.processes.orchestrator.status = 'running'
    }).catch(() => undefined)
    this.#emitSnapshot()
    this.#pump()
  }

  // ── intake ───────────────────────────────────────────────────────────────────────────────────

  /** Queues a change (the watcher calls this; so can a command or a test). */
  async enqueueChange(
    batch: Pick<WatchBatch, 'files' | 'deleted' | 'kind'> & Partial<Pick<WatchBatch, 'reason'>>,
  ): Promise<Task | null> {
    if (!this.#store || batch.files.length === 0) return null
    this.emit('change', { files: batch.files, deleted: batch.deleted, kind: batch.kind })
    const files = batch.files
    this.#churn.noteBatch(files, batch.reason, burstTimes(this.#settings))
    const queued = this.#write((s) => {
      const ctx = this.#store!.queueContext(s)
      const r = enqueue(s.queues, { files, kind: batch.kind }, ctx)
      s.conversation_history.push({
        timestamp: ctx.now,
        type: r.merged ? 'task_merged' : 'task_created',
        task_id: r.task.id,
        files,
      })
      return r
    })
    // Asked for in the same turn, the take shares the enqueue's state write.
    this.#pump()
    const { task, merged } = await queued
    this.log.info(
      merged
        ? `Change to ${describeFiles(files)} merged into pending task ${task.id}`
        : `Change detected: ${describeFiles(files)} → task ${task.id}`,
      { taskId: task.id, source: 'watcher' },
    )
    this.emit(merged ? 'task_updated' : 'task_created', task)
    this.#emitSnapshot()
    this.#pump()
    return task
  }

  #pumping = false
  #pumpAgain = false

  /** Takes pending work while there is room. Serialised: one taker at a time. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true
      return
    }
    this.#pumping = true
    void this.#take()
      .catch((error: unknown) => this.log.error(`Could not take work: ${(error as Error).message}`))
      .finally(() => {
        this.#pumping = false
        if (this.#pumpAgain) {
          this.#pumpAgain = false
          this.#pump()
        }
      })
  }

  async #take(): Promise<void> {
    if (this.#isolationStale && this.#active.size === 0) await this.#rebuildIsolation()
    await this.#isolation?.sandboxReady
    while (
      !this.#outage.holding() &&
      !this.#isolationStale &&
      !this.#isolation?.unavailable &&
      this.#status === 'running' &&
      this.#store &&
      this.#active.size < this.#settings.concurrency
    ) {
      const store = this.#store
      // Judged on the draft, which holds writes queued but not yet on disk (a change just
      // queued). When nothing can start the state is unchanged, and the store writes nothing.
      const task = await this.#write((s) => {
        const busy = new Set([...this.#active.values()].flatMap((a) => a.task.files))
        for (const file of this.#churn.heldFiles(s.queues.pending)) busy.add(file)
        return takeNext(s.queues, store.queueContext(s), { busyFiles: busy })
      })
      if (!task) return
      this.#start(task)
    }
  }

  #start(task: Task): void {
    const abort = new AbortController()
    const active: Active = { task, abort, done: Promise.resolve() }
    this.#active.set(task.id, active)
    this.emit('task_updated', task)
    this.#emitSnapshot()
    active.done = this.#runTask(task, abort.signal, (t) => (active.task = t))
      .catch((error: unknown) => {
        this.log.error(`Task ${task.id} could not run: ${(error as Error).message}`, {
          taskId: task.id,
        })
      })
      .finally(() => {
        this.#active.delete(task.id)
        this.#emitSnapshot()
        this.#pump()
      })
  }

  async #runTask(task: Task, signal: AbortSignal, track: (t: Task) => void): Promise<void> {
    const isolation = this.#isolation
    if (!isolation) throw new EngineError('unavailable', 'Fixloop is not running on a project.')
    await runTask(task, signal, {
      root: this.root,
      settings: this.#settings,
      clock: this.#clock,
      random: this.#options.random,
      log: this.log,
      ownWrites: this.ownWrites,
      runner: () => this.#runnerOrThrow(),
      client: () => this.#clientOrThrow(),
      workspaces: () => isolation.workspaces,
      baseline: () => isolation.baseline,
      sandbox: () => isolation.sandbox,
      files: () => isolation.files,
      warm: () => isolation.warm,
      changes: () => this.#changes,
      intake: () => this.#intake.signal,
      checkEnv: () => withoutSecretValues(process.env, Object.values(this.#secrets)),
      redact: this.#redactor(),
      store: { state: () => this.#store!.state, write: (fn) => this.#write(fn) },
      spend: { today: () => this.#spentToday(), add: (u) => this.#addUsage(u) },
      effects: {
        escalate: (t) => this.#escalate(t),
        pause: (reason, keyRejected) => {
          if (keyRejected) this.#keyRejected = reason
          if (this.#status === 'running') this.pause(reason)
          this.#notice('warn', 'Auto-fix paused', reason, task.id)
        },
        defer: (reason, retryAfterMs) => this.#deferForOutage(reason, retryAfterMs),
        apiAvailable: () => this.#apiAvailable(),
        notice: (level, title, body) => this.#notice(level, title, body, task.id),
        recordOutcome: (outcome, fixMs) => this.#stats.recordOutcome(outcome, fixMs),
        emitTask: (kind, t) => {
          track(t)
          this.emit(kind, t)
          this.#emitSnapshot()
        },
        activity: () => this.#emitSnapshot(),
      },
    })
  }

  // ── commands ─────────────────────────────────────────────────────────────────────────────────

  getTask(id: string): Task | null {
    return this.#store ? findTask(this.#store.state.queues, id) : null
  }

  retryTask(id: string): Promise<Task> {
    return retryTask(this.#tasks, id)
  }

  cancelTask(id: string): Promise<Task> {
    return cancelTask(this.#tasks, id)
  }

  undoTask(id: string): Promise<Task> {
    return undoTask(this.#tasks, id)
  }

  approveTask(id: string): Promise<Task> {
    return approveTask(this.#tasks, id)
  }

  rejectTask(id: string): Promise<Task> {
    return rejectTask(this.#tasks, id)
  }

  resetBreaker(file: string): Promise<void> {
    return resetBreakerOf(this.#tasks, file)
  }

  /** What the task commands need of the engine. */
  readonly #tasks: TaskCommandContext = {
    root: () => this.root,
    now: () => isoNow(this.#clock),
    log: () => this.log,
    ownWrites: () => this.ownWrites,
    getTask: (id) => this.getTask(id),
    command: (fn) => this.#command(fn),
    queueContext: (draft) => this.#store!.queueContext(draft),
    emitTask: (kind, task) => this.emit(kind, task),
    pump: () => this.#pump(),
    noteChanged: (paths) => this.#isolation?.workspaces.noteChanged(paths),
  }

  /** Validates and applies a settings change; refuses an invalid one with the field named. */
  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    // Nested groups (budgets, escalation, notifications) merge key by key.
    const merged: Record<string, unknown> = { ...this.#settings }
    for (const [key, value] of Object.entries(patch)) {
      const current = merged[key]
      merged[key] =
        isPlainObject(value) && isPlainObject(current) ? { ...current, ...value } : value
    }
    const parsed = SettingsSchema.safeParse(merged)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new EngineError(
        'conflict',
        `Setting ${issue?.path.join('.') || '?'} refused: ${issue?.message ?? 'invalid'}`,
      )
    }
    const before = this.#settings
    this.#settings = parsed.data
    this.#escalator.configure({ settings: this.#settings.escalation })
    if (patch.testCommand !== undefined || patch.extraChecks !== undefined) this.#refreshRunner()
    if (patch.model !== undefined && patch.model !== before.model) this.#client = null
    const watchKeys = [
      'ignore',
      'watchExtensions',
      'debounceSeconds',
      'checkDebounceSeconds',
      'maxWaitSeconds',
      'stormThreshold',
      'watchBackend',
    ] as const
    if (this.#watcher && watchKeys.some((k) => patch[k] !== undefined)) await this.#restartWatcher()
    // What the shadows mirror (ignore) and how checks are confined (sandbox) take effect from the
    // next task; one running now keeps what it started with.
    if (patch.ignore !== undefined || patch.sandbox !== undefined) {
      this.#isolationStale = true
      this.#pump()
    }
    await this.#options.persistSettings?.(this.#settings)
    this.log.info(`Settings changed: ${Object.keys(patch).join(', ')}`)
    this.#emitSnapshot()
    return this.#settings
  }

  secretStatus(): Record<SecretName, boolean> {
    return {
      anthropicApiKey: Boolean(this.#secrets.anthropicApiKey),
      githubToken: Boolean(this.#secrets.githubToken),
      slackWebhookUrl: Boolean(this.#secrets.slackWebhookUrl),
      emailWebhookUrl: Boolean(this.#secrets.emailWebhookUrl),
    }
  }

  async setSecret(name: SecretName, value: string | null): Promise<void> {
    const v = value?.trim() || undefined
    if ((name === 'slackWebhookUrl' || name === 'emailWebhookUrl') && v && !/^https?:\/\//i.test(v))
      throw new EngineError('conflict', `${name} must be an http(s) URL.`)
    // Saved first: a secret that could not be kept is not used either.
    await this.#options.persistSecret?.(name, v ?? null)
    this.#secrets = { ...this.#secrets, [name]: v }
    if (name === 'anthropicApiKey') {
      this.#client = null
      this.#keyRejected = null
    }
    this.#escalator.configure({ secrets: this.#secrets })
    this.log.setRedactor(this.#redactor())
    this.log.info(`Secret ${name} ${v ? 'set' : 'removed'}`)
  }

  testEscalation(channel: EscalationChannel): Promise<EscalationRecord> {
    return this.#escalator.testChannel(channel)
  }

  // ── health, heartbeat, snapshot ──────────────────────────────────────────────────────────────

  async checkHealth(): Promise<Health> {
    const store = this.#store
    const w = this.#watcher?.status()
    const key = this.#secrets.anthropicApiKey
    this.#refreshRunner()
    const health = await assessHealth({
      root: this.root,
      now: isoNow(this.#clock),
      state: stateHealth(store, store?.lastWriteError ?? this.#writeError),
      watcher: watcherHealth(w ?? null),
      checks: this.#runnerProblem
        ? { ok: false, detail: this.#runnerProblem }
        : { ok: true, detail: this.#runner?.description ?? 'test runner found' },
      apiKey: apiKeyHealth(
        this.#settings.autoFix,
        Boolean(key),
        this.#keyRejected,
        this.#settings.fixer,
      ),
      fixer: await fixerHealth(
        this.#settings.fixer,
        this.#settings.model,
        this.#outage.state,
        withoutSecretValues(process.env, Object.values(this.#secrets)),
      ),
      workspace: this.#isolation?.workspaceHealth() ?? { ok: false, detail: 'not prepared' },
      sandbox: this.#isolation?.sandboxHealth() ?? { ok: false, detail: 'not set up' },
    })
    this.#health = health
    if (this.#store && !this.#store.compromised)
      await this.#write((s) => {
        s.health = health
      }).catch(() => undefined)
    this.emit('health', health)
    const bad = health.checks.filter((c) => !c.ok)
    if (bad.length)
      this.log.warn(`Health: DEGRADED — ${bad.map((c) => `${c.name}: ${c.detail}`).join('; ')}`)
    else this.log.debug('Health: HEALTHY')
    this.#emitSnapshot()
    return health
  }

  snapshot(): EngineSnapshot {
    const s = this.#store?.state
    const activity: Activity =
      this.#status === 'paused'
        ? 'paused'
        : this.#health?.status === 'DEGRADED' && this.#active.size === 0
          ? 'error'
          : [...this.#active.values()].some((a) => FIXING.has(a.task.phase))
            ? 'fixing'
            : this.#active.size > 0
              ? 'checking'
              : 'idle'
    return {
      status: this.#status,
      activity,
      projectRoot: this.root,
      pid: process.pid,
      lastHeartbeat: this.#lastHeartbeat ?? s?.processes.orchestrator.last_heartbeat ?? null,
      autoFix: this.#settings.autoFix,
      pausedReason: this.#pausedReason,
      apiOutage: this.#outageSnapshot(),
      queues: summarizeQueues(
        s?.queues ?? { pending: [], in_progress: [], completed: [], failed: [] },
      ),
      stats: this.#statsSnapshot(),
      health: this.#health,
      breakers: s
        ? currentBreakers(s.breakers, this.#clock.now(), {
            threshold: this.#settings.breakerThreshold,
            windowSeconds: this.#settings.breakerWindowSeconds,
          })
        : [],
    }
  }

  #statsSnapshot(): EngineSnapshot['stats'] {
    return this.#stats.snapshot(this.#spentToday())
  }

  #spentToday(): Usage {
    const saved = this.#store?.state.spend[dayKey(this.#clock.now())] ?? { ...EMPTY_USAGE }
    return this.#spentTodayWithUnsaved(saved)
  }

  /**
   * Usage of each API request, kept until the next state write carries it (a task writes its
   * progress right after each request anyway), so spend costs no extra write.
   */
  #unsavedUsage: Usage[] = []

  #addUsage(usage: Usage): void {
    this.#stats.addUsage(usage)
    this.#unsavedUsage.push(usage)
  }

  #spentTodayWithUnsaved(saved: Usage): Usage {
    return this.#unsavedUsage.length ? addUsage(saved, ...this.#unsavedUsage) : saved
  }

  async #heartbeat(): Promise<void> {
    if (!this.#store || this.#status === 'stopped') return
    const at = isoNow(this.#clock)
    this.#lastHeartbeat = at
    await this.#write((s) => {
      s.processes.orchestrator.last_heartbeat = at
      s.processes.orchestrator.pid = process.pid
    }).catch(() => undefined)
    this.emit('heartbeat', { at })
  }

  #scheduleTimers(): void {
    this.#timers = [
      every(this.#clock, this.#options.heartbeatMs ?? 30_000, () => void this.#heartbeat()),
      every(this.#clock, this.#options.healthMs ?? 300_000, () => void this.checkHealth()),
    ]
  }

  #emitSnapshot(): void {
    if (this.#snapshotQueued) return
    this.#snapshotQueued = true
    queueMicrotask(() => {
      this.#snapshotQueued = false
      this.emit('snapshot', this.snapshot())
    })
  }

  #deferForOutage(reason: string, retryAfterMs: number | null): void {
    const first = this.#outage.defer(reason, retryAfterMs)
    const state = this.#outage.state!
    const at = (ms: number) => new Date(ms).toISOString().slice(11, 19)
    const retry = `Tasks wait, uncounted; next try at ${at(state.until)} UTC.`
    if (first) {
      this.log.warn(`Claude API unavailable since ${at(state.since)} UTC: ${reason}. ${retry}`, {
        source: 'claude',
      })
      this.#notice(
        'warn',
        'Claude API unavailable',
        `Unavailable since ${at(state.since)} UTC (${reason}). ${retry}`,
        null,
      )
    } else this.log.info(`Claude API still unavailable: ${reason}. ${retry}`, { source: 'claude' })
    this.#emitSnapshot()
  }

  #outageSnapshot(): EngineSnapshot['apiOutage'] {
    const state = this.#outage.state
    if (!state) return null
    const iso = (ms: number) => new Date(ms).toISOString()
    return { since: iso(state.since), retryAt: iso(state.until), reason: state.reason }
  }

  #apiAvailable(): void {
    const lasted = this.#outage.clear()
    if (lasted === null) return
    const minutes = Math.max(1, Math.round(lasted / 60_000))
    this.log.info(`Claude API available again after about ${minutes} min`, { source: 'claude' })
    this.#notice('info', 'Claude API available again', `After about ${minutes} min.`, null)
    this.#pump()
  }

  #notice(level: 'info' | 'warn' | 'error', title: string, body: string, taskId: string | null) {
    this.emit('notice', { level, title, body, taskId })
  }

  // ── collaborators ────────────────────────────────────────────────────────────────────────────

  #startWatcher(): void {
    this.#watcher = createProjectWatcher({
      root: this.root,
      settings: this.#settings,
      ownWrites: this.ownWrites,
      changes: this.#changes,
      clock: this.#clock,
      log: this.log,
      onBatch: (batch) => {
        // Every change reaches the shadows; only watched extensions start tasks.
        this.#isolation?.workspaces.noteChanged(batch.files)
        const files = taskFiles(batch.files, this.#settings.watchExtensions)
        const deleted = batch.deleted.filter((f) => files.includes(f))
        return this.enqueueChange({ ...batch, files, deleted })
      },
      onDegraded: (reason) => {
        // Changes may have been missed: the shadows are rebuilt before they are trusted again.
        this.#isolation?.invalidate(`watcher degraded: ${reason}`)
        this.#notice('warn', 'Watching is degraded', reason, null)
        void this.checkHealth()
      },
      onRecovered: () => {
        this.#isolation?.invalidate('watcher recovered')
        void this.checkHealth()
      },
    })
  }

  async #restartWatcher(): Promise<void> {
    const old = this.#watcher
    this.#watcher = null
    await old?.stop()
    this.#startWatcher()
    await this.#watcher!.start()
  }

  #createIsolation(): Promise<Isolation> {
    return createIsolation({
      root: this.root,
      settings: this.#settings,
      cacheDir: this.#options.cacheDir,
      log: this.log,
    })
  }

  async #rebuildIsolation(): Promise<void> {
    const old = this.#isolation
    this.#isolation = null
    await old?.dispose().catch(() => undefined)
    try {
      const isolation = await this.#createIsolation()
      this.#isolation = isolation
      this.#isolationStale = false
      isolation.indexFiles()
      await isolation.sandboxReady
      if (isolation.unavailable && this.#status === 'running') {
        this.#notice('error', 'Checks cannot run', isolation.unavailable, null)
        this.pause(isolation.unavailable)
      }
    } catch (error) {
      this.log.error(`Could not set up the shadow workspace: ${(error as Error).message}`)
      throw error
    } finally {
      void this.checkHealth()
    }
  }

  #refreshRunner(): void {
    const h = checksHealth(this.root, this.#settings)
    this.#runner = h.runner
    this.#runnerProblem = h.check.ok ? null : h.check.detail
  }

  #runnerOrThrow(): RunnerInfo {
    if (!this.#runner) this.#refreshRunner()
    if (!this.#runner) throw new Error(this.#runnerProblem ?? 'no test command could be found')
    return this.#runner
  }

  #clientOrThrow(): ClaudeClient {
    if (this.#options.claudeClient) return this.#options.claudeClient
    if (this.#client) return this.#client
    const apiKey = this.#secrets.anthropicApiKey
    if (!apiKey) throw new EngineError('unavailable', 'ANTHROPIC_API_KEY is not set.')
    this.#client = createClaudeClient({
      apiKey,
      baseURL: this.#options.config.anthropicBaseUrl,
      model: this.#settings.model,
      clock: this.#clock,
      random: this.#options.random,
    })
    return this.#client
  }

  async #checkModel(): Promise<void> {
    if (!this.#settings.autoFix || (!this.#secrets.anthropicApiKey && !this.#options.claudeClient))
      return
    try {
      const check = await this.#clientOrThrow().checkModel(this.#settings.model)
      for (const w of check.warnings ?? []) this.log.warn(w, { source: 'claude' })
    } catch (error) {
      const message = (error as Error).message
      if (error instanceof ClaudeModelError || error instanceof ClaudeAuthError) {
        // Every request would fail the same way: hold work and say why, once, now.
        if (error instanceof ClaudeAuthError) this.#keyRejected = message
        this.log.error(`Model check: ${message}`, { source: 'claude' })
        this.#notice('error', 'Auto-fix paused', message, null)
        if (this.#status === 'running') this.pause(message)
        void this.checkHealth()
      } else this.log.warn(`Model check: ${message} (will try anyway)`, { source: 'claude' })
    }
  }

  async #escalate(task: Task): Promise<EscalationRecord[]> {
    const result = await this.#escalator.escalate(task, { signal: this.#shutdown.signal })
    for (const record of result.records) this.emit('escalated', { taskId: task.id, record })
    if (result.records.some((r) => r.ok && r.channel !== 'log')) this.#stats.recordEscalation()
    return result.records
  }

  #redactor(): (text: string) => string {
    return createRedactor(Object.values(this.#secrets))
  }

  #onStateEvent(name: StateEventName, payload: StateEvents[StateEventName]): void {
    const said = describeStateEvent(name, payload)
    if (!said) return
    this.log.log(said.level, said.message, { source: 'state' })
    if (said.notice) this.#notice('error', said.notice.title, said.notice.body, null)
    if (name === 'compromised' && this.#status === 'running') this.pause('the state lock was lost')
  }

  // ── state helpers ────────────────────────────────────────────────────────────────────────────

  async #write<R>(fn: (draft: StateFile) => R): Promise<R> {
    if (!this.#store) throw new EngineError('unavailable', 'Fixloop is not running on a project.')
    let carried = 0
    try {
      const r = await this.#store.update((draft) => {
        const result = fn(draft)
        carried = this.#unsavedUsage.length
        if (carried) {
          const key = dayKey(this.#clock.now())
          const usage = addUsage(...this.#unsavedUsage)
          draft.spend[key] = addUsage(draft.spend[key] ?? EMPTY_USAGE, usage)
          draft.stats.usage = addUsage(draft.stats.usage, usage)
        }
        return result
      })
      this.#unsavedUsage.splice(0, carried)
      this.#writeError = null
      return r
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code !== 'not_found' && code !== 'conflict') this.#writeError = (error as Error).message
      throw error
    }
  }

  /** A state change on behalf of a command: queue errors become EngineErrors with their code. */
  async #command<R>(fn: (draft: StateFile) => R): Promise<R> {
    try {
      const r = await this.#write(fn)
      this.#emitSnapshot()
      return r
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === 'not_found' || code === 'conflict')
        throw new EngineError(code, (error as Error).message)
      if (code === 'invalid') throw new EngineError('conflict', (error as Error).message)
      throw error
    }
  }
}

/** Phases in which a task is being fixed rather than checked. */
const FIXING = new Set<Task['phase']>(['fix', 'verify', 'apply'])

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
