/**
 * A believable set of tasks for the in-memory port: every queue and outcome the UI shows, a fix with
 * a plan, two attempts and a diff, a fix held for review, a failure with escalations. Times are
 * relative to `now` so the screenshots are stable.
 */
import type { CheckResult, Task, Usage } from '../../../../src/shared'
import { newTask } from '../../../../src/main/core/queue/task'

const DIFF_TOTAL = `--- a/src/cart/total.ts
+++ b/src/cart/total.ts
@@ -8,9 +8,10 @@ export function cartTotal(items: Item[], coupon?: Coupon): number {
   let sum = 0
   for (const item of items) {
-    sum += item.price * item.qty
+    sum += Math.round(item.price * 100) * item.qty
   }
-  return coupon ? applyCoupon(sum, coupon) : sum
+  const total = coupon ? applyCoupon(sum, coupon) : sum
+  return total / 100
 }
`

const DIFF_TEST = `--- a/test/cart.test.ts
+++ b/test/cart.test.ts
@@ -21,7 +21,7 @@ describe('cartTotal', () => {
   it('rounds to cents', () => {
-    expect(cartTotal([{ price: 0.1, qty: 3 }])).toBe(0.3)
+    expect(cartTotal([{ price: 0.1, qty: 3 }])).toBeCloseTo(0.3)
   })
`

function usage(costUsd: number, input = 12_000, output = 1_800): Usage {
  return {
    requests: 2,
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: 4_000,
    cacheReadInputTokens: 8_000,
    costUsd,
  }
}

function check(name: string, passed: boolean, output: string, failures = 0): CheckResult {
  return {
    name,
    command: ['npx', 'vitest', 'run', 'test/cart.test.ts'],
    passed,
    exitCode: passed ? 0 : 1,
    signal: null,
    timedOut: false,
    durationMs: passed ? 1840 : 2210,
    output,
    failures: Array.from({ length: failures }, (_, i) => ({
      name: `cartTotal > rounds to cents #${i + 1}`,
      file: 'test/cart.test.ts',
      message: 'expected 0.30000000000000004 to be 0.3',
    })),
  }
}

const RED = ` FAIL  test/cart.test.ts > cartTotal > rounds to cents
AssertionError: expected 0.30000000000000004 to be 0.3 // Object.is equality
 ❯ test/cart.test.ts:23:48
 Test Files  1 failed (1)
      Tests  1 failed | 11 passed (12)`
const GREEN = ` ✓ test/cart.test.ts (12 tests) 31ms
 Test Files  1 passed (1)
      Tests  12 passed (12)`

export function sampleTasks(now: number): Task[] {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString()
  let seq = 0
  const base = (id: string, files: string[], minutesAgo: number): Task =>
    newTask({ id, kind: 'file_change', files, seq: seq++, now: at(minutesAgo) })

  const fixed: Task = {
    ...base('task_cart_total', ['src/cart/total.ts'], 42),
    status: 'completed',
    outcome: 'fixed',
    startedAt: at(41.5),
    finishedAt: at(39),
    updatedAt: at(39),
    detection: [check('related', false, RED, 1)],
    selection: [
      { file: 'test/cart.test.ts', reason: 'graph', because: 'src/cart/total.ts' },
      { file: 'test/checkout.test.ts', reason: 'graph', because: 'src/cart/total.ts' },
      { file: 'test/total.spec.ts', reason: 'name', because: 'src/cart/total.ts' },
    ],
    plan: {
      rootCause: 'Prices are summed as floating-point dollars, so 0.1 × 3 is 0.30000000000000004.',
      files: ['src/cart/total.ts'],
      steps: [
        'Sum in integer cents: round each price × 100 before multiplying by the quantity.',
        'Apply the coupon to the cent total, then convert back to dollars once.',
      ],
      risk: 'low',
      testsLookWrong: false,
      source: 'claude',
    },
    attempts: [
      {
        n: 1,
        startedAt: at(41.4),
        finishedAt: at(40.4),
        outcome: 'failed',
        checks: [check('related', false, RED, 1)],
        edits: [],
        usage: usage(0.031),
        error: 'The edit rounded the total but not the coupon discount.',
      },
      {
        n: 2,
        startedAt: at(40.2),
        finishedAt: at(39.1),
        outcome: 'passed',
        checks: [check('related', true, GREEN), check('suite', true, GREEN)],
        edits: [
          {
            path: 'src/cart/total.ts',
            hashBefore: 'sha256:1f2e',
            hashAfter: 'sha256:9ab4',
            diff: DIFF_TOTAL,
          },
        ],
        usage: usage(0.047, 16_000, 2_400),
      },
    ],
    diff: DIFF_TOTAL,
    usage: { ...usage(0.078, 28_000, 4_200), requests: 5 },
  }

  const review: Task = {
    ...base('task_cart_test', ['test/cart.test.ts'], 30),
    status: 'completed',
    outcome: 'needs_review',
    startedAt: at(29.5),
    finishedAt: at(28),
    detection: [check('related', false, RED, 1)],
    selection: [{ file: 'test/cart.test.ts', reason: 'name', because: 'test/cart.test.ts' }],
    plan: {
      rootCause: 'The assertion compares floats with toBe.',
      files: ['test/cart.test.ts'],
      steps: ['Compare with toBeCloseTo.'],
      risk: 'medium',
      testsLookWrong: true,
      source: 'claude',
    },
    attempts: [
      {
        n: 1,
        startedAt: at(29.4),
        finishedAt: at(28.1),
        outcome: 'passed',
        checks: [check('related', true, GREEN)],
        edits: [
          {
            path: 'test/cart.test.ts',
            hashBefore: 'sha256:77aa',
            hashAfter: 'sha256:88bb',
            diff: DIFF_TEST,
            integrity: ['edits a test file', 'weakens an assertion (toBe → toBeCloseTo)'],
          },
        ],
        usage: usage(0.022),
      },
    ],
    diff: DIFF_TEST,
    usage: usage(0.022),
  }

  const failed: Task = {
    ...base('task_discount', ['src/pricing/discount.ts'], 15),
    status: 'failed',
    outcome: 'failed',
    startedAt: at(14.8),
    finishedAt: at(10),
    detection: [check('related', false, RED, 2)],
    selection: [
      { file: 'test/discount.test.ts', reason: 'graph', because: 'src/pricing/discount.ts' },
      { file: 'test/all.test.ts', reason: 'fallback' },
    ],
    attempts: [1, 2, 3].map((n) => ({
      n,
      startedAt: at(15 - n * 1.5),
      finishedAt: at(14 - n * 1.5),
      outcome: 'failed' as const,
      checks: [check('related', false, RED, 2)],
      edits: [],
      usage: usage(0.04),
      error: n === 3 ? 'Still red after the last attempt.' : undefined,
    })),
    usage: usage(0.12, 40_000, 6_000),
    failureReason: 'Every attempt failed (3 of 3); all edits were rolled back.',
    escalations: [
      {
        channel: 'log',
        at: at(10),
        ok: true,
        detail: 'written to the log',
        fingerprint: 'f1',
        tries: 1,
      },
      {
        channel: 'github',
        at: at(10),
        ok: true,
        detail: 'issue #12 opened',
        url: 'https://github.com/acme/shop-api/issues/12',
        fingerprint: 'f1',
        tries: 1,
      },
      {
        channel: 'slack',
        at: at(10),
        ok: false,
        detail: 'HTTP 500 after 3 tries',
        fingerprint: 'f1',
        tries: 3,
      },
    ],
  }

  const working: Task = {
    ...base('task_tax', ['src/pricing/tax.ts', 'src/pricing/rates.ts'], 3),
    status: 'in_progress',
    startedAt: at(2.5),
    detection: [check('related', false, RED, 1)],
    selection: [{ file: 'test/tax.test.ts', reason: 'graph', because: 'src/pricing/tax.ts' }],
    attempts: [
      {
        n: 1,
        startedAt: at(2),
        finishedAt: null,
        outcome: null,
        checks: [],
        edits: [],
        usage: usage(0.01),
      },
    ],
    usage: usage(0.01),
  }

  const pending = [
    base('task_routes', ['src/api/routes.ts'], 1.5),
    {
      ...base('task_batch', ['package.json', 'src/index.ts', 'src/db.ts'], 0.5),
      kind: 'batch' as const,
    },
  ]

  // Finished tasks spread over the last day, for the charts.
  const history: Task[] = Array.from({ length: 14 }, (_, i) => {
    const ago = 60 + i * 95
    const ok = i % 4 !== 3
    return {
      ...base(`task_h${i}`, [`src/module-${i}.ts`], ago + 2 + (i % 5)),
      status: ok ? ('completed' as const) : ('failed' as const),
      outcome: ok
        ? i % 3 === 0
          ? ('no_fix_needed' as const)
          : ('fixed' as const)
        : ('failed' as const),
      startedAt: at(ago + 2),
      finishedAt: at(ago),
      usage: usage(ok ? 0.03 : 0.09),
      failureReason: ok ? null : 'Every attempt failed.',
    }
  })

  return [...pending, working, fixed, review, failed, ...history]
}
