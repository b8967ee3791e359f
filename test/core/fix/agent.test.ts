/**
 * The fix agent's conversation handling, against the fake Messages API over real HTTP, with the
 * real sandboxed editor on a temp folder: a fresh conversation when the context window demands it,
 * pause_turn, a malformed finish, the run_checks cap, end_turn without finish.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { tableCapabilities } from '../../../src/main/core/claude/capabilities'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import { FixAgent } from '../../../src/main/core/fix/agent'
import type { ToolOutcome } from '../../../src/main/core/fix/agent-types'
import { createSandboxedEditor } from '../../../src/main/core/fix/editor'
import { Journal } from '../../../src/main/core/fix/journal'
import {
  callTools,
  message,
  promptTooLong,
  say,
  startFakeAnthropic,
  text,
  toolUse,
} from '../../support/fake-anthropic'
import type { FakeAnthropic } from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'
import { BROKEN_MATH, GOOD_MATH } from '../../support/sample-project'

let fake: FakeAnthropic
let root: string
let checksRun: Array<string[] | null>

beforeEach(async () => {
  fake = await startFakeAnthropic()
  root = mkdtempSync(join(tmpdir(), 'fixloop-agent-'))
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'src/math.js'), BROKEN_MATH)
  checksRun = []
})

afterEach(async () => {
  await fake.close()
  rmSync(root, { recursive: true, force: true })
})

async function agent(capabilities = tableCapabilities('claude-sonnet-5-5')) {
  const journal = await Journal.begin(root, 'task_agent')
  const client = createClaudeClient({
    apiKey: 'sk-ant-api03-agent-test-0123456789',
    baseURL: fake.baseURL,
    clock: instantClock().clock,
    random: () => 0,
  })
  const notes: string[] = []
  const a = new FixAgent(
    {
      files: ['src/math.js'],
      checks: [],
      change: null,
      sources: [{ path: 'src/math.js', content: BROKEN_MATH }],
      maxRounds: 3,
    },
    {
      client,
      capabilities,
      editsSoFar: () => journal.diff(),
      onNote: (n) => notes.push(n),
      tools: {
        editor: createSandboxedEditor({ root, journal }),
        runChecks: async (files): Promise<ToolOutcome> => {
          checksRun.push(files)
          return { content: 'FAIL related', isError: false }
        },
        search: { execute: async () => ({ content: 'No matches.', isError: false }) },
        maxChecksPerRound: 2,
      },
    },
  )
  return { a, notes }
}

const finish = (summary = 'Fixed add().') =>
  callTools(
    toolUse({ root_cause: 'add subtracts', summary, tests_look_wrong: false }, { name: 'finish' }),
  )
type Body = { messages: { role: string; content: unknown }[] }
const bodies = () => fake.messageRequests().map((r) => r.body as Body)

it('a request that no longer fits the context window starts a fresh conversation seeded with the edits', async () => {
  const { a, notes } = await agent()
  fake.enqueue(
    callTools(
      toolUse({ command: 'str_replace', path: 'src/math.js', old_str: 'a - b', new_str: 'a * b' }),
    ),
    promptTooLong(),
    callTools(
      toolUse({ command: 'str_replace', path: 'src/math.js', old_str: 'a * b', new_str: 'a + b' }),
    ),
    finish(),
  )
  const result = await a.round(1, null)
  expect(result.stop).toBe('finish')
  expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toBe(GOOD_MATH)
  expect(a.restarts).toBe(1)
  expect(notes.some((n) => /fresh conversation/.test(n))).toBe(true)
  const fresh = bodies()[2]!
  expect(fresh.messages).toHaveLength(1)
  const seed = JSON.stringify(fresh.messages[0]!.content)
  expect(seed).toMatch(/fresh conversation/)
  expect(seed).toContain('+  return a * b')
})

it('a conversation nearing the context window is restarted before it is sent', async () => {
  const small = {
    ...tableCapabilities('claude-sonnet-5-5'),
    maxInputTokens: 30_000,
    maxOutputTokens: 8_000,
  }
  const { a } = await agent(small)
  fake.enqueue(
    message([text('x'.repeat(40)), toolUse({ command: 'view', path: 'src/math.js' })], {
      stopReason: 'tool_use',
      usage: { input_tokens: 20_000 },
    }),
    finish(),
  )
  const result = await a.round(1, null)
  expect(result.stop).toBe('finish')
  expect(a.restarts).toBe(1)
  expect(bodies()[1]!.messages).toHaveLength(1)
})

it('pause_turn sends the conversation back as it is; end_turn without finish ends the round with its words', async () => {
  const { a } = await agent()
  fake.enqueue(
    message([text('Still thinking')], { stopReason: 'pause_turn' }),
    say('I could not find the cause.'),
  )
  const result = await a.round(1, null)
  expect(result.stop).toBe('end_turn')
  expect(result.summary).toBe('I could not find the cause.')
  const second = bodies()[1]!
  expect(second.messages.at(-1)?.role).toBe('assistant')
  // The next round's feedback goes in as plain words (no finish to answer).
  fake.enqueue(finish())
  await a.round(2, 'Still red.')
  const third = bodies()[2]!
  expect(JSON.stringify(third.messages.at(-1))).toMatch(/Still red\..*round 2 of 3/)
})

it('a malformed finish is answered with the error and the round goes on; run_checks is capped per round', async () => {
  const { a } = await agent()
  fake.enqueue(
    callTools(
      toolUse({ files: ['src/math.js'] }, { name: 'run_checks', id: 'toolu_c1' }),
      toolUse({}, { name: 'run_checks', id: 'toolu_c2' }),
      toolUse({}, { name: 'run_checks', id: 'toolu_c3' }),
    ),
    callTools(toolUse({ summary: 'no cause given' }, { name: 'finish', id: 'toolu_bad' })),
    finish(),
  )
  const result = await a.round(1, null)
  expect(result.stop).toBe('finish')
  expect(checksRun).toEqual([['src/math.js'], null])
  const second = JSON.stringify(bodies()[1]!.messages.at(-1))
  expect(second).toMatch(/run_checks ran 2 times this round/)
  const third = JSON.stringify(bodies()[2]!.messages.at(-1))
  expect(third).toMatch(/Invalid finish input \(root_cause/)
})
