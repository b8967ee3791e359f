/**
 * The engine's warm runners: one per shadow workspace (by its root), for the checks they can take
 * (vitest's and jest's related runs, test-file runs and suite runs). Every other check, and any check a warm
 * runner cannot run (an old vitest, a crash, a protocol error), runs as a process of its own, and
 * the reason is logged once. Disposed with the engine's isolation: every worker is stopped.
 */
import type { LogLevel } from '../../../../shared/domain'
import type { Clock } from '../../util/clock'
import type { TreeOptions } from '../process-tree'
import type { RunCheckOptions, WarmExecutor } from '../run-check'
import type { CheckExecution, PlannedCheck } from '../types'
import { warmInvocation } from './warm-invocation'
import { WarmRunner } from './warm-runner'
import { workerSource } from './worker-source'
import type { WorkerScript } from './worker-source'

export interface WarmRunnersOptions extends TreeOptions {
  /** Where restarts (debug) and fallbacks (each reason once) are told. @default nowhere */
  log?: (level: LogLevel, message: string) => void
  /** A worker unused this long is stopped. @default 600000 (10 minutes) */
  idleMs?: number
  /** Consecutive deaths mid-run after which a shadow's checks run cold for good. @default 2 */
  maxCrashes?: number
  /** Between SIGTERM and SIGKILL when a worker is stopped. @default 2000 */
  killGraceMs?: number
  /** @default systemClock */
  clock?: Clock
  /** A worker script's text. @default the shipped script (worker-source.ts) */
  source?: (script: WorkerScript) => string
}

export class WarmRunners implements WarmExecutor {
  readonly #options: WarmRunnersOptions
  readonly #runners = new Map<string, WarmRunner>()
  readonly #said = new Set<string>()
  #disposed = false

  constructor(options: WarmRunnersOptions = {}) {
    if (options.idleMs !== undefined && !(options.idleMs > 0))
      throw new RangeError(`idleMs must be positive, got ${options.idleMs}`)
    if (
      options.maxCrashes !== undefined &&
      !(Number.isInteger(options.maxCrashes) && options.maxCrashes > 0)
    )
      throw new RangeError(`maxCrashes must be a positive integer, got ${options.maxCrashes}`)
    this.#options = options
  }

  execute(planned: PlannedCheck, options: RunCheckOptions): Promise<CheckExecution | null> {
    if (this.#disposed) return Promise.resolve(null)
    const invocation = warmInvocation(planned)
    if (!invocation) return Promise.resolve(null)
    return this.#runner(planned.cwd).execute(planned, invocation, options)
  }

  /** The pid of the worker serving `cwd`, while it runs. */
  pid(cwd: string): number | undefined {
    return this.#runners.get(cwd)?.pid
  }

  /** Stops every worker (waiting for a run under way); later checks run cold. */
  async dispose(): Promise<void> {
    this.#disposed = true
    await Promise.all([...this.#runners.values()].map((r) => r.dispose()))
    this.#runners.clear()
  }

  #runner(cwd: string): WarmRunner {
    const known = this.#runners.get(cwd)
    if (known) return known
    const { log: _log, source, ...rest } = this.#options
    const runner = new WarmRunner(cwd, {
      ...rest,
      source: source ?? ((script) => workerSource(script)),
      log: (level, message, once) => this.#log(level, message, once),
    })
    this.#runners.set(cwd, runner)
    return runner
  }

  #log(level: LogLevel, message: string, once?: string): void {
    if (once !== undefined) {
      if (this.#said.has(once)) return
      this.#said.add(once)
    }
    this.#options.log?.(level, message)
  }
}
