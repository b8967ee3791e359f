/**
 * Claude side of the fix pipeline, measured against the fake Messages API on 127.0.0.1:
 *
 * 1. Bytes sent per attempt for a typical task (planner + three fixer attempts of view → str_replace →
 *    end_turn, each attempt after the first carrying the previous failure), read from the fake
 *    server's request log, with the share of prompt tokens the cache simulation serves from cache.
 * 2. The client's own overhead per request: createMessage (SDK + our retry layer + pricing) against
 *    an instant server, minus a bare fetch of the same body to the same server.
 *
 * Run: node --import tsx bench/claude.ts [--requests 400]
 * Prints a table, then one JSON line.
 */
import { performance } from 'node:perf_hooks'
import type { CheckResult } from '../src/shared/domain'
import { createClaudeClient } from '../src/main/core/claude/client'
import type { EditorResult, EditorTool, EditorWrite } from '../src/main/core/fix/editor-types'
import { runFixAttempt, type FixAttemptInput } from '../src/main/core/fix/fixer'
import { PLAN_TOOL_NAME, planFix } from '../src/main/core/fix/planner'
import type { AttemptFeedback, SourceFile } from '../src/main/core/fix/prompts'
import { callTools, say, startFakeAnthropic, toolUse } from '../test/support/fake-anthropic'

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

async function bytesPerAttempt() {
  const api = await startFakeAnthropic()
  const client = createClaudeClient({ apiKey: 'sk-ant-bench', baseURL: api.baseURL })
  const rows: Array<Record<string, number | string>> = []
  try {
    api.enqueue(
      callTools(
        toolUse(
          {
            rootCause: 'totalWithTax applies the discount after tax since the last change.',
            files: ['src/cart/totals.ts'],
            steps: ['Apply the discount to the subtotal, then add tax.'],
            risk: 'low',
            testsLookWrong: false,
          },
          { name: PLAN_TOOL_NAME },
        ),
      ),
    )
    const planned = await planFix(
      { files: ['src/cart/totals.ts'], checks: [check], diff, sources },
      { client },
    )
    const planRequest = api.messageRequests().at(-1)!
    rows.push({
      step: 'plan',
      requests: 1,
      bytes: planRequest.bytes,
      firstRequest: planRequest.bytes,
      cachedShare: 0,
      costUsd: Math.round(planned.usage.costUsd * 1e5) / 1e5,
    })

    const feedback: AttemptFeedback[] = []
    for (let n = 1; n <= 3; n++) {
      const before = api.messageRequests().length
      api.enqueue(
        callTools(toolUse({ command: 'view', path: 'src/cart/totals.ts' })),
        callTools(
          toolUse({
            command: 'str_replace',
            path: 'src/cart/totals.ts',
            old_str: 'total0(',
            new_str: 'total0 (',
          }),
        ),
        say('Moved the discount before tax in totalWithTax().'),
      )
      const input: FixAttemptInput = {
        files: ['src/cart/totals.ts'],
        checks: [check],
        diff,
        sources,
        plan: planned.plan,
        attempt: n,
        maxAttempts: 5,
        feedback: [...feedback],
      }
      const result = await runFixAttempt(input, { client, editor: new MemoryEditor() })
      const sent = api.messageRequests().slice(before)
      const u = result.usage
      const prompt = u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens
      rows.push({
        step: `attempt ${n}`,
        requests: sent.length,
        bytes: sent.reduce((sum, r) => sum + r.bytes, 0),
        firstRequest: sent[0]?.bytes ?? 0,
        cachedShare: Math.round((u.cacheReadInputTokens / prompt) * 100) / 100,
        costUsd: Math.round(u.costUsd * 1e5) / 1e5,
      })
      feedback.push({ attempt: n, checks: [check], edited: ['src/cart/totals.ts'] })
    }
    return rows
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

/** Wall time of a whole 3-request fixer attempt against the instant server, editor in memory. */
async function attemptWallTime(runs = 60) {
  const api = await startFakeAnthropic()
  const client = createClaudeClient({ apiKey: 'sk-ant-bench', baseURL: api.baseURL })
  const plan = {
    rootCause: 'r',
    files: ['src/cart/totals.ts'],
    steps: ['s'],
    risk: 'low' as const,
    testsLookWrong: false,
    source: 'claude' as const,
  }
  const times: number[] = []
  try {
    for (let i = 0; i < runs + 10; i++) {
      api.enqueue(
        callTools(toolUse({ command: 'view', path: 'src/cart/totals.ts' })),
        callTools(
          toolUse({
            command: 'str_replace',
            path: 'src/cart/totals.ts',
            old_str: 'total0(',
            new_str: 'total0 (',
          }),
        ),
        say('Done.'),
      )
      const input: FixAttemptInput = {
        files: ['src/cart/totals.ts'],
        checks: [check],
        diff,
        sources,
        plan,
        attempt: 1,
        maxAttempts: 5,
        feedback: [],
      }
      const t = performance.now()
      await runFixAttempt(input, { client, editor: new MemoryEditor() })
      if (i >= 10) times.push(performance.now() - t)
    }
    return { runs, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95) }
  } finally {
    await api.close()
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000
const attempts = await bytesPerAttempt()
const overhead = await overheadPerRequest()
const attemptTime = await attemptWallTime()

console.log(
  'Bytes sent per step of a typical task (planner + 3 attempts of view → str_replace → end_turn)',
)
console.table(attempts)
console.log(
  `Client overhead per request against an instant fake server (${overhead.requests} requests)`,
)
console.table({
  'bare fetch': { p50Ms: round(overhead.rawFetchP50Ms), p95Ms: round(overhead.rawFetchP95Ms) },
  createMessage: { p50Ms: round(overhead.clientP50Ms), p95Ms: round(overhead.clientP95Ms) },
  'overhead (p50 difference)': { p50Ms: round(overhead.overheadP50Ms), p95Ms: '' },
})
console.log(
  `Fixer attempt (3 requests, 2 tool calls) against the instant server: p50 ${round(attemptTime.p50Ms)} ms, p95 ${round(attemptTime.p95Ms)} ms over ${attemptTime.runs} runs`,
)
console.log(
  JSON.stringify({
    bench: 'claude',
    node: process.version,
    attempts,
    overhead: Object.fromEntries(Object.entries(overhead).map(([k, v]) => [k, round(v)])),
    fixerAttempt: {
      runs: attemptTime.runs,
      p50Ms: round(attemptTime.p50Ms),
      p95Ms: round(attemptTime.p95Ms),
    },
  }),
)
