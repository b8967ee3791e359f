/**
 * `fixer: "claude-code"` through the whole engine, with the stand-in `claude` executable of
 * test/support/fake-claude (a fake of an external program: it replays a recorded stream-json
 * transcript and really edits files in its working folder). Claude Code works in the shadow;
 * Fixloop's verification judges; the user's tree changes only at apply.
 */
import { delimiter } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { clearClaudeCodeCache } from '../../../src/main/core/fix/claude-code'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { finished } from '../../support/engine-events'
import { FAKE_CLAUDE_DIR, readArgsLog, tempDir } from '../../support/fake-claude'
import { BROKEN_MATH, GOOD_MATH, createSampleProject } from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'

let project: SampleProject
let engine: Orchestrator | null = null
const saved = { ...process.env }

beforeEach(() => {
  project = createSampleProject()
  clearClaudeCodeCache()
})

afterEach(async () => {
  await engine?.stop()
  engine = null
  project.remove()
  for (const key of [
    'PATH',
    'FAKE_CLAUDE_ARGS_LOG',
    'FAKE_CLAUDE_TRANSCRIPT',
    'FAKE_CLAUDE_DELAY_MS',
  ]) {
    if (saved[key] === undefined) delete process.env[key]
    else process.env[key] = saved[key]
  }
  clearClaudeCodeCache()
})

function makeEngine(settings: Record<string, unknown> = {}) {
  project.write(
    'fixloop.config.json',
    JSON.stringify({
      fixer: 'claude-code',
      flakyReruns: 0,
      maxRetries: 2,
      maxWaitSeconds: 1,
      ...settings,
    }),
  )
  // No ANTHROPIC_API_KEY: Claude Code brings its own login.
  engine = new Orchestrator({
    config: loadConfig({ dir: project.root, env: { FILE_WATCH_DEBOUNCE_SECONDS: '0.1' } }),
    random: () => 0,
  })
  return engine
}

it('Claude Code fixes in the shadow, Fixloop verifies and applies, cost and turns recorded', async () => {
  const logDir = tempDir()
  process.env.PATH = `${FAKE_CLAUDE_DIR}${delimiter}${process.env.PATH ?? ''}`
  process.env.FAKE_CLAUDE_ARGS_LOG = `${logDir}/args.log`
  process.env.FAKE_CLAUDE_TRANSCRIPT = 'fix-edit.jsonl'
  const e = makeEngine()
  const treeBeforeApply: string[] = []
  e.on('task_updated', (t) => {
    if (t.phase === 'verify') treeBeforeApply.push(project.read('src/math.js'))
  })
  await e.start()
  const done = finished(e)
  project.write('src/math.js', BROKEN_MATH)
  const task = await done
  expect(task.outcome).toBe('fixed')
  expect(project.read('src/math.js')).toBe(GOOD_MATH)
  // While Claude Code worked and Fixloop verified, the user's file was the broken one.
  expect(treeBeforeApply.length).toBeGreaterThan(0)
  expect(treeBeforeApply.every((text) => text === BROKEN_MATH)).toBe(true)
  const log = readArgsLog({ FAKE_CLAUDE_ARGS_LOG: process.env.FAKE_CLAUDE_ARGS_LOG })
  expect(log.cwd).not.toBe(project.root)
  expect(log.cwd.startsWith(project.root)).toBe(false)
  expect(log.args).toContain('--max-turns')
  expect(log.args).toContain('stream-json')
  expect(log.prompt).toMatch(/add sums two numbers/)
  expect(task.usage.costUsd).toBeCloseTo(0.0421365, 6)
  expect(task.usage.requests).toBe(4)
  expect(task.attempts).toHaveLength(1)
  expect(task.attempts[0]?.edits.map((x) => x.path)).toEqual(['src/math.js'])
  expect(task.attempts[0]?.checks.every((c) => c.passed)).toBe(true)
  expect(task.diff).toContain('+  return a + b')
  const health = await e.checkHealth()
  expect(health.checks.find((c) => c.name === 'fixer')).toMatchObject({ ok: true })
  expect(health.checks.find((c) => c.name === 'fixer')?.detail).toMatch(/^Claude Code 2\.1\.80 at /)
  expect(health.checks.find((c) => c.name === 'api_key')?.detail).toMatch(/not needed/)
})

it('Claude Code not installed: auto-fix pauses saying so, the tree untouched', async () => {
  process.env.PATH = tempDir()
  const e = makeEngine()
  await e.start()
  const done = finished(e)
  project.write('src/math.js', BROKEN_MATH)
  const task = await done
  expect(task.status).toBe('failed')
  expect(task.failureReason).toMatch(/Claude Code .*not found/i)
  expect(e.status).toBe('paused')
  expect(project.read('src/math.js')).toBe(BROKEN_MATH)
  const health = await e.checkHealth()
  expect(health.checks.find((c) => c.name === 'fixer')).toMatchObject({ ok: false })
})

it('a file the user changes while Claude Code works is not overwritten: the fix is not taken', async () => {
  const logDir = tempDir()
  process.env.PATH = `${FAKE_CLAUDE_DIR}${delimiter}${process.env.PATH ?? ''}`
  process.env.FAKE_CLAUDE_ARGS_LOG = `${logDir}/args.log`
  process.env.FAKE_CLAUDE_TRANSCRIPT = 'fix-edit.jsonl'
  process.env.FAKE_CLAUDE_DELAY_MS = '150'
  const mine = BROKEN_MATH.replace('a - b', 'b - a // mine')
  const e = makeEngine()
  e.on('task_updated', (t) => {
    if (t.phase === 'fix' && project.read('src/math.js') === BROKEN_MATH)
      project.write('src/math.js', mine)
  })
  await e.start()
  const done = finished(e)
  project.write('src/math.js', BROKEN_MATH)
  const task = await done
  delete process.env.FAKE_CLAUDE_DELAY_MS
  expect(task.status).toBe('failed')
  expect(task.failureReason).toMatch(/src\/math\.js changed in your tree while Claude Code worked/)
  expect(task.escalations.filter((x) => x.channel !== 'log')).toHaveLength(0)
  expect(project.read('src/math.js')).toBe(mine)
})

it('a red round is followed by one that resumes the same Claude Code session, told what failed', async () => {
  const logDir = tempDir()
  process.env.PATH = `${FAKE_CLAUDE_DIR}${delimiter}${process.env.PATH ?? ''}`
  process.env.FAKE_CLAUDE_ARGS_LOG = `${logDir}/args.log`
  // This transcript changes double() and leaves add() broken: verification stays red.
  process.env.FAKE_CLAUDE_TRANSCRIPT = 'new-file.jsonl'
  const e = makeEngine({ maxRetries: 2 })
  const prompts: string[][] = []
  e.on('task_updated', (t) => {
    if (t.phase === 'verify' && t.attempts.length > prompts.length) {
      const log = readArgsLog({ FAKE_CLAUDE_ARGS_LOG: `${logDir}/args.log` })
      prompts.push([log.prompt, log.args.join(' ')])
    }
  })
  await e.start()
  const done = finished(e)
  project.write('src/math.js', BROKEN_MATH)
  const task = await done
  expect(task.status).toBe('failed')
  expect(task.attempts).toHaveLength(2)
  expect(prompts).toHaveLength(2)
  expect(prompts[0]![1]).not.toContain('--resume')
  expect(prompts[1]![1]).toContain('--resume 6f1c2b9e-3d4a-4e5f-9a8b-7c6d5e4f3a2b')
  expect(prompts[1]![0]).toMatch(/Attempt 2 of 2/)
  expect(prompts[1]![0]).toMatch(/verification of your fix failed/)
  expect(project.read('src/math.js')).toBe(BROKEN_MATH)
})
