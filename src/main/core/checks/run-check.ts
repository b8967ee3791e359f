/**
 * Runs one planned check: spawned without a shell in its own process group, bounded in time and
 * output, cancellable, and read into a `CheckResult` (failing tests from the runner's report when
 * it has one, from the output otherwise), with the tally of the tests that ran.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { CheckResult, TestFailure } from '../../../shared/domain'
import { systemClock } from '../util/clock'
import type { Clock, Timer } from '../util/clock'
import { checkEnv } from './check-env'
import { parseJestJson } from './parse-jest-json'
import { parseNodeTap } from './parse-node-tap'
import type { ParsedRun, TestTally } from './parse-common'
import { parseText } from './parse-text'
import { parseTextTally } from './parse-text-tally'
import { killTree, spawnTree } from './process-tree'
import type { TreeOptions } from './process-tree'
import { TailBuffer } from './tail-buffer'
import { REPORT_PLACEHOLDER } from './types'
import type { CheckExecution, PlannedCheck } from './types'

export interface RunCheckOptions extends TreeOptions {
  /** Cancels the check: its process tree is killed and the promise rejects with the signal's reason. */
  signal?: AbortSignal
  /** Kill the tree after this long; the result then has `timedOut: true`. @default 300000 */
  timeoutMs?: number
  /** Output kept (the tail). @default 65536 */
  maxOutputBytes?: number
  /** Between SIGTERM and SIGKILL when a check is stopped. @default 2000 */
  killGraceMs?: number
  /** The environment checks start from. @default process.env */
  env?: NodeJS.ProcessEnv
  /** @default systemClock */
  clock?: Clock
  /** Where report files are written (then removed). @default os.tmpdir() */
  tmpDir?: string
  /**
   * Puts the process in an OS sandbox: given the argv and the folders this run must be able to write
   * besides the sandbox's own (its report folder), returns the argv to spawn. The result keeps the
   * unwrapped command. `tmpDir` replaces the sandbox's private temp folder: a warm runner outlives
   * the lease whose temp folder is emptied at release. @default none: the command runs as it is
   */
  sandbox?: (argv: readonly string[], writable: readonly string[], tmpDir?: string) => string[]
  /**
   * Long-lived runners that may run the check instead of a process of its own (see `warm/`); a
   * check they do not take runs cold. @default none: every check is a process of its own
   */
  warm?: WarmExecutor
}

/** Runs checks in long-lived runner processes (a warm vitest per shadow workspace). */
export interface WarmExecutor {
  /**
   * The check run warm, or null when it must run as its own process (not a check this runner
   * takes, or the warm runner failed: the caller then runs it cold). Rejects only on abort.
   */
  execute(planned: PlannedCheck, options: RunCheckOptions): Promise<CheckExecution | null>
}

export const DEFAULT_TIMEOUT_MS = 300_000
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024
/** Largest report file read; a bigger one is ignored in favour of the output text. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024
/**
 * Output read for a text check's results (then dropped), beyond the tail that is kept: a verbose
 * run that names every passing test outgrows the tail long before it is a runaway.
 */
const MAX_PARSE_BYTES = 8 * 1024 * 1024
/** How long to wait for the output pipes to drain after the runner exits. */
const DRAIN_MS = 500

/** Runs a check and returns its result. Rejects only when `signal` aborts it. */
export async function runCheck(
  planned: PlannedCheck,
  options: RunCheckOptions = {},
): Promise<CheckResult> {
  return (await executeCheck(planned, options)).result
}

/** `runCheck`, plus the test files the runner's report named (to derive a graph selection). */
export async function executeCheck(
  planned: PlannedCheck,
  options: RunCheckOptions = {},
): Promise<CheckExecution> {
  const signal = options.signal
  signal?.throwIfAborted()
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const clock = options.clock ?? systemClock
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`)
  const output = new TailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES)
  const parseable =
    planned.format === 'text' && output.maxBytes < MAX_PARSE_BYTES
      ? new TailBuffer(MAX_PARSE_BYTES)
      : output

  if (planned.error)
    return { result: failedToStart(planned, planned.error), testFiles: null, tests: null }
  // The one place that chooses: a warm runner when one takes the check, a process of its own else.
  const warm = options.warm ? await options.warm.execute(planned, options) : null
  if (warm) return warm

  const usesReport = planned.command.some((c) => c.includes(REPORT_PLACEHOLDER))
  const reportDir = usesReport
    ? mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), 'fixloop-check-'))
    : null
  const reportFile = reportDir
    ? path.join(reportDir, planned.format === 'node-tap' ? 'report.tap' : 'report.json')
    : null
  const command = reportFile
    ? planned.command.map((c) => c.split(REPORT_PLACEHOLDER).join(reportFile))
    : planned.command

  try {
    const started = clock.now()
    const spawned = options.sandbox
      ? options.sandbox(command, reportDir ? [reportDir] : [])
      : command
    const sinks = parseable === output ? [output] : [output, parseable]
    const run = await spawnAndWait(spawned, planned, options, sinks, clock, timeoutMs)
    const durationMs = Math.max(0, clock.now() - started)
    if (run.aborted) throw signal?.reason ?? new Error('check aborted')
    if (run.startError)
      return {
        result: failedToStart(planned, run.startError, command),
        testFiles: null,
        tests: null,
      }

    const text = output.text()
    // bwrap reports a command it could not start (or a bind it could not make) itself, exit 1.
    if (options.sandbox && run.exitCode === 1 && /^bwrap: /.test(text))
      return {
        result: failedToStart(planned, `sandbox: ${text.trim().split('\n', 1)[0]}`, command),
        testFiles: null,
        tests: null,
      }
    const full = parseable === output ? text : parseable.text()
    return readExecution(
      planned,
      command,
      run,
      durationMs,
      { text, full },
      readReport(planned, reportFile),
    )
  } finally {
    if (reportDir) rmSync(reportDir, { recursive: true, force: true })
  }
}

/**
 * A finished run read into its result: failures from the runner's report (from the output when the
 * report names none and the run was red), the tally of the tests that ran. Shared by the cold path
 * and the warm runners, so both give the same result for the same run.
 */
export function readExecution(
  planned: PlannedCheck,
  command: readonly string[],
  run: RunEnd,
  durationMs: number,
  output: { text: string; full: string },
  parsed: ParsedRun | null,
): CheckExecution {
  let failures: TestFailure[] = parsed?.failures ?? []
  // A red run whose report names no failing test (a crash, a config error): try the text.
  if (failures.length === 0 && run.exitCode !== 0) failures = parseText(output.full, planned.cwd)
  const passed = run.exitCode === 0 && !run.timedOut && !(parsed && parsed.failures.length > 0)
  // A report format without its report (the runner died first) cannot say which tests ran.
  const tests: TestTally | null =
    planned.format === 'text' ? parseTextTally(output.full, planned.cwd) : (parsed?.tests ?? null)
  return {
    result: {
      name: planned.name,
      command: [...command],
      passed,
      exitCode: run.exitCode,
      signal: run.signal,
      timedOut: run.timedOut,
      durationMs,
      output: output.text,
      failures,
      ...(tests ? { tests: { ...tests.counts } } : {}),
    },
    testFiles: parsed?.testFiles ?? null,
    tests,
  }
}

/** How a run ended, as `readExecution` needs it. */
export interface RunEnd {
  exitCode: number | null
  signal: string | null
  timedOut: boolean
}

interface RawRun extends RunEnd {
  aborted: boolean
  startError: string | null
}

function spawnAndWait(
  command: readonly string[],
  planned: PlannedCheck,
  options: RunCheckOptions,
  sinks: readonly TailBuffer[],
  clock: Clock,
  timeoutMs: number,
): Promise<RawRun> {
  const tree = { platform: options.platform, spawn: options.spawn }
  const grace = options.killGraceMs ?? 2000
  return new Promise((resolve) => {
    const state: RawRun = {
      exitCode: null,
      signal: null,
      timedOut: false,
      aborted: false,
      startError: null,
    }
    const timers: Timer[] = []
    const after = (ms: number, fn: () => void) => {
      const t = clock.setTimeout(fn, ms)
      t.unref?.()
      timers.push(t)
    }
    let child: ReturnType<typeof spawnTree>
    try {
      child = spawnTree(command, {
        cwd: planned.cwd,
        env: checkEnv(options.env ?? process.env, planned.env),
        ...tree,
      })
    } catch (error) {
      resolve({ ...state, startError: (error as Error).message })
      return
    }
    let settled = false
    let exited = false
    const finish = () => {
      if (settled) return
      settled = true
      for (const t of timers) clock.clearTimeout(t)
      options.signal?.removeEventListener('abort', onAbort)
      child.stdout?.destroy()
      child.stderr?.destroy()
      resolve(state)
    }
    const stop = () => {
      if (child.pid === undefined || exited) return
      killTree(child.pid, 'SIGTERM', tree)
      after(grace, () => {
        if (child.pid !== undefined) killTree(child.pid, 'SIGKILL', tree)
      })
    }
    function onAbort() {
      state.aborted = true
      stop()
    }
    const push = (chunk: Buffer) => {
      for (const sink of sinks) sink.push(chunk)
    }
    child.stdout?.on('data', push)
    child.stderr?.on('data', push)
    child.on('error', (error) => {
      // Spawn failures (ENOENT, EACCES) come here without an 'exit'.
      if (!exited) {
        state.startError = `could not start ${command[0] ?? ''}: ${error.message}`
        finish()
      }
    })
    child.on('exit', (code, signal) => {
      exited = true
      state.exitCode = code
      state.signal = signal
      // Whatever the runner left behind in its group (a leaked server, a hung worker) goes too; on
      // POSIX the group outlives its leader, so this still reaches them.
      if (child.pid !== undefined && (options.platform ?? process.platform) !== 'win32')
        killTree(child.pid, 'SIGKILL', tree)
      // Leftovers may hold the pipes open; do not wait on them for long.
      after(DRAIN_MS, finish)
    })
    child.on('close', finish)
    after(timeoutMs, () => {
      state.timedOut = true
      push(Buffer.from(timeoutNote(timeoutMs)))
      stop()
    })
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function readReport(planned: PlannedCheck, reportFile: string | null): ParsedRun | null {
  if (planned.format === 'text' || !reportFile) return null
  let report: string
  try {
    if (statSync(reportFile).size > MAX_REPORT_BYTES) return null
    report = readFileSync(reportFile, 'utf8')
  } catch {
    return null // the runner died before writing it; the text is all there is
  }
  if (report.trim() === '') return null
  try {
    return planned.format === 'node-tap'
      ? parseNodeTap(report, planned.cwd)
      : parseJestJson(report, planned.cwd)
  } catch {
    return null // not the report we asked for; the exit code and the text decide
  }
}

function failedToStart(
  planned: PlannedCheck,
  message: string,
  command = planned.command,
): CheckResult {
  return {
    name: planned.name,
    command: [...command],
    passed: false,
    exitCode: null,
    signal: null,
    timedOut: false,
    durationMs: 0,
    output: message,
    failures: [],
  }
}

/** The line added to a check's output when its timeout stopped it. */
export function timeoutNote(timeoutMs: number): string {
  return `\n[fixloop: stopped after the ${formatMs(timeoutMs)} timeout]\n`
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}
