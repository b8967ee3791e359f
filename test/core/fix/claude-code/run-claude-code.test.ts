import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runClaudeCode } from '../../../../src/main/core/fix/claude-code'
import type {
  ClaudeCodeEvent,
  RunClaudeCodeOptions,
} from '../../../../src/main/core/fix/claude-code'
import { checkCommandLine } from '../../../../src/main/core/fix/claude-code/args'
import { BROKEN_MATH, GOOD_MATH } from '../../../support/sample-project'
import { FAKE_CLAUDE, fakeClaudeEnv, readArgsLog, shadowPair } from '../../../support/fake-claude'

const RULES = 'Fixloop rules: change only what the failing test needs; never edit the tests.'

function setup(extra: Record<string, string> = {}) {
  const pair = shadowPair()
  const env = fakeClaudeEnv(pair.dir, extra)
  const events: ClaudeCodeEvent[] = []
  const options: RunClaudeCodeOptions = {
    executable: FAKE_CLAUDE,
    cwd: pair.shadow,
    prompt: `The test test/math.test.js fails. Run \`${checkCommandLine(pair.checkCommand)}\` to check.`,
    appendSystemPrompt: RULES,
    checkCommand: pair.checkCommand,
    maxTurns: 8,
    env,
    onEvent: (e) => events.push(e),
  }
  return { ...pair, env, events, options }
}

describe('runClaudeCode', () => {
  it('runs in the shadow, where the edit lands, and leaves the user tree alone', async () => {
    const { options, project, shadow } = setup()
    const result = await runClaudeCode(options)
    expect(result.stopReason).toBe('success')
    expect(result.ok).toBe(true)
    expect(readFileSync(path.join(shadow, 'src/math.js'), 'utf8')).toBe(
      BROKEN_MATH.replace('a - b', 'a + b'),
    )
    expect(readFileSync(path.join(shadow, 'src/math.js'), 'utf8')).toBe(GOOD_MATH)
    expect(readFileSync(path.join(project, 'src/math.js'), 'utf8')).toBe(BROKEN_MATH)
  })

  it('gives Claude Code the allow-list, the turn limit, stream-json, the rules and the prompt', async () => {
    const { options, env, shadow, checkCommand } = setup()
    await runClaudeCode({ ...options, model: 'claude-sonnet-4-5', maxBudgetUsd: 2 })
    const log = readArgsLog(env)
    expect(log.cwd).toBe(shadow)
    expect(log.prompt).toBe(options.prompt)
    const args = log.args.join(' ')
    expect(args).toContain('--output-format stream-json --verbose')
    expect(args).toContain('--permission-mode dontAsk')
    expect(args).toContain('--max-turns 8')
    expect(args).toContain('--max-budget-usd 2')
    expect(args).toContain('--model claude-sonnet-4-5')
    expect(log.args.at(-1)).toBe(RULES)
    const bash = log.args.filter((a) => a.startsWith('Bash'))
    expect(bash).toEqual([`Bash(${checkCommandLine(checkCommand)})`])
    expect(log.args).not.toContain('--dangerously-skip-permissions')
  })

  it('reads cost, usage, turns, summary and session from the result message', async () => {
    const { options } = setup()
    const result = await runClaudeCode(options)
    expect(result).toMatchObject({
      summary: expect.stringMatching(/^Fixed: `add` subtracted/),
      costUsd: 0.0421365,
      costEstimated: false,
      usage: { inputTokens: 18, outputTokens: 278, cacheReadTokens: 54578, cacheWriteTokens: 2960 },
      turns: 4,
      sessionId: '6f1c2b9e-3d4a-4e5f-9a8b-7c6d5e4f3a2b',
      exitCode: 0,
    })
    expect(result.error).toBeUndefined()
    expect(result.durationMs).toBeGreaterThan(0)
  })

  it('lists the edited paths relative to the shadow, and counts tool uses', async () => {
    const { options } = setup()
    const result = await runClaudeCode(options)
    expect(result.editedPaths).toEqual(['src/math.js'])
    expect(result.toolUses).toBe(3)
    expect(result.permissionDenials).toEqual([])
  })

  it('reports tool uses and text to the live log as they happen', async () => {
    const { options, events, checkCommand } = setup()
    await runClaudeCode(options)
    expect(events[0]).toMatchObject({ type: 'init', model: 'claude-sonnet-4-5-20250929' })
    const uses = events.filter((e) => e.type === 'tool_use')
    expect(uses.map((e) => [e.name, e.target])).toEqual([
      ['Read', 'src/math.js'],
      ['Edit', 'src/math.js'],
      ['Bash', checkCommandLine(checkCommand)],
    ])
    expect(events).toContainEqual({
      type: 'text',
      text: "I'll read the code the failing test covers.",
    })
  })

  it('keeps refused edits and commands out of editedPaths and reports the refusals', async () => {
    const { options, dir, shadow } = setup({ FAKE_CLAUDE_TRANSCRIPT: 'new-file.jsonl' })
    const result = await runClaudeCode(options)
    expect(result.stopReason).toBe('success')
    expect(result.editedPaths).toEqual(['src/clamp.js', 'src/math.js'])
    expect(existsSync(path.join(shadow, 'src/clamp.js'))).toBe(true)
    expect(readFileSync(path.join(shadow, 'src/math.js'), 'utf8')).toContain('return n * 2')
    // The edit aimed outside the shadow was refused and nothing landed there.
    expect(result.outsidePaths).toEqual([path.join(shadow, '..', 'outside-edit.txt')])
    expect(existsSync(path.join(dir, 'outside-edit.txt'))).toBe(false)
    expect(result.permissionDenials).toEqual([
      `Write: ${shadow}/../outside-edit.txt`,
      'Bash: git push origin main',
    ])
  })

  it('ignores stdout lines that are not JSON and lines over the size bound', async () => {
    const { options } = setup({
      FAKE_CLAUDE_TRANSCRIPT: 'new-file.jsonl',
      FAKE_CLAUDE_MODE: 'noise',
      FAKE_CLAUDE_NOISE_BYTES: String(200_000),
    })
    const result = await runClaudeCode({ ...options, maxLineBytes: 64 * 1024 })
    expect(result.stopReason).toBe('success')
    expect(result.editedPaths).toEqual(['src/clamp.js', 'src/math.js'])
  })

  it('passes the environment through as given', async () => {
    const { options, env } = setup({ ANTHROPIC_API_KEY: 'sk-ant-api03-test-key-0123456789' })
    await runClaudeCode(options)
    expect(readArgsLog(env).secretsPresent).toEqual(['ANTHROPIC_API_KEY'])
  })

  it('survives a live-log listener that throws', async () => {
    const { options } = setup()
    const result = await runClaudeCode({
      ...options,
      onEvent: () => {
        throw new Error('listener broke')
      },
    })
    expect(result.stopReason).toBe('success')
  })
})
