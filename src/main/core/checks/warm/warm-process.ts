/**
 * One long-lived runner process (a warm worker script): started like a check (its own process
 * group, no shell, the check environment, in the sandbox when the argv is wrapped), asked one
 * request at a time over stdin, answering in JSON lines on fd 3. Stray output (stdout, stderr) is
 * passed to the request under way, as the output of a cold check would be.
 */
import type { ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { systemClock } from '../../util/clock'
import type { Clock, Timer } from '../../util/clock'
import { killTree, spawnTree } from '../process-tree'
import type { TreeOptions } from '../process-tree'
import { TailBuffer } from '../tail-buffer'
import { readReply } from './worker-protocol'
import type { WorkerReply } from './worker-protocol'

export interface WarmProcessOptions extends TreeOptions {
  /** The argv to spawn, already wrapped in the sandbox when there is one. */
  argv: readonly string[]
  cwd: string
  env: NodeJS.ProcessEnv
  /** Between SIGTERM and SIGKILL when the process is stopped. @default 2000 */
  killGraceMs?: number
  /** @default systemClock */
  clock?: Clock
}

export interface RequestOptions {
  /** Stop the process after this long; the outcome is then `timedOut`. */
  timeoutMs: number
  /** Stops the process; the outcome is then `aborted`. */
  signal?: AbortSignal
  /** What the run prints (the worker's `output` messages and stray stdout/stderr), as it comes. */
  onOutput?: (chunk: Buffer) => void
}

/** How a request ended. After anything but `reply` the process is gone. */
export type RequestOutcome =
  | { kind: 'reply'; reply: WorkerReply }
  | { kind: 'exited'; detail: string }
  | { kind: 'timedOut' }
  | { kind: 'aborted' }

/** A reply line longer than this is a broken worker, not a report. */
const MAX_LINE_CHARS = 128 * 1024 * 1024
/** After the exit, how long the pipes may take to deliver a reply already written. */
const DRAIN_MS = 200

interface Active {
  id: number
  onOutput?: (chunk: Buffer) => void
  finish: (outcome: RequestOutcome) => void
}

export class WarmProcess {
  readonly #child: ChildProcess
  readonly #tree: TreeOptions
  readonly #clock: Clock
  readonly #grace: number
  readonly #exited: Promise<void>
  #gone = false
  #exitDetail = 'the process exited'
  #active: Active | null = null
  #nextId = 1
  #line = ''
  readonly #decoder = new StringDecoder('utf8')
  /** Stray output outside requests and the last stderr, for the log when the process dies. */
  readonly #diagnostics = new TailBuffer(8 * 1024)

  /** Starts the process. @throws Error when argv is empty or the spawn fails synchronously. */
  constructor(options: WarmProcessOptions) {
    this.#tree = { platform: options.platform, spawn: options.spawn }
    this.#clock = options.clock ?? systemClock
    this.#grace = options.killGraceMs ?? 2000
    this.#child = spawnTree(options.argv, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      ...this.#tree,
    })
    const child = this.#child
    let resolveExit: () => void = () => {}
    this.#exited = new Promise((resolve) => (resolveExit = resolve))
    const gone = (detail: string) => {
      if (this.#gone) return
      this.#gone = true
      this.#exitDetail = detail
      resolveExit()
      // A reply written just before the exit may still be in the pipe.
      const t = this.#clock.setTimeout(
        () => this.#settle({ kind: 'exited', detail: this.detail }),
        DRAIN_MS,
      )
      t.unref?.()
    }
    child.stdout?.on('data', (chunk: Buffer) => this.#stray(chunk))
    child.stderr?.on('data', (chunk: Buffer) => this.#stray(chunk))
    ;(child.stdio[3] as Readable | null)?.on('data', (chunk: Buffer) => this.#replyData(chunk))
    child.stdin?.on('error', () => {}) // EPIPE once it died; the exit says why
    child.on('error', (error) => gone(`could not start: ${error.message}`))
    child.on('exit', (code, signal) => {
      // Whatever it left in its group (vitest's workers) goes too.
      if (child.pid !== undefined && (options.platform ?? process.platform) !== 'win32')
        killTree(child.pid, 'SIGKILL', this.#tree)
      gone(code !== null ? `it exited with code ${code}` : `it was ended by ${signal}`)
    })
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  get alive(): boolean {
    return !this.#gone
  }

  /** Why the process is gone, with the end of what it printed (its last few lines). */
  get detail(): string {
    const tail = this.#diagnostics.text().trim().split('\n').slice(-6).join('\n').slice(-600)
    return tail ? `${this.#exitDetail}: ${tail}` : this.#exitDetail
  }

  /** Sends one request and waits for its reply, the process's end, the timeout or the abort. */
  request(body: Record<string, unknown>, options: RequestOptions): Promise<RequestOutcome> {
    if (this.#gone) return Promise.resolve({ kind: 'exited', detail: this.detail })
    if (this.#active) throw new Error('WarmProcess: one request at a time')
    const { signal } = options
    if (signal?.aborted) return this.kill().then(() => ({ kind: 'aborted' }))
    const id = this.#nextId++
    return new Promise((resolve) => {
      const timers: Timer[] = []
      const stopThen = (outcome: RequestOutcome) => () => {
        void this.kill().then(() => finish(outcome))
      }
      const onAbort = stopThen({ kind: 'aborted' })
      const finish = (outcome: RequestOutcome) => {
        for (const t of timers) this.#clock.clearTimeout(t)
        signal?.removeEventListener('abort', onAbort)
        if (this.#active?.id === id) this.#active = null
        resolve(outcome)
      }
      this.#active = { id, onOutput: options.onOutput, finish }
      const timer = this.#clock.setTimeout(stopThen({ kind: 'timedOut' }), options.timeoutMs)
      timer.unref?.()
      timers.push(timer)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#child.stdin?.write(`${JSON.stringify({ ...body, id })}\n`)
    })
  }

  /** Ends the process tree (SIGTERM, then SIGKILL after the grace) and waits for the exit. */
  kill(): Promise<void> {
    const pid = this.#child.pid
    if (this.#gone || pid === undefined) return this.#exited
    killTree(pid, 'SIGTERM', this.#tree)
    const t = this.#clock.setTimeout(() => {
      if (!this.#gone) killTree(pid, 'SIGKILL', this.#tree)
    }, this.#grace)
    t.unref?.()
    return this.#exited
  }

  #stray(chunk: Buffer): void {
    this.#diagnostics.push(chunk)
    this.#active?.onOutput?.(chunk)
  }

  #replyData(chunk: Buffer): void {
    this.#line += this.#decoder.write(chunk)
    let newline: number
    while ((newline = this.#line.indexOf('\n')) >= 0) {
      const line = this.#line.slice(0, newline)
      this.#line = this.#line.slice(newline + 1)
      this.#message(line)
    }
    if (this.#line.length > MAX_LINE_CHARS) this.#broken('a reply too long to be one')
  }

  #message(line: string): void {
    const active = this.#active
    let message: unknown
    try {
      message = JSON.parse(line)
    } catch {
      return this.#broken(`a reply that is not JSON: ${line.slice(0, 200)}`)
    }
    const id = (message as { id?: unknown } | null)?.id
    if (!active || id !== active.id) return // an answer to a request given up on
    if ((message as { type?: unknown }).type === 'output') {
      const text = (message as { text?: unknown }).text
      if (typeof text === 'string') active.onOutput?.(Buffer.from(text))
      return
    }
    const reply = readReply(message)
    if (!reply) return this.#broken(`a reply it should not send: ${line.slice(0, 200)}`)
    this.#settle({ kind: 'reply', reply })
  }

  /** The worker broke the protocol: it cannot be trusted with another request. */
  #broken(detail: string): void {
    this.#exitDetail = `it sent ${detail}`
    const active = this.#active
    void this.kill().then(() => active?.finish({ kind: 'exited', detail: `it sent ${detail}` }))
  }

  #settle(outcome: RequestOutcome): void {
    this.#active?.finish(outcome)
  }
}
