import type { Breaker, Task, TaskSummary } from '../../../shared'

export const TASK_ACTIONS = [
  'retryTask',
  'cancelTask',
  'undoTask',
  'approveTask',
  'rejectTask',
] as const
export type TaskAction = (typeof TASK_ACTIONS)[number]

export const ACTION_LABELS: Record<TaskAction, string> = {
  retryTask: 'Retry',
  cancelTask: 'Cancel',
  undoTask: 'Undo fix',
  approveTask: 'Approve',
  rejectTask: 'Reject',
}

/** When each action is legal, in words (shown as the button's description). */
export const ACTION_RULES: Record<TaskAction, string> = {
  retryTask: 'Sends a failed task back to the queue.',
  cancelTask: 'Cancels a task that has not started.',
  undoTask: 'Restores the files a completed fix changed (refused if they changed since).',
  approveTask: 'Accepts a fix held for review.',
  rejectTask: 'Rejects a fix held for review and rolls its edits back.',
}

type Legal = Pick<Task | TaskSummary, 'status' | 'outcome'>

/** The contract's rules for which action a task's state allows; the engine has the last word. */
export function legalActions(task: Legal): Record<TaskAction, boolean> {
  const review = task.outcome === 'needs_review'
  return {
    retryTask: task.status === 'failed',
    cancelTask: task.status === 'pending',
    undoTask: task.status === 'completed' && task.outcome === 'fixed',
    approveTask: review,
    rejectTask: review,
  }
}

/** The task's files whose circuit breaker is not closed. */
export function trippedFiles(task: Pick<Task, 'files'>, breakers: Breaker[]): string[] {
  const open = new Set(breakers.filter((b) => b.state !== 'closed').map((b) => b.file))
  return task.files.filter((f) => open.has(f))
}

export const OUTCOME_LABELS: Record<NonNullable<Task['outcome']>, string> = {
  fixed: 'Fixed',
  no_fix_needed: 'No fix needed',
  flaky: 'Flaky',
  detected: 'Detected',
  needs_review: 'Needs review',
  failed: 'Failed',
  cancelled: 'Cancelled',
  undone: 'Undone',
}

export const STATUS_LABELS: Record<Task['status'], string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  completed: 'Completed',
  failed: 'Failed',
}

/** "Fixed", "In progress", … — the outcome when there is one, else the queue. */
export function stateLabel(task: Legal): string {
  return task.outcome ? OUTCOME_LABELS[task.outcome] : STATUS_LABELS[task.status]
}

/** A tone for badges: good, bad, warn, busy or plain. */
export function stateTone(task: Legal): 'good' | 'bad' | 'warn' | 'busy' | 'plain' {
  switch (task.outcome) {
    case 'fixed':
    case 'no_fix_needed':
      return 'good'
    case 'failed':
      return 'bad'
    case 'needs_review':
    case 'flaky':
    case 'detected':
      return 'warn'
    case null:
      return task.status === 'in_progress' ? 'busy' : 'plain'
    default:
      return 'plain'
  }
}
