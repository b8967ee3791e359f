/**
 * Runs Claude Code headless in a shadow workspace and reports what happened. Spawned without a
 * shell as the leader of its own process group (POSIX; taskkill /T on Windows), so abort, timeout
 * and a budget overrun end Claude Code and whatever its Bash tool started. stdout is read line by
 * line as stream-json, stderr's tail is kept; nothing of either is retained beyond the tally.
 */
import { spawn as nodeSpawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { killTree, spawnTree } from '../../checks/process-tree'
import { resolveExecutable } from '../../checks/resolve-bin'
import { TailBuffer } from '../../checks/tail-buffer'
import { systemClock } from '../../util/clock'
import type { Timer } from '../../util/clock'
import { buildClaudeArgs } from './args'
import { envRedactor } from './env-redactor'
import { JsonLines } from './json-lines'
import { buildOutcome } from './outcome'
import type { ProcessEnd } from './outcome'
import { RunTally } from './run-tally'
import { readStreamMessage } from './stream-messages'
import type { ClaudeCodeEvent, ClaudeCodeResult, RunClaudeCodeOptions } from './types'

export const DEFAULT_TIMEOUT_MS = 15 * 60_000
const DEFAULT_KILL_GRACE_MS = 2000
const DEFAULT_EXIT_GRACE_MS = 5000
const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024
const DEFAULT_MAX_STDERR_BYTES = 16 * 1024
/** How long to wait for the pipes to drain after Claude Code exits. */
const DRAIN_MS = 500

/**
 * Runs Claude Code once and resolves with what happened. Never rejects for a failed run (not
 * found, crash, timeout, abort, refusal: all are results); rejects only for invalid options.
 */
export async function runClaudeCode(options: RunClaudeCodeOptions): Promise<ClaudeCodeResult> {
  const args = buildClaudeArgs(options)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`)
  const clock = options.clock ?? systemClock
  const platform = options.platform ?? process.platform
  const redact = envRedactor(options.env)
  const emit = (event: ClaudeCodeEvent) => {
    try {
      options.onEvent?.(event)
    } catch {
      // The live log must not break the run.
    }
  }
  const tally = new RunTally(options.cwd, redact, emit)
  const stderr = new TailBuffer(options.maxStderrBytes ?? DEFAULT_MAX_STDERR_BYTES)
  const ctx = { maxTurns: options.maxTurns, maxBudgetUsd: options.maxBudgetUsd, timeoutMs, redact }
  const started = clock.now()
  const end: ProcessEnd = {
    stoppedBy: null,
    startError: null,
    exitCode: null,
    signal: null,
    durationMs: 0,
    stderrTail: '',
  }
  const finish = () => {
    end.durationMs = Math.max(0, clock.now() - started)
    end.stderrTail = stderr.text()
    return buildOutcome(tally, end, ctx)
  }

  if (options.signal?.aborted) {
    end.stoppedBy = 'aborted'
    return finish()
  }
  const command = executableArgv(options.executable, platform, options.env, options.cwd)
  if (typeof command === 'string') {
    end.startError = command
    return finish()
  }

  let child: ChildProcess
  try {
    child = spawnTree([...command, ...args], {
      cwd: options.cwd,
      env: options.env,
      platform,
      // spawnTree's launcher seam, to get a stdin pipe for the prompt (it ignores stdin itself).
      spawn: (cmd, argv, opts) =>
        nodeSpawn(cmd, argv, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] }),
    })
  } catch (error) {
    end.startError = (error as Error).message
    return finish()
  }

  await new Promise<void>((resolve) => {
    const timers: Timer[] = []
    const after = (ms: number, fn: () => void) => {
      const t = clock.setTimeout(fn, ms)
      t.unref?.()
      timers.push(t)
    }
    let exited = false
    let settled = false
    let stopping = false
    const settle = () => {
      if (settled) return
      settled = true
      for (const t of timers) clock.clearTimeout(t)
      options.signal?.removeEventListener('abort', onAbort)
      lines.end()
      child.stdout?.destroy()
      child.stderr?.destroy()
      resolve()
    }
    const tree = { platform }
    const stop = (why: ProcessEnd['stoppedBy']) => {
      // A result that already arrived stands; we only stop the lingering process.
      if (why !== null && end.stoppedBy === null && tally.result === null) end.stoppedBy = why
      if (stopping || exited || child.pid === undefined) return
      stopping = true
      killTree(child.pid, 'SIGTERM', tree)
      after(options.killGraceMs ?? DEFAULT_KILL_GRACE_MS, () => {
        if (child.pid !== undefined) killTree(child.pid, 'SIGKILL', tree)
      })
    }
    function onAbort() {
      stop('aborted')
    }

    const lines = new JsonLines((raw) => {
      const message = readStreamMessage(raw)
      if (!message || end.stoppedBy !== null) return
      const hadResult = tally.result !== null
      tally.add(message)
      if (!hadResult && tally.result !== null) {
        // Claude Code is done; do not let a hung MCP server or hook keep it alive.
        after(options.exitGraceMs ?? DEFAULT_EXIT_GRACE_MS, () => stop(null))
      }
      const budget = options.maxBudgetUsd
      if (budget !== undefined && tally.result === null && tally.estimate().costUsd > budget)
        stop('budget')
    }, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)

    child.stdout?.on('data', (chunk: Buffer) => lines.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
    // EPIPE when Claude Code exits before reading its prompt: the exit says what happened.
    child.stdin?.on('error', () => {})
    child.stdin?.end(options.prompt)
    child.on('error', (error) => {
      if (exited) return
      end.startError = `${command[0]}: ${error.message}`
      settle()
    })
    child.on('exit', (code, signal) => {
      exited = true
      end.exitCode = code
      end.signal = signal
      // What the Bash tool left running in the group goes too (POSIX: the group outlives its leader).
      if (child.pid !== undefined && platform !== 'win32') killTree(child.pid, 'SIGKILL', tree)
      after(DRAIN_MS, settle)
    })
    child.on('close', settle)
    after(timeoutMs, () => stop('timeout'))
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
  })
  return finish()
}

/**
 * The argv prefix to spawn, or why there is none. A Windows `.cmd`/`.bat` cannot be spawned
 * without a shell (Node refuses since 20.12.2, CVE-2024-27980), so an npm shim is read and
 * replaced by what it runs (`node cli.js` or `claude.exe`), as `findClaudeCode` does.
 */
function executableArgv(
  executable: string | readonly string[],
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  cwd: string,
): string[] | string {
  const argv = typeof executable === 'string' ? [executable] : [...executable]
  const first = argv[0]
  if (first === undefined || first === '') return 'no executable was given'
  if (platform === 'win32' && /\.(cmd|bat)$/i.test(first)) {
    const resolved = resolveExecutable(first, { root: cwd, platform, env, localBins: false })
    if (!resolved)
      return `${first} is a batch file that is not an npm shim; it cannot run without a shell`
    return [...resolved, ...argv.slice(1)]
  }
  return argv
}
