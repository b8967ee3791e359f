import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Plan, type CheckResult } from '../../../src/shared/domain'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import { ClaudeAuthError, ClaudeServerError } from '../../../src/main/core/claude/errors'
import {
  PLAN_TOOL_NAME,
  planFix,
  planningStopsTask,
  type PlanInput,
} from '../../../src/main/core/fix/planner'
import {
  badRequest,
  callTools,
  message,
  say,
  serverError,
  startFakeAnthropic,
  text,
  toolUse,
  unauthorized,
  type FakeAnthropic,
} from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'

let api: FakeAnthropic
beforeEach(async () => {
  api = await startFakeAnthropic()
})
afterEach(async () => {
  await api.close()
})

function client(model = 'claude-sonnet-5-5') {
  return createClaudeClient({
    apiKey: 'sk-ant-test-key',
    baseURL: api.baseURL,
    model,
    clock: instantClock().clock,
    maxAttempts: 2,
  })
}

const failingCheck = (output: string): CheckResult => ({
  name: 'related',
  command: ['npx', 'vitest', 'run', 'test/math.test.ts'],
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 812,
  output,
  failures: [{ name: 'add adds', file: 'test/math.test.ts', message: 'expected 3, received -1' }],
})

const input = (overrides: Partial<PlanInput> = {}): PlanInput => ({
  files: ['src/math.ts'],
  checks: [failingCheck('FAIL test/math.test.ts > add adds\nAssertionError: expected -1 to be 3')],
  diff: '--- a/src/math.ts\n+++ b/src/math.ts\n@@ -1 +1 @@\n-  return a + b\n+  return a - b\n',
  sources: [{ path: 'src/math.ts', content: 'export function add(a, b) {\n  return a - b\n}\n' }],
  ...overrides,
})

const goodPlan = {
  rootCause: 'add() subtracts instead of adding since the last change.',
  files: ['./src/math.ts'],
  steps: ['Change `a - b` back to `a + b` in add().'],
  risk: 'low',
  testsLookWrong: false,
}

const planCall = (planInput: unknown) => callTools(toolUse(planInput, { name: PLAN_TOOL_NAME }))

describe('planFix', () => {
  it('returns Claude’s plan from the submit_plan tool, validated into a Plan', async () => {
    api.enqueue(planCall(goodPlan))

    const outcome = await planFix(input(), { client: client() })

    expect(outcome.error).toBeUndefined()
    expect(Plan.parse(outcome.plan)).toEqual({
      ...goodPlan,
      files: ['src/math.ts'],
      source: 'claude',
    })
    expect(outcome.usage.requests).toBe(1)
    expect(outcome.usage.costUsd).toBeGreaterThan(0)
  })

  it('sends the failing output, the diff and the sources with project-relative paths', async () => {
    api.enqueue(planCall(goodPlan))

    await planFix(input({ sources: [{ path: './src\\math.ts', content: 'SOURCE-BODY' }] }), {
      client: client(),
    })

    const [body] = api.messageBodies()
    const prompt = JSON.stringify(body?.messages)
    expect(prompt).toContain('expected -1 to be 3')
    expect(prompt).toContain('expected 3, received -1')
    expect(prompt).toContain('+  return a - b')
    expect(prompt).toContain('<file path=\\"src/math.ts\\">\\nSOURCE-BODY')
    expect(body?.tools?.map((t) => t.name)).toEqual([PLAN_TOOL_NAME])
    expect(Array.isArray(body?.system) && body.system[0]?.cache_control).toEqual({
      type: 'ephemeral',
    })
  })

  it('forces the plan tool with tool_choice where the model accepts it', async () => {
    api.enqueue(planCall(goodPlan))

    await planFix(input(), { client: client('claude-sonnet-5') })

    expect(api.messageBodies()[0]?.tool_choice).toEqual({ type: 'tool', name: PLAN_TOOL_NAME })
  })

  it('asks with tool_choice auto on claude-sonnet-5-5, which rejects forced tool use', async () => {
    api.enqueue(planCall(goodPlan))

    const outcome = await planFix(input(), { client: client('claude-sonnet-5-5') })

    expect(api.messageBodies()[0]?.tool_choice).toEqual({ type: 'auto' })
    expect(outcome.plan.source).toBe('claude')
  })

  it('asks again with auto when the model answers a forced tool_choice with a 400', async () => {
    api.enqueue(
      badRequest('tool_choice: forced tool use is not supported for this model'),
      planCall(goodPlan),
    )

    const outcome = await planFix(input(), { client: client('claude-sonnet-5') })

    expect(outcome.plan.source).toBe('claude')
    expect(api.messageBodies().map((b) => b.tool_choice?.type)).toEqual(['tool', 'auto'])
  })

  it('accepts a plan written as JSON text when the model did not call the tool', async () => {
    api.enqueue(say(`Here is the plan:\n\`\`\`json\n${JSON.stringify(goodPlan)}\n\`\`\``))

    const outcome = await planFix(input(), { client: client() })

    expect(outcome.plan).toMatchObject({ source: 'claude', risk: 'low' })
  })

  it('falls back to a default plan, with the reason, when the tool input breaks the schema', async () => {
    api.enqueue(planCall({ ...goodPlan, risk: 'extreme', steps: 'do it' }))

    const outcome = await planFix(input(), { client: client() })

    expect(outcome.plan.source).toBe('default')
    expect(outcome.plan.files).toEqual(['src/math.ts'])
    expect(outcome.plan.error).toMatch(/did not match the schema.*risk/)
    expect(outcome.usage.requests).toBe(1) // the request was paid for all the same
    expect(Plan.safeParse(outcome.plan).success).toBe(true)
  })

  it('falls back to a default plan when Claude answers without a plan', async () => {
    api.enqueue(message([text('I am not sure what is wrong.')], { stopReason: 'end_turn' }))

    const outcome = await planFix(input(), { client: client() })

    expect(outcome.plan.source).toBe('default')
    expect(outcome.plan.error).toContain('without calling submit_plan')
  })

  it('falls back to a default plan when the API fails, keeping the typed error', async () => {
    api.enqueue(serverError(), serverError())

    const outcome = await planFix(input(), { client: client() })

    expect(outcome.plan.source).toBe('default')
    expect(outcome.error).toBeInstanceOf(ClaudeServerError)
    expect(outcome.plan.error).toContain('HTTP 500')
    expect(planningStopsTask(outcome)).toBe(false)
  })

  it('says when a planning failure will stop the task anyway (key rejected)', async () => {
    api.enqueue(unauthorized())

    const outcome = await planFix(input(), { client: client() })

    expect(outcome.error).toBeInstanceOf(ClaudeAuthError)
    expect(planningStopsTask(outcome)).toBe(true)
  })

  it('trims huge check output to its head and tail, and caps the sources', async () => {
    api.enqueue(planCall(goodPlan))
    const noise = 'x'.repeat(200_000)
    const huge = `HEAD-LINE\n${noise}\nTAIL: expected 3 but got -1`
    const big = { path: 'src/big.ts', content: 'y'.repeat(500_000) }

    await planFix(input({ checks: [failingCheck(huge)], sources: [big, big] }), {
      client: client(),
      limits: { checkChars: 4000, fileChars: 10_000, sourceChars: 15_000 },
    })

    const [request] = api.messageRequests()
    const prompt = JSON.stringify(request?.body)
    expect(request?.bytes).toBeLessThan(25_000)
    expect(prompt).toContain('HEAD-LINE')
    expect(prompt).toContain('TAIL: expected 3 but got -1')
    expect(prompt).toMatch(/characters cut/)
    expect(prompt).toContain('first 10000 of 500000 characters')
  })
})
