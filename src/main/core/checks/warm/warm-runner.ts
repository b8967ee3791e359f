/**
 * The warm runner of one shadow workspace: one long-lived worker process, started on the first
 * check that can use it, kept across leases (a shadow's root is stable), and started again when
 * what it loaded changed (a config, an install: `restart-triggers`), when its spawn changed (the
 * environment, the sandbox's binds), after a timeout, or after it died. It never decides a check by
 * itself when something goes wrong: the check then runs cold, and the reason is logged once.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { systemClock } from '../../util/clock'
import type { Clock, Timer } from '../../util/clock'
import type { TreeOptions } from '../process-tree'
import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS } from '../run-check'
import type { RunCheckOptions } from '../run-check'
import { TailBuffer } from '../tail-buffer'
import type { CheckExecution, PlannedCheck } from '../types'
import { changedTrigger, restartFingerprint } from './restart-triggers'
import { resultExecution, timedOutExecution } from './warm-result'
import type { WarmInvocation } from './warm-invocation'
import { WarmProcess } from './warm-process'
import { workerSpawn } from './worker-spawn'
import type { WorkerSpawn } from './worker-spawn'
import type { WorkerScript } from './worker-source'

/** How a warm runner reports restarts and fallbacks; `once` names a message said only once. */
export type WarmLog = (level: 'debug' | 'info' | 'warn', message: string, once?: string) => void

export interface WarmRunnerOptions extends TreeOptions {
  /** A worker script's text (run with `node --eval`). */
  source: (script: WorkerScript) => string
  log: WarmLog
  /** A worker unused this long is stopped (the next check starts another). @default 600000 */
  idleMs?: number
  /** Consecutive deaths mid-run after which this shadow's checks run cold for good. @default 2 */
  maxCrashes?: number
  /** Between SIGTERM and SIGKILL when a worker is stopped. @default 2000 */
  killGraceMs?: number
  /** For the idle timer. @default systemClock */
  clock?: Clock
}

export const DEFAULT_IDLE_MS = 600_000

export class WarmRunner {
  readonly cwd: string
  readonly #options: WarmRunnerOptions
  #worker: WarmProcess | null = null
  #key: string | null = null
  #fingerprint = ''
  /** Spawn key and fingerprint of a worker that could not start: not tried again until one changes. */
  #startFailed: string | null = null
  #crashes = 0
  #disabled: string | null = null
  #disposed = false
  #idle: Timer | null = null
  #tmp: string | null = null
  #queue: Promise<unknown> = Promise.resolve()

  constructor(cwd: string, options: WarmRunnerOptions) {
    this.cwd = cwd
    this.#options = options
  }

  /** The worker's pid, while there is one (for tests and health). */
  get pid(): number | undefined {
    return this.#worker?.alive ? this.#worker.pid : undefined
  }

  /** Runs `planned` warm; null when it must run cold. Rejects only on abort. */
  execute(
    planned: PlannedCheck,
    invocation: WarmInvocation,
    options: RunCheckOptions,
  ): Promise<CheckExecution | null> {
    // One run at a time per shadow: a lease is exclusive, but nothing here should rely on it.
    const run = this.#queue.then(() => this.#execute(planned, invocation, options))
    this.#queue = run.catch(() => undefined)
    return run
  }

  /** Stops the worker and removes its temp folder; later checks run cold. */
  async dispose(): Promise<void> {
    this.#disposed = true
    await this.#queue
    await this.#stop()
    if (this.#tmp) rmSync(this.#tmp, { recursive: true, force: true })
  }

  async #execute(
    planned: PlannedCheck,
    invocation: WarmInvocation,
    options: RunCheckOptions,
  ): Promise<CheckExecution | null> {
    options.signal?.throwIfAborted()
    if (this.#disposed || this.#disabled) return null
    const spawn = this.#spawn(planned, invocation, options)
    if (!spawn) return null
    const extra = [path.join(invocation.packageDir, 'package.json')]
    const fingerprint = restartFingerprint(planned.cwd, extra)
    if (this.#startFailed === `${spawn.key}\n${fingerprint}`) return null
    try {
      for (let attempt = 1; attempt <= 2; attempt++) {
        const worker = await this.#ready(spawn, fingerprint, extra)
        if (!worker) return null
        const done = await this.#request(worker, planned, invocation, options)
        if (done !== 'again') return done
      }
      return null
    } finally {
      this.#armIdle()
    }
  }

  /** One request to the worker: its execution, null (run cold), or 'again' (restarted: retry). */
  async #request(
    worker: WarmProcess,
    planned: PlannedCheck,
    invocation: WarmInvocation,
    options: RunCheckOptions,
  ): Promise<CheckExecution | null | 'again'> {
    const clock = options.clock ?? systemClock
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const output = new TailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES)
    const started = clock.now()
    const outcome = await worker.request(
      { args: invocation.args },
      { timeoutMs, signal: options.signal, onOutput: (chunk) => output.push(chunk) },
    )
    const durationMs = Math.max(0, clock.now() - started)
    const { log } = this.#options
    switch (outcome.kind) {
      case 'aborted':
        this.#forget()
        throw options.signal?.reason ?? new Error('check aborted')
      case 'timedOut':
        // The worker was stopped with the run; the next check starts a fresh one.
        this.#forget()
        return timedOutExecution(planned, options, output, durationMs, timeoutMs)
      case 'exited': {
        this.#forget()
        this.#crashes++
        const gaveUp = this.#crashes >= (this.#options.maxCrashes ?? 2)
        if (gaveUp) this.#disabled = 'it kept dying'
        log(
          'warn',
          `The warm test runner in ${this.cwd} stopped mid-run (${outcome.detail}); ${gaveUp ? 'its checks run as processes of their own from now on' : 'this check runs as a process of its own, the next one starts it again'}.`,
          gaveUp ? 'gave-up' : 'crashed',
        )
        return null
      }
      case 'reply':
        break
    }
    const reply = outcome.reply
    switch (reply.type) {
      case 'result':
        this.#crashes = 0
        return resultExecution(planned, options, output, durationMs, reply)
      case 'mismatch':
      case 'stale':
        log(
          'debug',
          `Warm test runner in ${this.cwd}: starting again (${reply.type === 'stale' ? reply.reason : 'other runner options'}).`,
        )
        await this.#stop()
        return 'again'
      case 'unsupported':
        await this.#stop()
        this.#disabled = reply.reason
        log(
          'info',
          `No warm test runner in ${this.cwd} (${reply.reason}): its checks run as processes of their own.`,
          'unsupported',
        )
        return null
      case 'error': {
        const failedAt = `${this.#key}\n${this.#fingerprint}`
        await this.#stop()
        // Not started: not tried again until what it loads changes. A failed run counts as a death.
        if (reply.phase === 'start') this.#startFailed = failedAt
        else if (++this.#crashes >= (this.#options.maxCrashes ?? 2)) this.#disabled = reply.message
        const first = reply.message.trim().split('\n', 1)[0] ?? ''
        log(
          'warn',
          `The warm test runner in ${this.cwd} ${reply.phase === 'start' ? 'could not start' : 'failed a run'} (${first}); this check runs as a process of its own.`,
          `error-${reply.phase}`,
        )
        return null
      }
    }
  }

  /** The worker for `spawn`: the running one if nothing it loaded changed, else a new one. */
  async #ready(
    spawn: WorkerSpawn,
    fingerprint: string,
    extra: string[],
  ): Promise<WarmProcess | null> {
    const worker = this.#worker
    if (worker?.alive && this.#key === spawn.key && this.#fingerprint === fingerprint) return worker
    if (worker?.alive) {
      const why =
        this.#key !== spawn.key
          ? 'its environment or sandbox changed'
          : `${changedTrigger(this.#fingerprint, fingerprint, extra)} changed`
      this.#options.log('debug', `Warm test runner in ${this.cwd}: starting again (${why}).`)
    }
    await this.#stop()
    try {
      this.#worker = new WarmProcess({
        argv: spawn.argv,
        cwd: this.cwd,
        env: spawn.env,
        platform: this.#options.platform,
        spawn: this.#options.spawn,
        killGraceMs: this.#options.killGraceMs,
      })
    } catch (error) {
      this.#options.log(
        'warn',
        `The warm test runner in ${this.cwd} could not be started (${(error as Error).message}); this check runs as a process of its own.`,
        'spawn',
      )
      this.#startFailed = `${spawn.key}\n${fingerprint}`
      return null
    }
    this.#key = spawn.key
    this.#fingerprint = fingerprint
    return this.#worker
  }

  #spawn(
    planned: PlannedCheck,
    invocation: WarmInvocation,
    options: RunCheckOptions,
  ): WorkerSpawn | null {
    let source: string
    try {
      source = this.#options.source(invocation.script)
    } catch (error) {
      this.#options.log('warn', `No warm test runner: ${(error as Error).message}.`, 'source')
      return null
    }
    const platform = options.platform ?? this.#options.platform
    const spawn = workerSpawn(planned, invocation, options, {
      source,
      platform,
      tmpDir: () => this.#tmpDir(options),
    })
    if (!spawn)
      this.#options.log(
        'info',
        'No warm test runner: no `node` on PATH to run it; checks run as processes of their own.',
        'node',
      )
    return spawn
  }

  /**
   * The worker's private temp folder in the sandbox: beside the run's own (a shadow's), not in it,
   * because a lease empties that folder at release, and with it the mount points the sandbox made
   * there for the folders it binds under /tmp. Emptied when a worker starts.
   */
  #tmpDir(options: RunCheckOptions): string {
    this.#tmp ??= options.tmpDir
      ? `${options.tmpDir}-warm`
      : mkdtempSync(path.join(os.tmpdir(), 'fixloop-warm-'))
    if (!this.#worker?.alive) {
      rmSync(this.#tmp, { recursive: true, force: true })
      mkdirSync(this.#tmp, { recursive: true })
    }
    return this.#tmp
  }

  #armIdle(): void {
    const clock = this.#options.clock ?? systemClock
    if (this.#idle) clock.clearTimeout(this.#idle)
    this.#idle = null
    if (!this.#worker?.alive || this.#disposed) return
    this.#idle = clock.setTimeout(() => {
      this.#idle = null
      this.#queue = this.#queue.then(() => this.#stop())
    }, this.#options.idleMs ?? DEFAULT_IDLE_MS)
    this.#idle.unref?.()
  }

  /** The worker is gone (stopped by its request, or dead): the next check starts another. */
  #forget(): void {
    this.#worker = null
    this.#key = null
  }

  async #stop(): Promise<void> {
    const worker = this.#worker
    this.#forget()
    if (worker) await worker.kill()
  }
}
