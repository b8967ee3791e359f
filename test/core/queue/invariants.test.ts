import { describe, expect, it } from 'vitest'
import type { Queues, Task } from '../../../src/shared/domain'
import { checkInvariants, complete, enqueue, takeNext } from '../../../src/main/core/queue'
import { emptyQueues, testContext } from './helpers'

/** A valid queue set: one pending, one in progress, one completed. */
function sample(): Queues {
  const q = emptyQueues()
  const ctx = testContext()
  const done = enqueue(q, { files: ['done.ts'], kind: 'file_change' }, ctx).task
  takeNext(q, ctx)
  complete(q, done.id, { outcome: 'fixed' }, ctx)
  enqueue(q, { files: ['run.ts'], kind: 'file_change' }, ctx)
  takeNext(q, ctx)
  enqueue(q, { files: ['wait.ts'], kind: 'file_change' }, ctx)
  return q
}

describe('checkInvariants', () => {
  it('finds nothing wrong with queues built by transitions', () => {
    expect(checkInvariants(sample())).toEqual([])
  })

  const broken: [string, (q: Queues) => void, RegExp][] = [
    [
      'a task in two queues',
      (q) => q.failed.push({ ...q.pending[0]!, status: 'failed' }),
      /appears in both/,
    ],
    [
      'a status that disagrees with the queue',
      (q) => (q.pending[0]!.status = 'completed'),
      /says completed/,
    ],
    [
      'two pending tasks on one file',
      (q) => q.pending.push({ ...q.pending[0]!, id: 'task_dup', seq: 99 }),
      /shared file/,
    ],
    ['a shared seq', (q) => (q.pending[0]!.seq = q.completed[0]!.seq), /share seq/],
    ['a pending task with an outcome', (q) => (q.pending[0]!.outcome = 'fixed'), /yet has outcome/],
    [
      'an in-progress task without a start',
      (q) => (q.in_progress[0]!.startedAt = null),
      /without startedAt/,
    ],
    [
      'a completed task with a failed outcome',
      (q) => (q.completed[0]!.outcome = 'cancelled'),
      /completed with outcome/,
    ],
    [
      'a finished task without a finish time',
      (q) => (q.completed[0]!.finishedAt = null),
      /without finishedAt/,
    ],
    ['a task with no files', (q) => (q.pending[0]!.files = []), /no files/],
    ['a task that fails the schema', (q) => (q.pending[0]!.id = 'not-a-task-id'), /Task schema/],
  ]
  for (const [what, breakIt, message] of broken) {
    it(`reports ${what}`, () => {
      const q = sample()
      breakIt(q)
      expect(checkInvariants(q).join('\n')).toMatch(message)
    })
  }

  it('reports every pair of pending tasks on a shared file once, in queue order', () => {
    const q = sample()
    const wait = q.pending[0]!
    const copy = (id: string, seq: number, files: string[]): Task => ({ ...wait, id, seq, files })
    q.pending.push(
      copy('task_b', 90, ['b.ts', 'wait.ts']),
      copy('task_c', 91, ['c.ts']),
      copy('task_d', 92, ['c.ts', 'b.ts', 'wait.ts']),
    )
    expect(checkInvariants(q).filter((p) => p.includes('shared file'))).toEqual([
      `${wait.id} and task_b are both pending on a shared file`,
      `${wait.id} and task_d are both pending on a shared file`,
      'task_b and task_d are both pending on a shared file',
      'task_c and task_d are both pending on a shared file',
    ])
  })

  it('checks 20,000 pending tasks on distinct files in well under a second', () => {
    const q = sample()
    const wait = q.pending[0]!
    for (let i = 0; i < 20_000; i++) {
      q.pending.push({ ...wait, id: `task_many${i}`, seq: 1000 + i, files: [`src/f${i}.ts`] })
    }
    const started = performance.now()
    const problems = checkInvariants(q)
    const ms = performance.now() - started
    console.log(`checkInvariants, 20,001 pending tasks: ${ms.toFixed(0)} ms`)
    expect(problems).toEqual([])
    // The bound is loose for a loaded machine; the quadratic check took about 12 s here.
    expect(ms).toBeLessThan(2000)
  })

  it('reports queues over their limits, unless limits are switched off', () => {
    const q = sample()
    expect(checkInvariants(q, { limits: { completed: 0, failed: 0 } })).toEqual([
      'completed holds 1 tasks (limit 0)',
    ])
    expect(checkInvariants(q, { limits: false })).toEqual([])
  })
})
