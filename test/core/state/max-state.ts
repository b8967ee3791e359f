/**
 * A state at the largest size the limits allow, built as bench/state.ts builds it (50 completed and
 * 50 failed tasks with a detection run and three attempts of two checks each, output tails, diffs
 * and escalations; 100 history entries, 200 test results, 31 days of spend, 20 breakers, 100
 * escalation memos), written through the real store so the limits have clipped it.
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Attempt, CheckResult } from '../../../src/shared/domain'
import { complete, enqueue, fail, takeNext, updateTask } from '../../../src/main/core/queue'
import { StateStore } from '../../../src/main/core/state'
import { clock, usage } from './salvage-fixture'

const OUTPUT = 'AssertionError: expected 41 to be 42 // Object.is equality\n'.repeat(1_200)
const DIFF =
  '@@ -1,1 +1,1 @@\n-  const total = sum(items) - 1\n+  const total = sum(items) + 1\n'.repeat(40)

const check = (name: string): CheckResult => ({
  name,
  command: ['npx', 'vitest', 'run', 'src/services/case-service.test.ts'],
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 2345,
  output: OUTPUT,
  failures: Array.from({ length: 3 }, (_, i) => ({
    name: `computes totals #${i}`,
    file: 'src/services/case-service.test.ts',
    message: 'AssertionError: expected 41 to be 42\n'.repeat(8),
  })),
})

const attempt = (n: number, now: string): Attempt => ({
  n,
  startedAt: now,
  finishedAt: now,
  outcome: 'failed',
  checks: [check('related'), check('suite')],
  edits: [
    {
      path: 'src/services/case-service.ts',
      hashBefore: 'a'.repeat(64),
      hashAfter: 'b'.repeat(64),
      diff: DIFF,
    },
  ],
  usage: usage(0.11),
})

/** The project folder and the text of its state file. */
export async function maxSizeProject(): Promise<{ dir: string; file: string; text: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-salvage-max-'))
  const store = await StateStore.open({ projectRoot: dir, clock })
  await store.update((d) => {
    const ctx = store.queueContext(d)
    for (let i = 0; i < 100; i++) {
      const { task } = enqueue(
        d.queues,
        { files: [`src/module-${i}/index.ts`], kind: 'file_change' },
        ctx,
      )
      takeNext(d.queues, ctx)
      updateTask(
        d.queues,
        task.id,
        {
          detection: [check('related')],
          attempts: [1, 2, 3].map((n) => attempt(n, ctx.now)),
          diff: DIFF,
          usage: usage(0.33),
        },
        ctx,
      )
      if (i % 2 === 0) complete(d.queues, task.id, { outcome: 'fixed' }, ctx)
      else fail(d.queues, task.id, 'Checks still red after 3 attempts.', {}, ctx)
    }
    for (let i = 0; i < 100; i++)
      d.conversation_history.push({
        timestamp: ctx.now,
        type: 'task_created',
        task_id: `task_${i}`,
      })
    for (let i = 0; i < 200; i++)
      d.test_results.push({
        task_id: null,
        timestamp: ctx.now,
        passed: i % 3 === 0,
        duration: 2.3,
        command: ['npx', 'vitest', 'run', `src/module-${i}/index.test.ts`],
      })
    for (let day = 0; day < 31; day++)
      d.spend[new Date(Date.UTC(2025, 8, 5 + day)).toISOString().slice(0, 10)] = usage(1.5)
    for (let i = 0; i < 20; i++)
      d.breakers.push({
        file: `src/module-${i}/index.ts`,
        state: 'closed',
        failures: [ctx.now],
        openedAt: null,
      })
    for (let i = 0; i < 100; i++)
      d.escalations[`fp${i}`] = {
        lastAt: { github: ctx.now },
        githubIssue: i + 1,
        githubIssueUrl: `u${i}`,
      }
  })
  await store.close()
  const file = join(dir, '.fixloop', 'state.json')
  return { dir, file, text: await readFile(file, 'utf8') }
}
