/**
 * Random command sequences against the queue. After every command: the invariants hold, no task
 * vanished except by a merge or the history limit, a refused command changed nothing, and the
 * specific promises (run order, merge rule, limits) were kept.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Queues, Task } from '../../../src/shared/domain'
import {
  COMPLETED_OUTCOMES,
  QueueError,
  applyLimits,
  byFinish,
  cancel,
  checkInvariants,
  complete,
  enqueue,
  fail,
  locate,
  requeueInProgress,
  retry,
  takeNext,
  updateTask,
} from '../../../src/main/core/queue'
import { emptyQueues, testContext } from './helpers'

const FILES = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts', 'g.ts']
const LIMITS = { completed: 4, failed: 4 }

const files = fc.uniqueArray(fc.constantFrom(...FILES), { minLength: 1, maxLength: 3 })
const pick = fc.nat({ max: 40 })

const command = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('enqueue' as const),
      files,
      priority: fc.integer({ min: -1, max: 3 }),
      batch: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('take' as const),
      busy: fc.uniqueArray(fc.constantFrom(...FILES), { maxLength: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('complete' as const),
      pick,
      outcome: fc.constantFrom(...COMPLETED_OUTCOMES),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fail' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('retry' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('priority' as const),
      pick,
      priority: fc.integer({ min: -1, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('requeue' as const) }) },
)
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never

const allTasks = (q: Queues): Task[] => [
  ...q.pending,
  ...q.in_progress,
  ...q.completed,
  ...q.failed,
]
const ids = (q: Queues): Set<string> => new Set(allTasks(q).map((t) => t.id))

/** The run-order oracle, written independently of the implementation. */
function expectedNext(q: Queues, busy: string[]): string | null {
  const blocked = new Set([...busy, ...q.in_progress.flatMap((t) => t.files)])
  const candidates = q.pending
    .filter((t) => t.files.every((f) => !blocked.has(f)))
    .sort((x, y) => (x.priority !== y.priority ? y.priority - x.priority : x.seq - y.seq))
  return candidates[0]?.id ?? null
}

function run(commands: Command[]): void {
  const q = emptyQueues()
  const ctx = testContext()
  for (const cmd of commands) {
    ctx.tick()
    const before = structuredClone(q)
    const all = allTasks(q)
    const target = 'pick' in cmd && all.length > 0 ? all[cmd.pick % all.length]!.id : 'task_missing'
    const where = locate(q, target)?.status
    let gone: string[] = []
    let added: string | null = null
    let refused = false
    try {
      switch (cmd.op) {
        case 'enqueue': {
          const overlapping = q.pending
            .filter((t) => t.files.some((f) => cmd.files.includes(f)))
            .sort((x, y) => x.seq - y.seq)
          const res = enqueue(
            q,
            { files: cmd.files, kind: cmd.batch ? 'batch' : 'file_change', priority: cmd.priority },
            ctx,
          )
          if (overlapping.length === 0) {
            expect(res.merged).toBe(false)
            added = res.task.id
          } else {
            // The merge rule: the earliest task is kept, files united, the highest priority wins.
            expect(res.merged).toBe(true)
            expect(res.task.id).toBe(overlapping[0]!.id)
            const union = new Set([...cmd.files, ...overlapping.flatMap((t) => t.files)])
            expect(new Set(res.task.files)).toEqual(union)
            expect(res.task.priority).toBe(
              Math.max(cmd.priority, ...overlapping.map((t) => t.priority)),
            )
            expect(res.task.updatedAt).toBe(ctx.now)
            expect(new Set(res.absorbed)).toEqual(new Set(overlapping.slice(1).map((t) => t.id)))
          }
          gone = res.absorbed
          break
        }
        case 'take': {
          const want = expectedNext(q, cmd.busy)
          const got = takeNext(q, ctx, { busyFiles: new Set(cmd.busy) })
          expect(got?.id ?? null).toBe(want)
          break
        }
        case 'complete':
          complete(q, target, { outcome: cmd.outcome }, ctx)
          break
        case 'fail':
          fail(q, target, 'red', {}, ctx)
          break
        case 'retry':
          gone = retry(q, target, ctx).absorbed
          break
        case 'cancel':
          cancel(q, target, ctx)
          break
        case 'priority':
          updateTask(q, target, { priority: cmd.priority }, ctx)
          break
        case 'requeue': {
          const running = q.in_progress.map((t) => t.id)
          const res = requeueInProgress(q, ctx)
          expect(new Set(res.moved.map((t) => t.id))).toEqual(new Set(running))
          gone = res.absorbed
          break
        }
      }
    } catch (error) {
      if (!(error instanceof QueueError)) throw error
      refused = true
      expect(q).toEqual(before)
    }

    // A transition is refused exactly when the task is not where that transition starts.
    const from = {
      complete: 'in_progress',
      fail: 'in_progress',
      retry: 'failed',
      cancel: 'pending',
    } as const
    if (cmd.op in from) expect(refused).toBe(where !== from[cmd.op as keyof typeof from])
    if (cmd.op === 'enqueue' || cmd.op === 'take' || cmd.op === 'requeue')
      expect(refused).toBe(false)

    const trimmedFrom = structuredClone(q)
    const dropped = applyLimits(q, LIMITS)
    for (const name of ['completed', 'failed'] as const) {
      const kept = q[name]
      const lost = dropped.filter((t) => t.status === name)
      if (lost.length > 0) expect(kept).toHaveLength(LIMITS[name])
      else expect(kept).toEqual(trimmedFrom[name])
      for (const k of kept) for (const d of lost) expect(byFinish(d, k)).toBeLessThan(0)
    }

    // No task lost or duplicated: before + added − merged away − aged out = after.
    const expected = ids(before)
    if (added) expected.add(added)
    for (const id of [...gone, ...dropped.map((t) => t.id)]) expected.delete(id)
    expect(ids(q)).toEqual(expected)
    expect(allTasks(q)).toHaveLength(expected.size)
    expect(checkInvariants(q, { limits: LIMITS })).toEqual([])
  }
}

describe('the queue under random command sequences', () => {
  it('keeps every invariant and promise', () => {
    fc.assert(fc.property(fc.array(command, { maxLength: 80 }), run), { numRuns: 500 })
  })
})
