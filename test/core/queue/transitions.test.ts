import { describe, expect, it } from 'vitest'
import { Task } from '../../../src/shared/domain'
import {
  QueueError,
  applyLimits,
  cancel,
  checkInvariants,
  complete,
  enqueue,
  fail,
  newTask,
  randomTaskId,
  nextRunnable,
  requeueInProgress,
  retry,
  takeNext,
  updateTask,
} from '../../../src/main/core/queue'
import { emptyQueues, testContext } from './helpers'

const change = (files: string[], priority?: number) => ({
  files,
  kind: 'file_change' as const,
  priority,
})

describe('newTask and ids', () => {
  it('makes ids of task_ and 12 hex digits, all different', () => {
    const ids = new Set(Array.from({ length: 1000 }, randomTaskId))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^task_[0-9a-f]{12}$/)
  })

  it('fills every field of the Task schema', () => {
    const task = newTask({ kind: 'batch', files: ['a.ts', 'a.ts', 'b.ts'], seq: 3, now: 'T' })
    expect(Task.parse(task)).toEqual(task)
    expect(task.files).toEqual(['a.ts', 'b.ts'])
    expect(task).toMatchObject({ status: 'pending', priority: 0, seq: 3, outcome: null })
  })
})

describe('enqueue', () => {
  it('adds a pending task for a file with no pending task', () => {
    const q = emptyQueues()
    const { task, merged } = enqueue(q, change(['src/a.ts']), testContext())
    expect(merged).toBe(false)
    expect(q.pending).toEqual([task])
    expect(Task.safeParse(task).success).toBe(true)
  })

  it('merges a change to a file that already has a pending task into that task', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const first = enqueue(q, change(['a.ts'], 1), ctx).task
    const before = first.updatedAt
    ctx.tick()
    const second = enqueue(q, change(['a.ts', 'b.ts'], 5), ctx)
    expect(second).toMatchObject({ merged: true, absorbed: [] })
    expect(second.task.id).toBe(first.id)
    expect(q.pending).toHaveLength(1)
    expect(q.pending[0]).toMatchObject({ files: ['a.ts', 'b.ts'], priority: 5, seq: first.seq })
    expect(q.pending[0]!.updatedAt > before).toBe(true)
  })

  it('keeps the higher priority when the merging change has a lower one', () => {
    const q = emptyQueues()
    const ctx = testContext()
    enqueue(q, change(['a.ts'], 7), ctx)
    expect(enqueue(q, change(['a.ts'], 1), ctx).task.priority).toBe(7)
  })

  it('folds every pending task a change bridges into the earliest', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const a = enqueue(q, change(['a.ts']), ctx).task
    const b = enqueue(q, change(['b.ts'], 3), ctx).task
    const res = enqueue(q, { files: ['a.ts', 'b.ts'], kind: 'batch' }, ctx)
    expect(res.task.id).toBe(a.id)
    expect(res.absorbed).toEqual([b.id])
    expect(q.pending.map((t) => t.id)).toEqual([a.id])
    expect(res.task).toMatchObject({ files: ['a.ts', 'b.ts'], priority: 3, kind: 'batch' })
  })

  it('does not merge into a task that is already in progress', () => {
    const q = emptyQueues()
    const ctx = testContext()
    enqueue(q, change(['a.ts']), ctx)
    takeNext(q, ctx)
    expect(enqueue(q, change(['a.ts']), ctx).merged).toBe(false)
    expect(q.pending).toHaveLength(1)
    expect(q.in_progress).toHaveLength(1)
  })

  it('refuses a change with no files', () => {
    expect(() => enqueue(emptyQueues(), change([]), testContext())).toThrow(QueueError)
  })
})

describe('takeNext', () => {
  it('takes the highest priority first, first come first served within a priority', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const low = enqueue(q, change(['1.ts'], 0), ctx).task
    const high1 = enqueue(q, change(['2.ts'], 2), ctx).task
    const high2 = enqueue(q, change(['3.ts'], 2), ctx).task
    const order = [takeNext(q, ctx), takeNext(q, ctx), takeNext(q, ctx), takeNext(q, ctx)]
    expect(order.map((t) => t?.id ?? null)).toEqual([high1.id, high2.id, low.id, null])
  })

  it('moves the task to in_progress with a start time', () => {
    const q = emptyQueues()
    const ctx = testContext()
    enqueue(q, change(['a.ts']), ctx)
    ctx.tick()
    const task = takeNext(q, ctx)!
    expect(task).toMatchObject({ status: 'in_progress', startedAt: ctx.now })
    expect(q.pending).toEqual([])
    expect(q.in_progress).toEqual([task])
  })

  it('skips tasks on busy files and on files of tasks already in progress', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const a = enqueue(q, change(['a.ts'], 9), ctx).task
    takeNext(q, ctx)
    const a2 = enqueue(q, change(['a.ts', 'x.ts'], 9), ctx).task
    const b = enqueue(q, change(['b.ts'], 5), ctx).task
    const c = enqueue(q, change(['c.ts'], 1), ctx).task
    expect(takeNext(q, ctx, { busyFiles: new Set(['b.ts']) })?.id).toBe(c.id)
    expect(takeNext(q, ctx)?.id).toBe(b.id)
    expect(takeNext(q, ctx)).toBeNull()
    complete(q, a.id, { outcome: 'fixed' }, ctx)
    expect(takeNext(q, ctx)?.id).toBe(a2.id)
  })
})

describe('finishing', () => {
  function running() {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    takeNext(q, ctx)
    ctx.tick()
    return { q, ctx, task }
  }

  it('completes an in-progress task with its outcome and details', () => {
    const { q, ctx, task } = running()
    const done = complete(q, task.id, { outcome: 'fixed', diff: '--- a\n+++ b' }, ctx)
    expect(done).toMatchObject({ status: 'completed', outcome: 'fixed', diff: '--- a\n+++ b' })
    expect(done.finishedAt).toBe(ctx.now)
    expect(q.completed).toEqual([done])
    expect(checkInvariants(q)).toEqual([])
  })

  it('fails an in-progress task with the reason', () => {
    const { q, ctx, task } = running()
    const failed = fail(q, task.id, 'Still red after 5 attempts', {}, ctx)
    expect(failed).toMatchObject({ status: 'failed', outcome: 'failed' })
    expect(failed.failureReason).toBe('Still red after 5 attempts')
  })

  it('refuses to complete a task that is not in progress, and changes nothing', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    const before = structuredClone(q)
    expect(() => complete(q, task.id, { outcome: 'fixed' }, ctx)).toThrow(
      expect.objectContaining({ code: 'conflict', message: expect.stringContaining('pending') }),
    )
    expect(q).toEqual(before)
  })

  it('refuses an outcome that belongs to the other queue', () => {
    const { q, ctx, task } = running()
    expect(() => complete(q, task.id, { outcome: 'failed' as unknown as 'fixed' }, ctx)).toThrow(
      expect.objectContaining({ code: 'invalid' }),
    )
  })

  it('reports an unknown id as not_found', () => {
    expect(() => cancel(emptyQueues(), 'task_nope', testContext())).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    )
  })
})

describe('retry and cancel', () => {
  it('cancels a pending task into failed as "cancelled"', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    expect(cancel(q, task.id, ctx)).toMatchObject({ status: 'failed', outcome: 'cancelled' })
    expect(q.pending).toEqual([])
  })

  it('will not cancel a task in progress', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    takeNext(q, ctx)
    expect(() => cancel(q, task.id, ctx)).toThrow(/in progress/)
  })

  it('sends a failed task back to pending at the back of the line, with a fresh attempt budget', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    const other = enqueue(q, change(['b.ts']), ctx).task
    takeNext(q, ctx)
    fail(q, task.id, 'red', {}, ctx)
    const { task: again } = retry(q, task.id, ctx)
    expect(again).toMatchObject({ id: task.id, status: 'pending', outcome: null, retries: 1 })
    expect(again.attempts).toEqual([])
    expect(again.seq).toBeGreaterThan(other.seq)
    expect(q.failed).toEqual([])
    expect(checkInvariants(q)).toEqual([])
  })

  it('folds a pending task on the same file into the retried one', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    takeNext(q, ctx)
    fail(q, task.id, 'red', {}, ctx)
    const later = enqueue(q, change(['a.ts', 'c.ts'], 4), ctx).task
    const res = retry(q, task.id, ctx)
    expect(res.absorbed).toEqual([later.id])
    expect(q.pending.map((t) => t.id)).toEqual([task.id])
    expect(res.task).toMatchObject({ files: ['a.ts', 'c.ts'], priority: 4, seq: later.seq })
  })

  it('will not retry a pending task', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    expect(() => retry(q, task.id, ctx)).toThrow(expect.objectContaining({ code: 'conflict' }))
  })
})

describe('updateTask', () => {
  it('records details without moving the task', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    takeNext(q, ctx)
    updateTask(q, task.id, { diff: 'd', failureReason: null }, ctx)
    expect(q.in_progress[0]).toMatchObject({ diff: 'd', status: 'in_progress' })
  })

  it('refuses files that another pending task covers', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const a = enqueue(q, change(['a.ts']), ctx).task
    enqueue(q, change(['b.ts']), ctx)
    expect(() => updateTask(q, a.id, { files: ['b.ts'] }, ctx)).toThrow(/already covers b.ts/)
  })

  it('lets a completed task become "undone" but not "cancelled"', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const task = enqueue(q, change(['a.ts']), ctx).task
    takeNext(q, ctx)
    complete(q, task.id, { outcome: 'fixed' }, ctx)
    expect(updateTask(q, task.id, { outcome: 'undone' }, ctx).outcome).toBe('undone')
    expect(() => updateTask(q, task.id, { outcome: 'cancelled' }, ctx)).toThrow(QueueError)
  })
})

describe('requeueInProgress', () => {
  it('returns every in-progress task to pending, keeping id and place in line', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const a = enqueue(q, change(['a.ts']), ctx).task
    const b = enqueue(q, change(['b.ts']), ctx).task
    takeNext(q, ctx)
    takeNext(q, ctx)
    const c = enqueue(q, change(['c.ts']), ctx).task
    const { moved, absorbed } = requeueInProgress(q, ctx)
    expect(moved.map((t) => t.id)).toEqual([a.id, b.id])
    expect(absorbed).toEqual([])
    expect(q.in_progress).toEqual([])
    expect(q.pending.map((t) => t.id)).toEqual([a.id, b.id, c.id])
    expect(q.pending.every((t) => t.startedAt === null)).toBe(true)
    expect(checkInvariants(q)).toEqual([])
  })

  it('folds a newer pending task on the same file into the recovered one', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const a = enqueue(q, change(['a.ts']), ctx).task
    takeNext(q, ctx)
    const later = enqueue(q, change(['a.ts']), ctx).task
    expect(requeueInProgress(q, ctx).absorbed).toEqual([later.id])
    expect(q.pending.map((t) => t.id)).toEqual([a.id])
  })

  it('keeps the earliest when a pending task bridges two recovered ones', () => {
    const q = emptyQueues()
    const ctx = testContext()
    const a = enqueue(q, change(['a.ts']), ctx).task
    const b = enqueue(q, change(['b.ts']), ctx).task
    takeNext(q, ctx)
    takeNext(q, ctx)
    const bridge = enqueue(q, change(['a.ts', 'b.ts']), ctx).task
    const { absorbed } = requeueInProgress(q, ctx)
    expect(new Set(absorbed)).toEqual(new Set([b.id, bridge.id]))
    expect(q.pending).toHaveLength(1)
    expect(q.pending[0]).toMatchObject({ id: a.id, seq: a.seq })
    expect(new Set(q.pending[0]!.files)).toEqual(new Set(['a.ts', 'b.ts']))
  })
})

describe('applyLimits', () => {
  it('keeps the newest 50 completed and 50 failed', () => {
    const q = emptyQueues()
    const ctx = testContext()
    for (let i = 0; i < 60; i++) {
      const t = enqueue(q, change([`f${i}.ts`]), ctx).task
      takeNext(q, ctx)
      ctx.tick()
      if (i % 2) complete(q, t.id, { outcome: 'fixed' }, ctx)
      else fail(q, t.id, 'red', {}, ctx)
    }
    for (let i = 0; i < 30; i++) cancel(q, enqueue(q, change([`g${i}.ts`]), ctx).task.id, ctx)
    const dropped = applyLimits(q)
    expect(q.completed).toHaveLength(30)
    expect(q.failed).toHaveLength(50)
    expect(dropped).toHaveLength(10)
    expect(dropped.every((t) => t.files[0]!.startsWith('f'))).toBe(true)
    expect(checkInvariants(q)).toEqual([])
  })
})

describe('nextRunnable', () => {
  it('names the task takeNext would start, without moving anything; null when none can run', () => {
    const ctx = testContext()
    const q = emptyQueues()
    enqueue(q, change(['a.ts']), ctx)
    enqueue(q, change(['b.ts'], 5), ctx)
    const before = structuredClone(q)
    const peeked = nextRunnable(q)
    expect(q).toEqual(before)
    expect(peeked?.files).toEqual(['b.ts'])
    expect(takeNext(q, ctx)?.id).toBe(peeked?.id)
    expect(nextRunnable(q, { busyFiles: new Set(['a.ts']) })).toBeNull()
    expect(nextRunnable(q)?.files).toEqual(['a.ts'])
    takeNext(q, ctx)
    expect(nextRunnable(q)).toBeNull()
  })
})
