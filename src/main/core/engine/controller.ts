/**
 * The Controller: the contract's commands and events over one engine (an Orchestrator on one project).
 * The Electron IPC, the web bridge and the CLI are thin adapters over this one object.
 */
import { EventEmitter } from 'node:events'
import type {
  CommandHandlers,
  EventName,
  EventPayload,
  SettingsView,
} from '../../../shared/contract'
import type { EngineSnapshot, Task } from '../../../shared/domain'
import { EMPTY_USAGE } from '../../../shared/domain'
import type { ControllerPort } from '../bridge/controller-port'
import { ConfigError } from '../config/load-config'
import { AlreadyRunningError } from '../state'
import { EngineError } from './engine-error'
import type { Orchestrator } from './orchestrator'

export interface ControllerOptions {
  /** Makes (but does not start) the engine for a project folder; throws ConfigError on bad config. */
  createEngine: (projectRoot: string) => Orchestrator
  /** The first project, if any. */
  projectRoot?: string | null
  /** The native folder dialog; absent in the CLI and the browser, where the UI asks for a path. */
  chooseFolder?: () => Promise<string | null>
  /** Told when the project changes (recent projects, settings). */
  onProjectChanged?: (projectRoot: string) => void
}

type Events = { [K in EventName]: [EventPayload<K>] }

export class Controller implements ControllerPort {
  readonly #options: ControllerOptions
  readonly #events = new EventEmitter<Events>()
  #engine: Orchestrator | null = null
  #detach: (() => void) | null = null
  readonly handlers: CommandHandlers

  constructor(options: ControllerOptions) {
    this.#options = options
    this.#events.setMaxListeners(100)
    if (options.projectRoot) this.#attach(options.createEngine(options.projectRoot))
    this.handlers = {
      getSnapshot: async () => this.snapshot(),
      getTask: async ({ id }) => this.#engine?.getTask(id) ?? null,
      getLog: async (q) => this.#engine?.log.entries(q) ?? [],
      start: async () => {
        const e = this.#require()
        if (e.status === 'stopped') await userFacing(() => e.start())
        else if (e.status === 'paused') e.resume()
        return this.snapshot()
      },
      pause: async () => {
        this.#require().pause()
        return this.snapshot()
      },
      resume: async () => {
        this.#require().resume()
        return this.snapshot()
      },
      setProject: async ({ path }) => {
        await this.setProject(path)
        return this.snapshot()
      },
      chooseProjectFolder: async () => ({
        path: this.#options.chooseFolder ? await this.#options.chooseFolder() : null,
      }),
      retryTask: ({ id }) => this.#require().retryTask(id),
      cancelTask: ({ id }) => this.#require().cancelTask(id),
      undoTask: ({ id }) => this.#require().undoTask(id),
      approveTask: ({ id }) => this.#require().approveTask(id),
      rejectTask: ({ id }) => this.#require().rejectTask(id),
      resetBreaker: async ({ file }) => {
        await this.#require().resetBreaker(file)
        return { ok: true as const }
      },
      getSettings: async () => this.#settingsView(),
      updateSettings: async ({ patch }) => {
        await this.#require().updateSettings(patch)
        return this.#settingsView()
      },
      setSecret: async ({ name, value }) => {
        await this.#require().setSecret(name, value)
        return this.#settingsView()
      },
      testEscalation: ({ channel }) => this.#require().testEscalation(channel),
      checkHealth: () => this.#require().checkHealth(),
    }
  }

  get engine(): Orchestrator | null {
    return this.#engine
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const l = listener as (...args: Events[E]) => void
    this.#events.on(event, l as never)
    return () => this.#events.off(event, l as never)
  }

  snapshot(): EngineSnapshot {
    return this.#engine?.snapshot() ?? EMPTY_SNAPSHOT
  }

  /** Stops the current engine (its tasks finish or are rolled back) and starts on another folder. */
  async setProject(projectRoot: string): Promise<void> {
    const next = await userFacing(async () => this.#options.createEngine(projectRoot))
    if (this.#engine) await this.#engine.stop()
    this.#attach(next)
    this.#options.onProjectChanged?.(next.root)
    await userFacing(() => next.start())
    this.#emit('snapshot', this.snapshot())
  }

  async stop(): Promise<void> {
    await this.#engine?.stop()
  }

  #attach(engine: Orchestrator): void {
    this.#detach?.()
    this.#engine = engine
    const task = (t: Task) => this.#emit('task', t)
    const snapshot = (s: EngineSnapshot) => this.#emit('snapshot', s)
    const escalated = (e: EventPayload<'escalation'>) => this.#emit('escalation', e)
    const notice = (n: EventPayload<'notice'>) => this.#emit('notice', n)
    engine.on('task_created', task)
    engine.on('task_updated', task)
    engine.on('task_completed', task)
    engine.on('task_failed', task)
    engine.on('snapshot', snapshot)
    engine.on('escalated', escalated)
    engine.on('notice', notice)
    const unlog = engine.log.subscribe((entry) => this.#emit('log', entry))
    this.#detach = () => {
      engine.off('task_created', task)
      engine.off('task_updated', task)
      engine.off('task_completed', task)
      engine.off('task_failed', task)
      engine.off('snapshot', snapshot)
      engine.off('escalated', escalated)
      engine.off('notice', notice)
      unlog()
    }
  }

  #emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    ;(this.#events.emit as (e: E, p: EventPayload<E>) => boolean)(event, payload)
  }

  #require(): Orchestrator {
    if (!this.#engine)
      throw new EngineError('unavailable', 'No project is open: choose a project folder first.')
    return this.#engine
  }

  #settingsView(): SettingsView {
    const e = this.#require()
    return { settings: e.settings, secrets: e.secretStatus() }
  }
}

/**
 * Errors a person can act on (bad configuration, the project held by another Fixloop) keep their
 * message across the bridges as conflicts instead of becoming anonymous internal errors.
 */
async function userFacing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AlreadyRunningError)
      throw new EngineError('conflict', error.message)
    throw error
  }
}

const EMPTY_SNAPSHOT: EngineSnapshot = {
  status: 'stopped',
  activity: 'idle',
  projectRoot: null,
  pid: null,
  lastHeartbeat: null,
  autoFix: false,
  pausedReason: null,
  apiOutage: null,
  queues: { pending: [], in_progress: [], completed: [], failed: [] },
  stats: {
    processed: 0,
    succeeded: 0,
    failed: 0,
    escalated: 0,
    noFixNeeded: 0,
    flaky: 0,
    successRate: null,
    startedAt: null,
    uptimeMs: 0,
    session: EMPTY_USAGE,
    today: EMPTY_USAGE,
    meanTimeToFixMs: null,
  },
  health: null,
  breakers: [],
}
