import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runClaudeCode } from '../../../../src/main/core/fix/claude-code'
import { isAlive, waitFor } from '../../../support/processes'
import type {
  ClaudeCodeEvent,
  RunClaudeCodeOptions,
} from '../../../../src/main/core/fix/claude-code'
import {
  FAKE_CLAUDE,
  fakeClaudeEnv,
  readArgsLog,
  readPids,
  shadowPair,
} from '../../../support/fake-claude'

const SECRET = 'sk-ant-api03-SECRETVALUE-0123456789abcdef'

function setup(extra: Record<string, string> = {}) {
  const pair = shadowPair()
  const pidFile = path.join(pair.dir, 'pids.json')
  const env = fakeClaudeEnv(pair.dir, { FAKE_CLAUDE_PID_FILE: pidFile, ...extra })
  const events: ClaudeCodeEvent[] = []
  const options: RunClaudeCodeOptions = {
    executable: FAKE_CLAUDE,
    cwd: pair.shadow,
    prompt: 'Fix the failing test.',
    appendSystemPrompt: 'Fixloop rules.',
    checkCommand: pair.checkCommand,
    maxTurns: 8,
    env,
    onEvent: (e) => events.push(e),
  }
  return { ...pair, env, events, options, pidFile }
}

describe('runClaudeCode stops', () => {
  it('reports max_turns when Claude Code runs out of turns', async () => {
    const { options } = setup({ FAKE_CLAUDE_MODE: 'max-turns' })
    const result = await runClaudeCode({ ...options, maxTurns: 2 })
    expect(result).toMatchObject({ ok: false, stopReason: 'max_turns', turns: 2 })
    expect(result.error).toMatch(/2 turns/)
    expect(result.editedPaths).toEqual(['src/math.js'])
  })

  it('kills the whole process tree on abort', async () => {
    const { options, pidFile } = setup({ FAKE_CLAUDE_MODE: 'hang' })
    const controller = new AbortController()
    const running = runClaudeCode({ ...options, signal: controller.signal })
    const pids = await readPids(pidFile)
    expect(isAlive(pids.claude) && isAlive(pids.child)).toBe(true)
    controller.abort()
    const result = await running
    expect(result).toMatchObject({ ok: false, stopReason: 'aborted', turns: 1 })
    expect(await waitFor(() => !isAlive(pids.claude) && !isAlive(pids.child))).toBe(true)
  })

  it('does not start Claude Code when already aborted', async () => {
    const { options, env } = setup()
    const controller = new AbortController()
    controller.abort()
    const result = await runClaudeCode({ ...options, signal: controller.signal })
    expect(result.stopReason).toBe('aborted')
    expect(() => readArgsLog(env)).toThrow()
  })

  it('stops at the timeout, with SIGKILL when SIGTERM is ignored', async () => {
    const { options, pidFile } = setup({
      FAKE_CLAUDE_MODE: 'hang',
      FAKE_CLAUDE_IGNORE_SIGTERM: '1',
    })
    const result = await runClaudeCode({ ...options, timeoutMs: 600, killGraceMs: 200 })
    expect(result).toMatchObject({ ok: false, stopReason: 'timeout', exitSignal: 'SIGKILL' })
    expect(result.durationMs).toBeGreaterThanOrEqual(800)
    expect(result.error).toMatch(/did not finish within 0\.6 s/)
    const pids = await readPids(pidFile)
    expect(await waitFor(() => !isAlive(pids.claude) && !isAlive(pids.child))).toBe(true)
  })

  it('reports a crash with the tail of stderr', async () => {
    const { options } = setup({ FAKE_CLAUDE_MODE: 'crash' })
    const result = await runClaudeCode(options)
    expect(result).toMatchObject({ ok: false, stopReason: 'crashed', exitCode: 1 })
    expect(result.error).toMatch(/exited with code 1 before it reported a result: Error: request/)
    expect(result.error).toMatch(/crashed on purpose/)
    expect(result.stderrTail).toMatch(/fake claude crashed on purpose/)
  })

  it('reports an executable that cannot be started', async () => {
    const { options } = setup()
    const result = await runClaudeCode({ ...options, executable: '/nowhere/claude' })
    expect(result).toMatchObject({ ok: false, stopReason: 'crashed', exitCode: null })
    expect(result.error).toMatch(/^Could not start Claude Code: .*ENOENT.*set fixer to api/)
  })

  it('stops the process when the running cost overruns the budget', async () => {
    const { options, env } = setup({ FAKE_CLAUDE_MODE: 'costly' })
    const started = Date.now()
    const result = await runClaudeCode({ ...options, maxBudgetUsd: 2 })
    expect(result).toMatchObject({ ok: false, stopReason: 'budget', costEstimated: true })
    // 100k output tokens of Sonnet 4.5 at $15/M is $1.50 a response: the second one overruns.
    expect(result.costUsd).toBeCloseTo(3, 2)
    expect(result.usage.outputTokens).toBe(200_000)
    expect(result.error).toMatch(/about \$3\.00\) went over the \$2 budget/)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(await waitFor(() => !isAlive(readArgsLog(env).pid))).toBe(true)
  })

  it('reports budget when Claude Code stops at --max-budget-usd itself', async () => {
    const { options } = setup({ FAKE_CLAUDE_MODE: 'budget-result' })
    const result = await runClaudeCode({ ...options, maxBudgetUsd: 0.5 })
    expect(result).toMatchObject({ ok: false, stopReason: 'budget', costUsd: 0.51 })
    expect(result.error).toMatch(/\$0\.5 budget \(--max-budget-usd\)/)
  })

  it('tells the user to log in to Claude Code when it is not signed in', async () => {
    const { options } = setup({ FAKE_CLAUDE_MODE: 'not-logged-in' })
    const result = await runClaudeCode(options)
    expect(result).toMatchObject({ ok: false, stopReason: 'error' })
    expect(result.error).toMatch(/could not sign in .*run `claude` once and log in/)
  })

  it('keeps the result when Claude Code lingers after it, and ends the process', async () => {
    const { options } = setup({ FAKE_CLAUDE_MODE: 'linger' })
    const result = await runClaudeCode({ ...options, exitGraceMs: 200 })
    expect(result).toMatchObject({ ok: true, stopReason: 'success', costUsd: 0.0421365 })
    expect(result).toMatchObject({ exitCode: null, exitSignal: 'SIGTERM' })
  })

  it('never lets a secret of the environment into the error, stderr or the live log', async () => {
    const { options, events } = setup({
      FAKE_CLAUDE_MODE: 'crash',
      FAKE_CLAUDE_LEAK_ENV: 'MY_SERVICE_TOKEN',
      MY_SERVICE_TOKEN: 'plain-looking-value-42',
      ANTHROPIC_API_KEY: SECRET,
    })
    const result = await runClaudeCode(options)
    expect(result.stderrTail).toContain('x-api-key: [redacted]')
    const leaked = [result.error, result.stderrTail, JSON.stringify(events)].join('\n')
    expect(leaked).not.toContain('plain-looking-value-42')
    expect(leaked).not.toContain(SECRET)
  })
})
