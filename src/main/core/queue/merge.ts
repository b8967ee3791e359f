/**
 * The merge rule: at most one pending task per file. A change (or a task sent back to pending) that
 * touches a file some pending task already covers joins that task instead of queueing a second.
 */
import type { Queues, SelectedTest, Task } from '../../../shared/domain'
import { uniqueFiles } from './task'

export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false
  const set = new Set(a)
  return b.some((f) => set.has(f))
}

/** Pending tasks sharing a file with `files`, earliest (lowest seq) first. */
export function pendingOverlapping(queues: Queues, files: readonly string[]): Task[] {
  return queues.pending.filter((t) => overlaps(t.files, files)).sort((x, y) => x.seq - y.seq)
}

/**
 * Folds `others` into `keeper` in place: files united, the highest priority, the earliest place in
 * line (lowest seq), their spend and escalation history kept. The caller removes `others` from their
 * queue. The keeper keeps its id, so whatever refers to it (UI, journal) stays valid.
 */
export function absorb(keeper: Task, others: readonly Task[], now: string): void {
  for (const other of others) {
    keeper.files = uniqueFiles([...keeper.files, ...other.files])
    keeper.priority = Math.max(keeper.priority, other.priority)
    keeper.seq = Math.min(keeper.seq, other.seq)
    if (other.createdAt < keeper.createdAt) keeper.createdAt = other.createdAt
    if (other.kind === 'batch') keeper.kind = 'batch'
    keeper.detection = [...keeper.detection, ...other.detection]
    keeper.selection = mergeSelection(keeper.selection, other.selection)
    keeper.escalations = [...keeper.escalations, ...other.escalations]
    keeper.retries = Math.max(keeper.retries, other.retries)
    keeper.usage = {
      requests: keeper.usage.requests + other.usage.requests,
      inputTokens: keeper.usage.inputTokens + other.usage.inputTokens,
      outputTokens: keeper.usage.outputTokens + other.usage.outputTokens,
      cacheCreationInputTokens:
        keeper.usage.cacheCreationInputTokens + other.usage.cacheCreationInputTokens,
      cacheReadInputTokens: keeper.usage.cacheReadInputTokens + other.usage.cacheReadInputTokens,
      costUsd: keeper.usage.costUsd + other.usage.costUsd,
    }
  }
  keeper.updatedAt = now
}

function mergeSelection(a: SelectedTest[], b: SelectedTest[]): SelectedTest[] {
  const seen = new Set(a.map((s) => s.file))
  return [...a, ...b.filter((s) => !seen.has(s.file))]
}

/**
 * Adds a task to pending. When pending tasks already cover one of its files, the earliest of them
 * and it (lowest seq) is kept and the rest are folded into it: "keep the earlier task". Returns the
 * task that now covers the files and the ids that were folded away (possibly the incoming one's).
 */
export function addPending(
  queues: Queues,
  incoming: Task,
  now: string,
): { task: Task; merged: boolean; absorbed: string[] } {
  const overlapping = pendingOverlapping(queues, incoming.files)
  if (overlapping.length === 0) {
    queues.pending.push(incoming)
    return { task: incoming, merged: false, absorbed: [] }
  }
  const [keeper, ...others] = [...overlapping, incoming].sort((a, b) => a.seq - b.seq) as [
    Task,
    ...Task[],
  ]
  absorb(keeper, others, now)
  const gone = new Set(others.map((t) => t.id))
  queues.pending = queues.pending.filter((t) => !gone.has(t.id))
  if (keeper === incoming) queues.pending.push(incoming)
  return { task: keeper, merged: true, absorbed: [...gone] }
}

/**
 * Puts `task` (already marked pending) into the pending queue, absorbing every pending task that
 * shares a file with it. Returns the ids absorbed.
 */
export function insertPending(queues: Queues, task: Task, now: string): string[] {
  const others = pendingOverlapping(queues, task.files)
  if (others.length > 0) {
    absorb(task, others, now)
    const gone = new Set(others.map((t) => t.id))
    queues.pending = queues.pending.filter((t) => !gone.has(t.id))
  }
  queues.pending.push(task)
  return others.map((t) => t.id)
}
