/**
 * A project's state filled to what the limits keep, written through the state store before the engine
 * starts: 50 completed and 50 failed tasks with realistic bodies (detection, three attempts of two
 * checks with 64 KiB output tails, failures, edit diffs, plan, diff, escalations on the failed ones),
 * 100 history entries, 200 test results, 31 days of spend, 20 breakers and 500 escalation memos.
 *
 * bench/state.ts builds its maximum-size state with the same fill. None of the tasks is on a file
 * the benches change.
 */
import type { Attempt, CheckResult, Task } from '../src/shared/domain'
import { complete, enqueue, fail, takeNext, updateTask } from '../src/main/core/queue'
import type { QueueContext } from '../src/main/core/queue'
import { STATE_LIMITS, StateStore } from '../src/main/core/state'
import type { StateFile } from '../src/main/core/state'

/** The check runner keeps up to 64 KiB of output per check (DEFAULT_MAX_OUTPUT_BYTES). */
const RAW_OUTPUT_BYTES = 64 * 1024

const failureLine = (i: number) =>
  ` FAIL  src/services/case-service.test.ts > CaseService > computes totals #${i}\n` +
  `AssertionError: expected 41 to be 42 // Object.is equality\n ❯ src/services/case-service.test.ts:${i}:17\n`

let raw = ''
for (let i = 0; raw.length < RAW_OUTPUT_BYTES; i++) raw += failureLine(i)
const RAW = raw.slice(-RAW_OUTPUT_BYTES)

function check(name: string, passed: boolean): CheckResult {
  return {
    name,
    command: ['npx', 'vitest', 'run', '--reporter=json', 'src/services/case-service.test.ts'],
    passed,
    exitCode: passed ? 0 : 1,
    signal: null,
    timedOut: false,
    durationMs: 2345,
    output: RAW,
    failures: passed
      ? []
      : Array.from({ length: 3 }, (_, i) => ({
          name: `CaseService computes totals #${i}`,
          file: 'src/services/case-service.test.ts',
          message: 'AssertionError: expected 41 to be 42\n'.repeat(8),
        })),
  }
}

const diff = (lines: number) =>
  '--- a/src/services/case-service.ts\n+++ b/src/services/case-service.ts\n@@ -10,7 +10,7 @@\n' +
  Array.from({ length: lines }, (_, i) =>
    i % 2 ? `-  const total = sum(items) - ${i}\n` : `+  const total = sum(items) + ${i}\n`,
  ).join('')

const usage = (n: number) => ({
  requests: 6 * n,
  inputTokens: 18_000 * n,
  outputTokens: 1_200 * n,
  cacheCreationInputTokens: 9_000,
  cacheReadInputTokens: 40_000 * n,
  costUsd: 0.11 * n,
})

function attempt(n: number, passed: boolean): Attempt {
  const at = new Date().toISOString()
  return {
    n,
    startedAt: at,
    finishedAt: at,
    outcome: passed ? 'passed' : 'failed',
    checks: [check('related', passed), check('suite', passed)],
    edits: [
      {
        path: 'src/services/case-service.ts',
        hashBefore: 'a'.repeat(64),
        hashAfter: 'b'.repeat(64),
        diff: diff(40),
      },
    ],
    usage: usage(1),
  }
}

/** A finished task's record as it looks at the size limits (also used by bench/state.ts). */
export function taskBody(passed: boolean): Partial<Task> {
  return {
    detection: [check('related', false)],
    selection: [
      {
        file: 'src/services/case-service.test.ts',
        reason: 'graph',
        because: 'src/services/case-service.ts',
      },
    ],
    attempts: [attempt(1, false), attempt(2, false), attempt(3, passed)],
    plan: {
      rootCause:
        'The total is computed before the discount is applied, so every case is off by one unit.',
      files: ['src/services/case-service.ts'],
      steps: ['Apply the discount first', 'Recompute the total', 'Keep the rounding rule'],
      risk: 'low',
      testsLookWrong: false,
      source: 'claude',
    },
    diff: diff(60),
    usage: usage(3),
  }
}

/**
 * Fills a draft to full history: 50 completed and 50 failed tasks with bodies, every history list
 * at its limit, 20 breakers. Also used by bench/state.ts.
 */
export function fillFullHistory(d: StateFile, ctx: QueueContext): void {
  for (let i = 0; i < 100; i++) {
    const { task } = enqueue(
      d.queues,
      { files: [`src/module-${i}/index.ts`], kind: 'file_change' },
      ctx,
    )
    takeNext(d.queues, ctx)
    const passed = i % 2 === 0
    updateTask(d.queues, task.id, taskBody(passed), ctx)
    if (passed) complete(d.queues, task.id, { outcome: 'fixed' }, ctx)
    else {
      fail(d.queues, task.id, 'Checks still red after 3 attempts; edits rolled back.', {}, ctx)
      task.escalations = (['github', 'slack'] as const).map((channel) => ({
        channel,
        at: ctx.now,
        ok: true,
        detail: 'issue #12 opened',
        url: 'https://github.com/o/r/issues/12',
        fingerprint: 'f'.repeat(16),
        tries: 1,
      }))
    }
  }
  for (let i = 0; i < STATE_LIMITS.conversationHistory; i++)
    d.conversation_history.push({
      timestamp: ctx.now,
      type: 'task_created',
      task_id: `task_${i}`,
      file_path: `src/module-${i}/index.ts`,
    })
  for (let i = 0; i < STATE_LIMITS.testResults; i++)
    d.test_results.push({
      task_id: `task_${i}`,
      timestamp: ctx.now,
      passed: i % 3 === 0,
      duration: 2.3,
      command: ['npx', 'vitest', 'run', `src/module-${i}/index.test.ts`],
      name: 'related',
    })
  for (let day = 0; day < STATE_LIMITS.spendDays; day++) {
    const key = new Date(Date.now() - day * 86_400_000).toISOString().slice(0, 10)
    d.spend[key] = { ...usage(10), costUsd: 1.5 }
  }
  for (let i = 0; i < 20; i++)
    d.breakers.push({
      file: `src/module-${i}/index.ts`,
      state: 'closed',
      failures: [ctx.now],
      openedAt: null,
    })
  for (let i = 0; i < STATE_LIMITS.escalations; i++)
    d.escalations[`fp${String(i).padStart(4, '0')}`] = {
      lastAt: { github: ctx.now, slack: ctx.now },
      githubIssue: i + 1,
      githubIssueUrl: `https://github.com/o/r/issues/${i + 1}`,
    }
}

/** Fills the state of `projectRoot` to full history (the engine must not be running on it). */
export async function prefillFullHistory(projectRoot: string): Promise<void> {
  const store = await StateStore.open({ projectRoot })
  try {
    await store.update((d) => fillFullHistory(d, store.queueContext(d)))
  } finally {
    await store.close()
  }
}
