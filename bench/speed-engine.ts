/**
 * The engine in this process, as bench/engine.ts runs it, and what bench/speed.ts reads from it per
 * save: when the task was queued, when each phase began, when the detection result was known, and
 * how the task ended. Times are `performance.now()` in this process.
 *
 * "Detection result known" is the first `task_updated` carrying the detection checks (the detect
 * stage stores them with the phase that follows, gate or settle, and emits the task); should a build
 * stop emitting that, the log line the stage writes next ("Checks pass…" / "Checks failed…") is used
 * and the result says so.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/main/core/config/load-config'
import { Orchestrator } from '../src/main/core/engine/orchestrator'
import type { Task, TaskPhase } from '../src/shared/domain'
import type { BenchProject } from './speed-projects'
import { BENCH_API_KEY } from './speed-projects'

export interface EngineRun {
  engine: Orchestrator
  /** The sandbox the checks run in, for the table headers. */
  describe(): Promise<string>
  stop(): Promise<void>
}

export interface StartOptions {
  baseURL: string
  env?: Record<string, string>
  heartbeatMs?: number
  healthMs?: number
}

/** Starts an engine on `project` (its fixloop.config.json already written), shadows in a temp dir. */
export async function startEngine(project: BenchProject, o: StartOptions): Promise<EngineRun> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'fixloop-bench-speed-cache-'))
  const engine = new Orchestrator({
    config: loadConfig({
      dir: project.root,
      env: { ANTHROPIC_API_KEY: BENCH_API_KEY, ANTHROPIC_BASE_URL: o.baseURL, ...o.env },
    }),
    random: () => 0,
    cacheDir,
    heartbeatMs: o.heartbeatMs,
    healthMs: o.healthMs,
  })
  await engine.start()
  return {
    engine,
    async describe() {
      const health = await engine.checkHealth()
      const sandbox = health.checks.find((c) => c.name === 'sandbox')?.detail ?? '?'
      return `sandbox: ${sandbox.split(':')[0]}`
    },
    async stop() {
      await engine.stop()
      rmSync(cacheDir, { recursive: true, force: true })
    },
  }
}

export interface TaskTimes {
  saved: number
  created: number | null
  /** When each phase was first seen. */
  phases: Partial<Record<TaskPhase, number>>
  detected: { at: number; verdict: 'red' | 'green'; from: 'event' | 'log' } | null
  /** The first check process spawned (the `$ …` debug line). */
  firstCheck: number | null
  ended: { at: number; task: Task } | null
}

/**
 * How long after a file's last batch a save of it is no longer part of a burst (engine/churn.ts's
 * burstTimes: at least 2 s, or twice the debounce) and so is not held, plus a margin.
 */
function burstHoldMs(engine: Orchestrator): number {
  return Math.max(2000, engine.settings.debounceSeconds * 2000) + 300
}

/** Follows one task at a time through the engine's events. */
export class TaskFollower {
  #current: TaskTimes | null = null
  readonly #engine: Orchestrator
  #waiters: Array<() => void> = []

  constructor(engine: Orchestrator) {
    this.#engine = engine
    const now = () => performance.now()
    const on = (fn: (t: TaskTimes) => void) => {
      const c = this.#current
      if (!c) return
      fn(c)
      for (const w of this.#waiters.splice(0)) w()
    }
    engine.on('task_created', () => on((c) => (c.created ??= now())))
    engine.on('task_updated', (task) =>
      on((c) => {
        if (task.phase && c.phases[task.phase] === undefined) c.phases[task.phase] = now()
        if (!c.detected && task.status === 'in_progress' && task.detection.length > 0)
          c.detected = { at: now(), verdict: verdictOf(task), from: 'event' }
      }),
    )
    const ended = (task: Task) => on((c) => (c.ended ??= { at: now(), task }))
    engine.on('task_completed', ended)
    engine.on('task_failed', ended)
    engine.log.subscribe((e) =>
      on((c) => {
        if (e.source === 'checks' && e.message.startsWith('$ ')) c.firstCheck ??= now()
        if (c.detected) return
        if (e.message.startsWith('Checks pass'))
          c.detected = { at: now(), verdict: 'green', from: 'log' }
        else if (e.message.startsWith('Checks failed'))
          c.detected = { at: now(), verdict: 'red', from: 'log' }
      }),
    )
  }

  /** Per file, the last save followed (its task's `task_created`, once there is one). */
  readonly #lastOf = new Map<string, TaskTimes>()

  /**
   * Waits until a save of `path` would be a single save again: the burst hold past that file's last
   * batch (its task's `task_created`), so what is timed is the pipeline, not the hold.
   */
  async quiet(path: string): Promise<void> {
    const t = this.#lastOf.get(path)
    const last = t?.created ?? t?.saved
    if (last !== undefined) await sleep(last + burstHoldMs(this.#engine) - performance.now())
  }

  /** Writes the file and follows the task it makes. */
  save(project: BenchProject, path: string, content: string): TaskTimes {
    const t: TaskTimes = {
      saved: 0,
      created: null,
      phases: {},
      detected: null,
      firstCheck: null,
      ended: null,
    }
    this.#current = t
    this.#lastOf.set(path, t)
    t.saved = performance.now()
    project.write(path, content)
    return t
  }

  /** Resolves when `done(t)` holds; rejects after `timeoutMs`. */
  until(t: TaskTimes, done: (t: TaskTimes) => boolean, timeoutMs = 60_000): Promise<TaskTimes> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no result within ${timeoutMs} ms: ${JSON.stringify(t)}`)),
        timeoutMs,
      )
      const check = () => {
        if (done(t)) {
          clearTimeout(timer)
          resolve(t)
        } else this.#waiters.push(check)
      }
      check()
    })
  }

  ended(t: TaskTimes, timeoutMs?: number): Promise<TaskTimes> {
    return this.until(t, (x) => x.ended !== null, timeoutMs)
  }
}

function verdictOf(task: Task): 'red' | 'green' {
  return task.detection.every((c) => c.passed) ? 'green' : 'red'
}

/** Time the check child processes of a finished task took (detection + every attempt's checks). */
export function childMs(task: Task): number {
  return [...task.detection, ...task.attempts.flatMap((a) => a.checks)].reduce(
    (sum, c) => sum + c.durationMs,
    0,
  )
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
