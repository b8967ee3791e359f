/**
 * The fix agent through the whole engine, against the fake Messages API over real HTTP: one
 * conversation across rounds, real run_checks and search in the shadow, a cut-off tool call never
 * run, a refusal tried once on the fallback model, billing answers pausing auto-fix.
 */
import { existsSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { finished, next } from '../../support/engine-events'
import {
  callTools,
  creditTooLow,
  cutOff,
  paymentRequired,
  refusal,
  say,
  toolUse,
  truncatedToolUse,
  withRateLimit,
} from '../../support/fake-anthropic'
import {
  BROKEN_MATH,
  GOOD_MATH,
  editReply,
  finishReply,
  planReply,
} from '../../support/sample-project'
import { API_KEY, engineFor, useEngineHarness } from '../../support/engine-harness'

const h = useEngineHarness()

const makeEngine = (settings: Record<string, unknown> = {}) =>
  engineFor(h, { maxRetries: 3, ...settings })

type Block = {
  type: string
  tool_use_id?: string
  is_error?: boolean
  content?: unknown
  text?: string
  name?: string
  id?: string
}
type Body = { model: string; messages: { role: string; content: string | Block[] }[] }
const bodies = () => h.fake.messageRequests().map((r) => r.body as Body)
const blocks = (body: Body) =>
  body.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content))
const resultOf = (body: Body, id: string) =>
  blocks(body).find((b) => b.type === 'tool_result' && b.tool_use_id === id)
const textOf = (content: unknown) =>
  typeof content === 'string' ? content : JSON.stringify(content)

describe('one conversation per task', () => {
  it('a red finish comes back as its error result, in the same conversation, and the next round fixes it', async () => {
    const e = makeEngine()
    await e.start()
    h.fake.enqueue(
      planReply(),
      // Round 1: a wrong fix, then finish.
      editReply('return a - b', 'return a - b + 0'),
      callTools(
        toolUse(
          { root_cause: 'r', summary: 'Tried +0.', tests_look_wrong: false },
          { name: 'finish', id: 'toolu_finish_1' },
        ),
      ),
      // Round 2: the real fix.
      editReply('return a - b + 0', 'return a + b'),
      finishReply(),
    )
    const done = finished(e)
    h.project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('fixed')
    expect(h.project.read('src/math.js')).toBe(GOOD_MATH)
    expect(task.attempts.map((a) => a.outcome)).toEqual(['failed', 'passed'])
    const sent = bodies()
    expect(sent).toHaveLength(5)
    // Round 2's first request carries round 1 whole: the plan, the wrong edit, and finish's red result.
    const round2 = sent[3]!
    expect(round2.messages.length).toBeGreaterThan(sent[2]!.messages.length)
    // (The moving cache breakpoint aside: it marks each request's last block.)
    const plain = (m: unknown) =>
      JSON.parse(JSON.stringify(m).replace(/,"cache_control":\{"type":"ephemeral"\}/g, ''))
    expect(plain(round2.messages.slice(0, sent[2]!.messages.length))).toEqual(
      plain(sent[2]!.messages),
    )
    const red = resultOf(round2, 'toolu_finish_1')
    expect(red?.is_error).toBe(true)
    expect(textOf(red?.content)).toMatch(/verification of your fix failed/i)
    expect(textOf(red?.content)).toMatch(/add sums two numbers/)
    expect(task.plan).toMatchObject({
      rootCause: 'add() subtracts instead of adding',
      source: 'claude',
    })
    // One conversation: the task's context was sent once, as the cached system prefix of every request.
    expect(
      new Set(sent.map((b) => JSON.stringify((b as unknown as { system: unknown }).system))).size,
    ).toBe(1)
  })

  it('run_checks runs the related checks in the shadow and search finds code, both for real', async () => {
    const e = makeEngine()
    await e.start()
    h.fake.enqueue(
      callTools(
        toolUse({ files: ['src/math.js'] }, { name: 'run_checks', id: 'toolu_checks' }),
        toolUse(
          { pattern: 'function (add|double)', glob: '*.js' },
          { name: 'search', id: 'toolu_search' },
        ),
      ),
      editReply('a - b', 'a + b'),
      callTools(toolUse({}, { name: 'run_checks', id: 'toolu_checks_2' })),
      finishReply(),
    )
    const done = finished(e)
    h.project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('fixed')
    const sent = bodies()
    const checks = textOf(resultOf(sent[1]!, 'toolu_checks')?.content)
    expect(checks).toMatch(/FAIL/)
    expect(checks).toMatch(/add sums two numbers/)
    expect(checks).not.toContain(API_KEY)
    const found = textOf(resultOf(sent[1]!, 'toolu_search')?.content)
    expect(found).toMatch(/src\/math\.js:1: export function add/)
    expect(found).toMatch(/src\/math\.js:5: export function double/)
    // After the edit the same tool sees the shadow's new state: green.
    expect(textOf(resultOf(sent[3]!, 'toolu_checks_2')?.content)).toMatch(/All related checks pass/)
  })

  it('a tool call cut off by max_tokens is not run, and the turn goes on', async () => {
    const e = makeEngine()
    await e.start()
    h.fake.enqueue(
      planReply(),
      cutOff(
        truncatedToolUse(
          '{"command":"create","path":"src/half.js","file_text":"export const x = ',
          { id: 'toolu_cut' },
        ),
      ),
      editReply('a - b', 'a + b'),
      finishReply(),
    )
    const done = finished(e)
    h.project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('fixed')
    expect(existsSync(join(h.project.root, 'src/half.js'))).toBe(false)
    expect(task.attempts[0]?.edits.map((x) => x.path)).toEqual(['src/math.js'])
    const after = bodies()[2]!
    // The cut-off call is not in the conversation, and Claude is told why.
    expect(blocks(after).some((b) => b.type === 'tool_use' && b.id === 'toolu_cut')).toBe(false)
    expect(JSON.stringify(after.messages.at(-1))).toMatch(/max_tokens.*NOT run/)
  })
})

describe('a refusal', () => {
  it('is tried once on the fallback model, which goes on with the task', async () => {
    const e = makeEngine({ fallbackModel: 'claude-opus-5-5' })
    await e.start()
    h.fake.enqueue(refusal('cyber'), planReply(), editReply('a - b', 'a + b'), finishReply())
    const done = finished(e)
    h.project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('fixed')
    expect(bodies().map((b) => b.model)).toEqual([
      'claude-sonnet-5-5',
      'claude-opus-5-5',
      'claude-opus-5-5',
      'claude-opus-5-5',
    ])
  })

  it('refused on the fallback too ends the task with the category, after exactly one fallback try', async () => {
    const e = makeEngine({ fallbackModel: 'claude-opus-5-5' })
    await e.start()
    h.fake.respondWith(() => refusal('bio'))
    const done = finished(e)
    h.project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.status).toBe('failed')
    expect(task.failureReason).toMatch(/declined.*category: bio/)
    expect(bodies()).toHaveLength(2)
    expect(h.project.read('src/math.js')).toBe(BROKEN_MATH)
  })
})

describe('billing answers pause auto-fix with the reason', () => {
  for (const [name, reply, words] of [
    ['400 credit balance too low', creditTooLow, /credit balance/i],
    ['402 payment required', paymentRequired, /billing|payment|402/i],
  ] as const) {
    it(name, async () => {
      const e = makeEngine()
      await e.start()
      h.fake.respondWith(() => reply())
      const paused = next(e, 'notice', (n) => n.title === 'Auto-fix paused')
      const done = finished(e)
      h.project.write('src/math.js', BROKEN_MATH)
      const notice = await paused
      const task = await done
      expect(notice.body).toMatch(words)
      expect(e.status).toBe('paused')
      expect(e.snapshot().pausedReason).toMatch(words)
      expect(task.escalations.filter((x) => x.channel !== 'log')).toHaveLength(0)
      expect(bodies()).toHaveLength(1)
      for (const entry of e.log.entries()) expect(entry.message).not.toContain(API_KEY)
    })
  }
})

it('the fixer never asks with the old planner: no submit_plan, strict finish and report_plan', async () => {
  const e = makeEngine()
  await e.start()
  h.fake.enqueue(planReply(), editReply('a - b', 'a + b'), say('Fixed.'))
  const done = finished(e)
  h.project.write('src/math.js', BROKEN_MATH)
  expect((await done).outcome).toBe('fixed')
  const tools = (h.fake.messageRequests()[0]!.body as { tools: { name: string }[] }).tools.map(
    (t) => t.name,
  )
  expect(tools).toEqual([
    'str_replace_based_edit_tool',
    'search',
    'run_checks',
    'report_plan',
    'finish',
  ])
})

it('Claude is shown the change since the last green run, new untracked files included, with numbered lines', async () => {
  const e = makeEngine()
  await e.start()
  let done = finished(e)
  h.project.write('src/math.js', `${GOOD_MATH}// green\n`)
  expect((await done).outcome).toBe('no_fix_needed')
  // The baseline is recorded in the background after a green run.
  const baselines = join(process.env.FIXLOOP_CACHE_DIR!, 'baselines')
  const recorded = () =>
    existsSync(baselines) &&
    readdirSync(baselines).some(
      (d) => d.startsWith(basename(h.project.root)) && existsSync(join(baselines, d, 'index.json')),
    )
  await expect.poll(recorded, { timeout: 10_000 }).toBe(true)
  h.fake.enqueue(planReply(), editReply('a - b', 'a + b'), finishReply())
  done = finished(e)
  h.project.write('src/helper.js', 'export const helper = 1\n')
  h.project.write('src/math.js', `${BROKEN_MATH}// green\n`)
  expect((await done).outcome).toBe('fixed')
  const system = JSON.stringify((h.fake.messageRequests()[0]!.body as { system: unknown }).system)
  expect(system).toContain('The change since the last green run')
  expect(system).toContain('-  return a + b')
  expect(system).toContain('+  return a - b')
  expect(system).toContain('src/helper.js')
  expect(system).toMatch(/2\\t {2}return a - b/)
})

it('with concurrency > 1, an exhausted input-token bucket is waited out before the next request', async () => {
  const e = makeEngine({ concurrency: 2 })
  await e.start()
  const sentAt: number[] = []
  let n = 0
  h.fake.respondWith(() => {
    sentAt.push(Date.now())
    n++
    if (n === 1)
      return withRateLimit(planReply(), { inputTokensRemaining: 0, inputTokensReset: 1500 })
    return n === 2 ? editReply('a - b', 'a + b') : finishReply()
  })
  const done = finished(e)
  h.project.write('src/math.js', BROKEN_MATH)
  expect((await done).outcome).toBe('fixed')
  expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(1000)
  expect(e.log.entries().some((x) => /Waiting .* s for the API rate limit/.test(x.message))).toBe(
    true,
  )
})
