import type { Queues, QueueSnapshot, Task, TaskSummary } from '../../../shared/domain'

/** What a list shows of a task: everything but attempts, output, plan and diff. */
export function summarizeTask(task: Task): TaskSummary {
  return {
    id: task.id,
    kind: task.kind,
    files: task.files,
    status: task.status,
    priority: task.priority,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    outcome: task.outcome,
    failureReason: task.failureReason,
    phase: task.phase,
    attemptCount: task.attempts.length,
    costUsd: task.usage.costUsd,
  }
}

export function summarizeQueues(queues: Queues): QueueSnapshot {
  return {
    pending: queues.pending.map(summarizeTask),
    in_progress: queues.in_progress.map(summarizeTask),
    completed: queues.completed.map(summarizeTask),
    failed: queues.failed.map(summarizeTask),
  }
}

export function findTask(queues: Queues, id: string): Task | null {
  for (const list of [queues.in_progress, queues.pending, queues.completed, queues.failed]) {
    const task = list.find((t) => t.id === id)
    if (task) return task
  }
  return null
}
