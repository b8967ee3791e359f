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
  approveTask:
    'Applies a fix held for review to your files (refused if it conflicts with your edit).',
  rejectTask: 'Discards a fix held for review; your files were never changed by it.',
}

type Legal = Pick<Task | TaskSummary, 'status' | 'outcome'> &
  Partial<Pick<Task | TaskSummary, 'phase'>>

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

/** Where a task in progress is, in words. */
export const PHASE_LABELS: Record<NonNullable<Task['phase']>, string> = {
  sync: 'Preparing the shadow copy',
  detect: 'Checking',
  gate: 'Checking',
  fix: 'Fixing',
  verify: 'Verifying the fix',
  apply: 'Applying the fix',
  settle: 'Finishing',
}

export const STATUS_LABELS: Record<Task['status'], string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  completed: 'Completed',
  failed: 'Failed',
}

/** "Fixed", "In progress", … — the outcome when there is one, else the queue. */
export function stateLabel(task: Legal): string {
  if (task.outcome) return OUTCOME_LABELS[task.outcome]
  if (task.status === 'in_progress' && task.phase) return PHASE_LABELS[task.phase]
  return STATUS_LABELS[task.status]
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
