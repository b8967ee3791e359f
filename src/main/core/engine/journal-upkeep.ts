import type { Queues, Task } from '../../../shared/domain'
import type { OwnWriteRegistry } from '../fix/editor-types'
import { Journal } from '../fix/journal'
import type { Logger } from '../log/logger'

/**
 * Start-up repair: the edits of tasks a crash interrupted are rolled back before those tasks return
 * to pending, so the tree is as the user left it.
 */
export async function rollbackInterrupted(
  root: string,
  tasks: readonly Task[],
  ownWrites: OwnWriteRegistry,
  log: Logger,
): Promise<void> {
  for (const task of tasks) {
    try {
      const journal = await Journal.open(root, task.id, { ownWrites })
      if (journal.status === 'open' && journal.paths().length > 0) {
        const report = await journal.rollback()
        log.warn(`Task ${task.id} was interrupted; its edits were rolled back: ${report.message}`, {
          taskId: task.id,
        })
      }
    } catch (error) {
      log.error(`Could not roll back interrupted task ${task.id}: ${(error as Error).message}`, {
        taskId: task.id,
      })
    }
  }
}

/** Undo data is kept only for tasks the state still holds. */
export async function pruneJournals(root: string, queues: Queues, log: Logger): Promise<void> {
  const keep = new Set(
    [...queues.pending, ...queues.in_progress, ...queues.completed, ...queues.failed].map(
      (t) => t.id,
    ),
  )
  try {
    await Journal.prune(root, keep)
  } catch (error) {
    log.warn(`Could not prune old journals: ${(error as Error).message}`)
  }
}
