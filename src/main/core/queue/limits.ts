import type { Queues, Task } from '../../../shared/domain'

/** How many finished tasks are kept. The oldest (by finish time) go first. */
export interface QueueLimits {
  /** @default 50 */
  completed: number
  /** @default 50 */
  failed: number
}

export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
  completed: 50,
  failed: 50,
})

/**
 * Trims the completed and failed queues to their limits, keeping the newest (latest finishedAt,
 * then highest seq). Pending and in-progress work is never dropped. Returns what was removed.
 */
export function applyLimits(queues: Queues, limits: QueueLimits = DEFAULT_QUEUE_LIMITS): Task[] {
  return [...trim(queues, 'completed', limits.completed), ...trim(queues, 'failed', limits.failed)]
}

function trim(queues: Queues, name: 'completed' | 'failed', limit: number): Task[] {
  const list = queues[name]
  if (list.length <= limit) return []
  const oldestFirst = [...list].sort(byFinish)
  const dropped = new Set(oldestFirst.slice(0, list.length - limit))
  queues[name] = list.filter((t) => !dropped.has(t))
  return [...dropped]
}

/** Oldest finish first; ISO strings from one clock compare correctly as strings. */
export function byFinish(a: Task, b: Task): number {
  const fa = a.finishedAt ?? ''
  const fb = b.finishedAt ?? ''
  return fa < fb ? -1 : fa > fb ? 1 : a.seq - b.seq
}
