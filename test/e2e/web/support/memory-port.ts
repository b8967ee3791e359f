/**
 * A small ControllerPort over in-memory data, for testing the bridges (dispatch, the dashboard
 * server, the renderer in a browser). It is not the engine: it keeps tasks, a log and settings in
 * arrays and follows the contract's rules closely enough that the UI's actions and errors are real.
 */
import { summarizeTask } from '../../../../src/main/core/engine/snapshot'
import { statSync } from 'node:fs'
import { DEFAULT_SETTINGS, EMPTY_USAGE, EVENT_NAMES, Settings } from '../../../../src/shared'
import type {
  Breaker,
  CommandHandlers,
  EngineSnapshot,
  EngineStatus,
  EventName,
  EventPayload,
  LogEntry,
  LogLevel,
  SecretName,
  SettingsView,
  Task,
} from '../../../../src/shared'
import type { ControllerPort } from '../../../../src/main/core/bridge/controller-port'
import { sampleTasks } from './sample-tasks'

export interface MemoryPortOptions {
  /** Milliseconds since the epoch; fixed so screenshots do not change. @default Date.now */
  now?: () => number
  /** @default '/home/dev/shop-api' */
  projectRoot?: string | null
  /** @default true: the API key is set */
  apiKeySet?: boolean
  /** @default sampleTasks(now) */
  tasks?: Task[]
  /** What `chooseProjectFolder` answers (null: no native dialog, as in the CLI). @default null */
  folderChoice?: string | null
  /** @default 'running' */
  status?: EngineStatus
}

type Listener = (payload: never) => void

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error']

/** An error the bridge passes through with its code. */
export function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code })
}

export class MemoryControllerPort implements ControllerPort {
  readonly handlers: CommandHandlers
  /** Every command that reached a handler, in order (after the bridge validated it). */
  readonly calls: Array<{ name: string; args: unknown }> = []
  tasks: Task[]
  log: LogEntry[] = []
  settings: Settings = DEFAULT_SETTINGS
  secrets: Record<SecretName, boolean>
  status: EngineStatus
  projectRoot: string | null
  breakers: Breaker[]
  private readonly listeners = new Map<EventName, Set<Listener>>()
  private readonly now: () => number
  private readonly folderChoice: string | null
  private seq = 0

  constructor(options: MemoryPortOptions = {}) {
    this.now = options.now ?? Date.now
    this.tasks = options.tasks ?? sampleTasks(this.now())
    this.projectRoot =
      options.projectRoot === undefined ? '/home/dev/shop-api' : options.projectRoot
    this.status = options.status ?? 'running'
    this.folderChoice = options.folderChoice ?? null
    this.secrets = {
      anthropicApiKey: options.apiKeySet ?? true,
      githubToken: false,
      slackWebhookUrl: false,
      emailWebhookUrl: false,
    }
    this.breakers = [
      {
        file: 'src/pricing/discount.ts',
        state: 'open',
        failures: [this.iso(-3_000_000), this.iso(-2_000_000), this.iso(-600_000)],
        openedAt: this.iso(-600_000),
      },
    ]
    this.handlers = this.makeHandlers()
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event ${event}`)
    const set = this.listeners.get(event) ?? new Set()
    this.listeners.set(event, set)
    set.add(listener as Listener)
    return () => set.delete(listener as Listener)
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (p: unknown) => void)(payload)
  }

  /** How many listeners are subscribed, over all events. */
  listenerCount(): number {
    let n = 0
    for (const set of this.listeners.values()) n += set.size
    return n
  }

  /** Appends a log line and emits it. */
  addLog(level: LogLevel, message: string, taskId?: string): LogEntry {
    const entry: LogEntry = {
      seq: ++this.seq,
      at: new Date(this.now()).toISOString(),
      level,
      message,
      source: 'engine',
      ...(taskId ? { taskId } : {}),
    }
    this.log.push(entry)
    this.emit('log', entry)
    return entry
  }

  /** Appends `n` varied log lines (levels and tasks cycle) without emitting: a backlog. */
  seedLog(n: number): void {
    const ids = this.tasks.map((t) => t.id)
    for (let i = 0; i < n; i++) {
      const level = LEVELS[i % 7 === 0 ? 3 : i % 5 === 0 ? 2 : i % 3 === 0 ? 0 : 1] as LogLevel
      const taskId = i % 4 === 0 ? undefined : ids[i % ids.length]
      this.log.push({
        seq: ++this.seq,
        at: new Date(this.now() - (n - i) * 1000).toISOString(),
        level,
        message: `line ${i + 1}: ${level === 'error' ? 'check failed in' : 'ran checks for'} src/module-${i % 97}.ts`,
        source: 'engine',
        ...(taskId ? { taskId } : {}),
      })
    }
  }

  snapshot(): EngineSnapshot {
    const lane = (status: Task['status']) =>
      this.tasks.filter((t) => t.status === status).map(summary)
    const done = this.tasks.filter((t) => t.status !== 'pending' && t.status !== 'in_progress')
    const succeeded = done.filter((t) => t.outcome === 'fixed').length
    const failed = done.filter((t) => t.outcome === 'failed').length
    const today = this.tasks.reduce((sum, t) => sum + t.usage.costUsd, 0)
    return {
      status: this.status,
      activity: this.status === 'paused' ? 'paused' : this.status === 'running' ? 'fixing' : 'idle',
      projectRoot: this.projectRoot,
      pid: 4242,
      lastHeartbeat: this.iso(-4000),
      autoFix: this.settings.autoFix,
      pausedReason: this.status === 'paused' ? 'Paused by you.' : null,
      apiOutage: null,
      queues: {
        pending: lane('pending'),
        in_progress: lane('in_progress'),
        completed: lane('completed'),
        failed: lane('failed'),
      },
      stats: {
        processed: done.length,
        succeeded,
        failed,
        escalated: this.tasks.filter((t) => t.escalations.length > 0).length,
        noFixNeeded: done.filter((t) => t.outcome === 'no_fix_needed').length,
        flaky: done.filter((t) => t.outcome === 'flaky').length,
        successRate: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
        startedAt: this.iso(-6 * 3600_000),
        uptimeMs: 6 * 3600_000,
        session: { ...EMPTY_USAGE, requests: 14, costUsd: today },
        today: {
          ...EMPTY_USAGE,
          requests: 14,
          inputTokens: 182_000,
          outputTokens: 21_500,
          costUsd: today,
        },
        meanTimeToFixMs: 95_000,
      },
      health: {
        status: this.breakers.some((b) => b.state === 'open') ? 'DEGRADED' : 'HEALTHY',
        checkedAt: this.iso(-4000),
        checks: [
          { name: 'watcher', ok: true, detail: 'native, 1,204 files' },
          { name: 'state file', ok: true, detail: 'written 4 s ago' },
          {
            name: 'breakers',
            ok: !this.breakers.some((b) => b.state === 'open'),
            detail: this.breakers.some((b) => b.state === 'open')
              ? 'src/pricing/discount.ts is open after 3 failures'
              : 'all closed',
          },
        ],
      },
      breakers: this.breakers,
    }
  }

  private iso(offsetMs: number): string {
    return new Date(this.now() + offsetMs).toISOString()
  }

  private view(): SettingsView {
    return { settings: this.settings, secrets: { ...this.secrets } }
  }

  private find(id: string): Task {
    const task = this.tasks.find((t) => t.id === id)
    if (!task) throw coded('not_found', `No task ${id}.`)
    return task
  }

  private change(task: Task, next: Partial<Task>): Task {
    const updated: Task = { ...task, ...next, updatedAt: new Date(this.now()).toISOString() }
    this.tasks = this.tasks.map((t) => (t.id === task.id ? updated : t))
    this.emit('task', updated)
    this.emit('snapshot', this.snapshot())
    return updated
  }

  private setStatus(status: EngineStatus): EngineSnapshot {
    this.status = status
    const snap = this.snapshot()
    this.emit('snapshot', snap)
    return snap
  }

  private makeHandlers(): CommandHandlers {
    const record = <A>(name: string, args: A) => this.calls.push({ name, args })
    return {
      getSnapshot: async (a) => (record('getSnapshot', a), this.snapshot()),
      getTask: async (a) => (record('getTask', a), this.tasks.find((t) => t.id === a.id) ?? null),
      getLog: async (a) => {
        record('getLog', a)
        const min = a.level ? LEVELS.indexOf(a.level) : 0
        const lines = this.log.filter(
          (l) =>
            l.seq > (a.afterSeq ?? -1) &&
            LEVELS.indexOf(l.level) >= min &&
            (a.taskId === undefined || l.taskId === a.taskId),
        )
        return lines.slice(0, a.limit ?? 1000)
      },
      start: async (a) => (record('start', a), this.setStatus('running')),
      pause: async (a) => {
        record('pause', a)
        if (this.status === 'stopped') throw coded('conflict', 'Fixloop is not running.')
        return this.setStatus('paused')
      },
      resume: async (a) => (record('resume', a), this.setStatus('running')),
      setProject: async (a) => {
        record('setProject', a)
        if (!isDirectory(a.path)) throw coded('not_found', `No folder at ${a.path}.`)
        this.projectRoot = a.path
        return this.setStatus(this.status)
      },
      chooseProjectFolder: async (a) => (
        record('chooseProjectFolder', a),
        { path: this.folderChoice }
      ),
      retryTask: async (a) => {
        record('retryTask', a)
        const task = this.find(a.id)
        if (task.status !== 'failed') throw coded('conflict', 'Only a failed task can be retried.')
        return this.change(task, {
          status: 'pending',
          outcome: null,
          finishedAt: null,
          retries: task.retries + 1,
        })
      },
      cancelTask: async (a) => {
        record('cancelTask', a)
        const task = this.find(a.id)
        if (task.status !== 'pending')
          throw coded('conflict', 'Only a pending task can be cancelled.')
        return this.change(task, {
          status: 'failed',
          outcome: 'cancelled',
          finishedAt: new Date(this.now()).toISOString(),
        })
      },
      undoTask: async (a) => {
        record('undoTask', a)
        const task = this.find(a.id)
        if (task.status !== 'completed' || task.outcome !== 'fixed') {
          throw coded('conflict', 'Only a completed fix can be undone.')
        }
        return this.change(task, { outcome: 'undone', diff: null })
      },
      approveTask: async (a) => {
        record('approveTask', a)
        const task = this.find(a.id)
        if (task.outcome !== 'needs_review')
          throw coded('conflict', 'This task is not held for review.')
        return this.change(task, { status: 'completed', outcome: 'fixed' })
      },
      rejectTask: async (a) => {
        record('rejectTask', a)
        const task = this.find(a.id)
        if (task.outcome !== 'needs_review')
          throw coded('conflict', 'This task is not held for review.')
        return this.change(task, {
          status: 'failed',
          outcome: 'failed',
          diff: null,
          failureReason: 'Fix rejected by you; its edits were rolled back.',
        })
      },
      resetBreaker: async (a) => {
        record('resetBreaker', a)
        if (!this.breakers.some((b) => b.file === a.file)) {
          throw coded('not_found', `No breaker for ${a.file}.`)
        }
        this.breakers = this.breakers.map((b) =>
          b.file === a.file ? { ...b, state: 'closed', failures: [], openedAt: null } : b,
        )
        this.emit('snapshot', this.snapshot())
        return { ok: true as const }
      },
      getSettings: async (a) => (record('getSettings', a), this.view()),
      updateSettings: async (a) => {
        record('updateSettings', a)
        // Whole-object validation, as the engine does: it throws a ZodError on a bad combination.
        this.settings = Settings.parse({ ...this.settings, ...a.patch })
        return this.view()
      },
      setSecret: async (a) => {
        record('setSecret', a)
        this.secrets = { ...this.secrets, [a.name]: a.value !== null && a.value !== '' }
        return this.view()
      },
      checkHealth: async (a) => {
        record('checkHealth', a)
        const health = this.snapshot().health
        if (!health) throw new Error('no health yet')
        return health
      },
      testEscalation: async (a) => {
        record('testEscalation', a)
        const needs: Partial<Record<typeof a.channel, SecretName>> = {
          github: 'githubToken',
          slack: 'slackWebhookUrl',
          email: 'emailWebhookUrl',
        }
        const secret = needs[a.channel]
        const ok = secret === undefined || this.secrets[secret]
        return {
          channel: a.channel,
          at: new Date(this.now()).toISOString(),
          ok,
          detail: ok ? `test message sent via ${a.channel}` : `${secret} is not set`,
          fingerprint: 'test',
          tries: ok ? 1 : 0,
        }
      },
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** What a list shows of a task: the engine's own summary. */
export const summary = summarizeTask
