/**
 * Claude side of the fix pipeline, measured against the fake Messages API on 127.0.0.1:
 *
 * 1. Tokens and requests per fixed task for a typical task, with the fix agent (one conversation:
 *    report_plan + view, str_replace, finish; red rounds come back as finish's error result), next
 *    to the figures of the planner + fixer it replaced (measured with the same task, sources and
 *    replies at commit 7800050; that code is gone, so they are constants here).
 * 2. The client's own overhead per request: createMessage (SDK streaming + our retry layer +
 *    pricing) against an instant server, minus a bare fetch of the same body to the same server.
 *
 * Run: node --import tsx bench/claude.ts [--requests 400]
 * Prints tables, then one JSON line.
 */
import { performance } from 'node:perf_hooks'
import type { CheckResult, Usage } from '../src/shared/domain'
import { tableCapabilities } from '../src/main/core/claude/capabilities'
import { createClaudeClient, type ClaudeClient } from '../src/main/core/claude/client'
import { FixAgent } from '../src/main/core/fix/agent'
import type { ToolOutcome } from '../src/main/core/fix/agent-types'
import type { EditorResult, EditorTool, EditorWrite } from '../src/main/core/fix/editor-types'
import type { SourceFile } from '../src/main/core/fix/prompts'
import { renderChecks, DEFAULT_PROMPT_LIMITS } from '../src/main/core/fix/prompts'
import { callTools, say, startFakeAnthropic, toolUse } from '../test/support/fake-anthropic'
import type { FakeAnthropic } from '../test/support/fake-anthropic'

const requestsArg = process.argv.indexOf('--requests')
const REQUESTS = requestsArg > 0 ? Number(process.argv[requestsArg + 1]) : 400

/** A plausible TypeScript module of roughly `lines` lines. */
function module(name: string, lines: number): string {
  const out = [`import { clamp } from './util'`, '']
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `/** ${name} step ${i}: keeps the running total within bounds. */`,
      `export function ${name}${i}(values: number[], limit = ${i + 10}): number {`,
      `  let total = 0`,
      `  for (const value of values) total = clamp(total + value * ${i % 7}, -limit, limit)`,
      `  return total`,
      `}`,
      '',
    )
  }
  return out.join('\n')
}

const sources: SourceFile[] = [
  { path: 'src/cart/totals.ts', content: module('total', 160) },
  { path: 'src/cart/discounts.ts', content: module('discount', 110) },
  { path: 'test/cart/totals.test.ts', content: module('spec', 60) },
]

const vitestOutput = [
  ' RUN  v4.1.12 /home/dev/shop',
  '',
  ' ❯ test/cart/totals.test.ts (14 tests | 2 failed) 38ms',
  ...Array.from({ length: 12 }, (_, i) => `   ✓ totals > keeps case ${i} within bounds 1ms`),
  '   × totals > applies the member discount before tax 4ms',
  '     → expected 107.1 to be 96.39 // Object.is equality',
  '   × totals > rounds half-cents up 2ms',
  '',
  ' FAIL  test/cart/totals.test.ts > totals > applies the member discount before tax',
  'AssertionError: expected 107.1 to be 96.39 // Object.is equality',
  '- Expected',
  '+ Received',
  '- 96.39',
  '+ 107.1',
  ' ❯ test/cart/totals.test.ts:41:32',
  '     39|     const cart = makeCart([item(100, 1)], { member: true })',
  '     40|     const total = totalWithTax(cart)',
  '     41|     expect(total).toBe(96.39)',
  '       |                   ^',
  ...Array.from(
    { length: 30 },
    (_, i) => `    at runTest (node_modules/vitest/dist/chunk-${i}.js:${100 + i}:12)`,
  ),
  '',
  ' Test Files  1 failed (1)',
  '      Tests  2 failed | 12 passed (14)',
].join('\n')

const check: CheckResult = {
  name: 'related',
  command: ['npx', 'vitest', 'run', 'test/cart/totals.test.ts'],
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 1432,
  output: vitestOutput,
  failures: [
    {
      name: 'applies the member discount before tax',
      file: 'test/cart/totals.test.ts',
      message: 'expected 107.1 to be 96.39',
    },
    {
      name: 'rounds half-cents up',
      file: 'test/cart/totals.test.ts',
      message: 'expected 10.01 to be 10.02',
    },
  ],
}

const diff = [
  'diff --git a/src/cart/totals.ts b/src/cart/totals.ts',
  '--- a/src/cart/totals.ts',
  '+++ b/src/cart/totals.ts',
  '@@ -40,7 +40,7 @@ export function totalWithTax(cart: Cart): number {',
  '   const subtotal = sum(cart.items.map(price))',
  '-  const discounted = applyDiscount(subtotal, cart)',
  '-  return round(discounted * (1 + TAX))',
  '+  const taxed = subtotal * (1 + TAX)',
  '+  return round(applyDiscount(taxed, cart))',
  ' }',
].join('\n')

/** Files in memory: the bench measures bytes on the wire, not the file system. */
class MemoryEditor implements EditorTool {
  private readonly files = new Map(sources.map((s) => [s.path, s.content]))
  async execute(input: unknown): Promise<EditorResult> {
    const { command, path = '', old_str = '', new_str = '' } = input as Record<string, string>
    const current = this.files.get(path)
    if (current === undefined) return { content: `No such file: ${path}`, isError: true }
    if (command === 'view') return { content: current, isError: false }
    if (command === 'str_replace' && old_str && current.includes(old_str)) {
      this.files.set(path, current.replace(old_str, new_str))
      return { content: `Edited ${path}.`, isError: false }
    }
    return { content: `old_str not found in ${path}`, isError: true }
  }
  writes(): readonly EditorWrite[] {
    return []
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

/**
 * The planner + fixer at commit 7800050, same task and replies (that commit's bench/claude.ts), run
 * with today's cache simulation of the fake (the 20-block lookback), so both sides are priced alike.
 */
const BEFORE = {
  fixedInOne: { requests: 4, promptTokens: 20_316, uncachedTokens: 10_212, costUsd: 0.02626 },
  fixedInThree: { requests: 10, promptTokens: 59_461, uncachedTokens: 18_132, costUsd: 0.05116 },
}

const noTools = {
  runChecks: async (): Promise<ToolOutcome> => ({
    content: 'All related checks pass.',
    isError: false,
  }),
  search: {
    execute: async (): Promise<ToolOutcome> => ({ content: 'No matches.', isError: false }),
  },
}

function agentFor(client: ClaudeClient): FixAgent {
  return new FixAgent(
    {
      files: ['src/cart/totals.ts'],
      checks: [check],
      change: { heading: 'The change since the last green run', diff },
      sources,
      maxRounds: 5,
    },
    {
      client,
      capabilities: tableCapabilities('claude-sonnet-5-5'),
      editsSoFar: () => diff,
      tools: { editor: new MemoryEditor(), ...noTools },
    },
  )
}

/**
 * One round's replies: (plan +) view, str_replace, finish — the same tool calls as the old
 * fixer's attempt; without `view` when `reView` is false (the files are attached with line numbers
 * and Claude's own edits are in the conversation, so nothing tells it to look again).
 */
function roundReplies(api: FakeAnthropic, n: number, reView = true) {
  const view = toolUse({ command: 'view', path: 'src/cart/totals.ts' })
  const plan = toolUse(
    {
      root_cause: 'totalWithTax applies the discount after tax since the last change.',
      files: ['src/cart/totals.ts'],
      steps: ['Apply the discount to the subtotal, then add tax.'],
      risk: 'low',
      tests_look_wrong: false,
    },
    { name: 'report_plan' },
  )
  const edit = toolUse({
    command: 'str_replace',
    path: 'src/cart/totals.ts',
    old_str: `total${n}(`,
    new_str: `total${n} (`,
  })
  const finish = toolUse(
    {
      root_cause: 'Discount after tax.',
      summary: 'Moved the discount before tax in totalWithTax().',
      tests_look_wrong: false,
    },
    { name: 'finish' },
  )
  const first = n === 1 ? [plan] : []
  api.enqueue(
    ...(reView ? [callTools(...first, view), callTools(edit)] : [callTools(...first, edit)]),
    callTools(finish),
  )
}

const tokensOf = (u: Usage) => ({
  requests: u.requests,
  promptTokens: u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens,
  uncachedTokens: u.inputTokens + u.cacheCreationInputTokens,
  costUsd: Math.round(u.costUsd * 1e5) / 1e5,
})

async function perFixedTask(reView: boolean) {
  const api = await startFakeAnthropic()
  const client = createClaudeClient({ apiKey: 'sk-ant-bench', baseURL: api.baseURL })
  const add = (a: Usage, b: Usage): Usage => ({
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    costUsd: a.costUsd + b.costUsd,
    requests: a.requests + b.requests,
  })
  try {
    const rounds: Usage[] = []
    const agent = agentFor(client)
    const red = `Fixloop's verification of your fix failed.\n${renderChecks([check], DEFAULT_PROMPT_LIMITS)}`
    for (let n = 1; n <= 3; n++) {
      roundReplies(api, n, reView)
      const result = await agent.round(n, n === 1 ? null : red)
      if (result.stop !== 'finish') throw new Error(`round ${n} ended with ${result.stop}`)
      rounds.push(result.usage)
    }
    const one = tokensOf(rounds[0]!)
    const three = tokensOf(rounds.reduce(add))
    const change = (after: number, before: number) => `${Math.round((after / before - 1) * 100)} %`
    return {
      table: {
        'fixed in round 1, before': BEFORE.fixedInOne,
        'fixed in round 1, after': one,
        'fixed in round 1, change': {
          requests: change(one.requests, BEFORE.fixedInOne.requests),
          promptTokens: change(one.promptTokens, BEFORE.fixedInOne.promptTokens),
          uncachedTokens: change(one.uncachedTokens, BEFORE.fixedInOne.uncachedTokens),
          costUsd: change(one.costUsd, BEFORE.fixedInOne.costUsd),
        },
        'fixed in round 3, before': BEFORE.fixedInThree,
        'fixed in round 3, after': three,
        'fixed in round 3, change': {
          requests: change(three.requests, BEFORE.fixedInThree.requests),
          promptTokens: change(three.promptTokens, BEFORE.fixedInThree.promptTokens),
          uncachedTokens: change(three.uncachedTokens, BEFORE.fixedInThree.uncachedTokens),
          costUsd: change(three.costUsd, BEFORE.fixedInThree.costUsd),
        },
      },
      fixedInOne: one,
      fixedInThree: three,
    }
  } finally {
    await api.close()
  }
}

async function overheadPerRequest() {
  const api = await startFakeAnthropic()
  api.respondWith(() => say('ok', { input_tokens: 10, output_tokens: 2 }))
  const client = createClaudeClient({ apiKey: 'sk-ant-bench', baseURL: api.baseURL })
  const body = {
    model: 'claude-sonnet-5-5',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hello' }],
  }
  const raw = async () => {
    const res = await fetch(`${api.baseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-ant-bench' },
      body: JSON.stringify(body),
    })
    await res.json()
  }
  const sdk = async () => {
    await client.createMessage({ max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] })
  }
  try {
    for (let i = 0; i < 50; i++) {
      await raw()
      await sdk()
    }
    const rawTimes: number[] = []
    const clientTimes: number[] = []
    // Interleaved so both see the same machine state.
    for (let i = 0; i < REQUESTS; i++) {
      let t = performance.now()
      await raw()
      rawTimes.push(performance.now() - t)
      t = performance.now()
      await sdk()
      clientTimes.push(performance.now() - t)
    }
    return {
      requests: REQUESTS,
      rawFetchP50Ms: percentile(rawTimes, 50),
      rawFetchP95Ms: percentile(rawTimes, 95),
      clientP50Ms: percentile(clientTimes, 50),
      clientP95Ms: percentile(clientTimes, 95),
      overheadP50Ms: percentile(clientTimes, 50) - percentile(rawTimes, 50),
    }
  } finally {
    await api.close()
  }
}

/** Wall time of a whole 3-request round against the instant server, editor in memory. */
async function roundWallTime(runs = 60) {
  const api = await startFakeAnthropic()
  const client = createClaudeClient({ apiKey: 'sk-ant-bench', baseURL: api.baseURL })
  const times: number[] = []
  try {
    for (let i = 0; i < runs + 10; i++) {
      roundReplies(api, 1)
      const t = performance.now()
      await agentFor(client).round(1, null)
      if (i >= 10) times.push(performance.now() - t)
    }
    return { runs, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95) }
  } finally {
    await api.close()
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000
const perTask = await perFixedTask(true)
const perTaskNoView = await perFixedTask(false)
const overhead = await overheadPerRequest()
const attemptTime = await roundWallTime()

console.log(
  'Per fixed task: before = planner + fixer attempts (view → str_replace → end_turn); after = one conversation (report_plan + view, str_replace, finish per round)',
)
console.table(perTask.table)
console.log('The same, without the re-view the old fixer was told to make (the new one is not)')
console.table(perTaskNoView.table)
console.log(
  `Client overhead per request against an instant fake server (${overhead.requests} requests)`,
)
console.table({
  'bare fetch': { p50Ms: round(overhead.rawFetchP50Ms), p95Ms: round(overhead.rawFetchP95Ms) },
  createMessage: { p50Ms: round(overhead.clientP50Ms), p95Ms: round(overhead.clientP95Ms) },
  'overhead (p50 difference)': { p50Ms: round(overhead.overheadP50Ms), p95Ms: '' },
})
console.log(
  `Fix round (3 requests, 4 tool calls) against the instant server: p50 ${round(attemptTime.p50Ms)} ms, p95 ${round(attemptTime.p95Ms)} ms over ${attemptTime.runs} runs`,
)
console.log(
  JSON.stringify({
    bench: 'claude',
    node: process.version,
    perFixedTask: {
      before: BEFORE,
      fixedInOne: perTask.fixedInOne,
      fixedInThree: perTask.fixedInThree,
      withoutReView: {
        fixedInOne: perTaskNoView.fixedInOne,
        fixedInThree: perTaskNoView.fixedInThree,
      },
    },
    overhead: Object.fromEntries(Object.entries(overhead).map(([k, v]) => [k, round(v)])),
    fixRound: {
      runs: attemptTime.runs,
      p50Ms: round(attemptTime.p50Ms),
      p95Ms: round(attemptTime.p95Ms),
    },
  }),
)
