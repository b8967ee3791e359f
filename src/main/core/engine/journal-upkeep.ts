import type { Queues, Task } from '../../../shared/domain'
import type { OwnWriteRegistry } from '../fix/editor-types'
import { Journal, journalFile } from '../fix/journal'
import { listStagedFixes, discardStagedFix, loadStagedFix } from '../fix/staged-fix'
import type { Logger } from '../log/logger'
import type { RecoveryDecision } from '../state/state-store'

/**
 * Start-up repair, before the tasks found in progress go back to pending.
 *
 * 1. Every journal still open in the user's tree — whatever queue its task is in, or none — is a
 *    write there that did not finish: an apply cut short by a crash, or a rollback stopped by a full
 *    disk. It is rolled back now, so the tree is as the user left it; one that cannot be completed
 *    stays open and is tried again at the next start.
 * 2. A task that was applying its fix when Fixloop stopped is never re-run blindly: it is held for
 *    review with its staged fix, so Approve applies it again and Reject discards it. An unreadable
 *    journal holds it too, naming its files.
 */
export async function recoverInterrupted(
  root: string,
  inProgress: readonly Task[],
  ownWrites: OwnWriteRegistry,
  log: Logger,
): Promise<RecoveryDecision> {
  const rolledBack = new Set<string>()
  const unreadable = new Set<string>()
  for (const summary of await Journal.list(root)) {
    if (summary.status === 'unreadable') {
      unreadable.add(summary.taskId)
      log.error(
        `The undo data of task ${summary.taskId} is unreadable (${journalFile(root, summary.taskId)}): ${summary.error ?? ''}`,
        { taskId: summary.taskId },
      )
      continue
    }
    if (summary.status !== 'open' || summary.paths.length === 0) continue
    try {
      const journal = await Journal.open(root, summary.taskId, { ownWrites })
      const report = await journal.rollback()
      rolledBack.add(summary.taskId)
      log.warn(
        `Task ${summary.taskId} was interrupted while writing your tree; put back: ${report.message}`,
        { taskId: summary.taskId },
      )
    } catch (error) {
      log.error(
        `Could not repair what task ${summary.taskId} wrote: ${(error as Error).message}; tried again at the next start`,
        { taskId: summary.taskId },
      )
    }
  }

  const hold: { id: string; reason: string }[] = []
  for (const task of inProgress) {
    if (task.phase !== 'apply') continue
    const staged = await loadStagedFix(root, task.id).catch(() => null)
    const files = staged?.files.map((f) => f.path).join(', ') ?? task.files.join(', ')
    const then = staged
      ? 'Approve to apply it again, or reject it.'
      : 'The fix itself was not kept: reject it and retry the task.'
    const reason = unreadable.has(task.id)
      ? `Fixloop stopped while applying this fix and its undo data is unreadable (${journalFile(root, task.id)}); check ${files} before you decide. ${then}`
      : rolledBack.has(task.id)
        ? `Fixloop stopped while applying this fix; what it had written was put back, so your tree is as you left it. ${then}`
        : `Fixloop stopped before applying this fix; your tree was not changed. ${then}`
    hold.push({ id: task.id, reason })
  }
  return { hold }
}

/** Undo data and staged fixes are kept only for tasks the state still holds. */
export async function pruneJournals(root: string, queues: Queues, log: Logger): Promise<void> {
  const keep = new Set(
    [...queues.pending, ...queues.in_progress, ...queues.completed, ...queues.failed].map(
      (t) => t.id,
    ),
  )
  // A staged fix waits only for a held task; any other one is left over from an interrupted run.
  const held = new Set(
    queues.completed.filter((t) => t.outcome === 'needs_review').map((t) => t.id),
  )
  try {
    await Journal.prune(root, keep)
    for (const id of await listStagedFixes(root))
      if (!held.has(id) && !queues.in_progress.some((t) => t.id === id))
        await discardStagedFix(root, id)
  } catch (error) {
    log.warn(`Could not prune old journals: ${(error as Error).message}`)
  }
}
