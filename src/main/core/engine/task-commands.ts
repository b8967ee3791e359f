/**
 * What a user can do to a task from the UI, the tray or the CLI: retry, cancel, undo, approve or
 * reject a fix held for review, reset a file's circuit breaker. Queue errors come back as
 * EngineErrors (not_found / conflict) through `command`.
 *
 * A held fix is not in the user's tree: approve applies its staged copy with the same hash checks
 * and merge as an automatic apply; reject discards it. Undo puts back what an applied fix changed.
 */
import { stat } from 'node:fs/promises'
import type { Task } from '../../../shared/domain'
import { resetBreaker } from '../fix/breaker'
import type { OwnWriteRegistry } from '../fix/editor-types'
import { applyFix } from '../fix/apply-fix'
import { Journal } from '../fix/journal'
import { UnreadableJournal, journalFile } from '../fix/journal-data'
import { UnreadableStagedFix, discardStagedFix, loadStagedFix } from '../fix/staged-fix'
import type { StagedFix } from '../fix/staged-fix'
import type { Logger } from '../log/logger'
import type { QueueContext } from '../queue'
import { cancel, retry, updateTask } from '../queue'
import type { StateFile } from '../state'
import { EngineError } from './engine-error'
import { countOutcome } from './session-stats'

export interface TaskCommandContext {
  root: () => string
  now: () => string
  log: () => Logger
  ownWrites: () => OwnWriteRegistry
  getTask: (id: string) => Task | null
  /** A state change on behalf of a command. */
  command: <R>(fn: (draft: StateFile) => R) => Promise<R>
  queueContext: (draft: StateFile) => QueueContext
  emitTask: (kind: 'task_updated' | 'task_failed', task: Task) => void
  /** Look for work to take (after a retry). */
  pump: () => void
  /** Tells the shadow workspaces that these files changed in the tree (the watcher drops own writes). */
  noteChanged: (paths: readonly string[]) => void
}

export async function retryTask(ctx: TaskCommandContext, id: string): Promise<Task> {
  const task = await ctx.command((s) => retry(s.queues, id, ctx.queueContext(s)).task)
  ctx.log().info(`Task ${id} sent back to pending`, { taskId: id })
  ctx.emitTask('task_updated', task)
  ctx.pump()
  return task
}

export async function cancelTask(ctx: TaskCommandContext, id: string): Promise<Task> {
  const task = await ctx.command((s) => {
    const cancelled = cancel(s.queues, id, { now: ctx.now() })
    countOutcome(s.stats, 'cancelled')
    return cancelled
  })
  ctx.log().info(`Task ${id} cancelled`, { taskId: id })
  ctx.emitTask('task_failed', task)
  return task
}

export async function undoTask(ctx: TaskCommandContext, id: string): Promise<Task> {
  const task = requireTask(ctx, id)
  if (task.status !== 'completed' || (task.outcome !== 'fixed' && task.outcome !== 'needs_review'))
    throw new EngineError(
      'conflict',
      `Task ${id} has no fix to undo (${task.outcome ?? task.status}).`,
    )
  return restoreFiles(ctx, task, 'Undone by the user')
}

export async function approveTask(ctx: TaskCommandContext, id: string): Promise<Task> {
  const task = requireHeld(ctx, id)
  const staged = await stagedFixOf(ctx, id)
  let said: string
  if (staged) {
    const report = await applyFix(ctx.root(), staged, { ownWrites: ctx.ownWrites() })
    ctx.noteChanged(staged.files.map((f) => f.path))
    if (!report.ok) throw new EngineError('conflict', report.message)
    await discardStagedFix(ctx.root(), id)
    said = report.message
  } else if (await heldInTree(ctx, task)) {
    // Held by an earlier version of Fixloop, which left held fixes in the tree: approving keeps it.
    said = 'The fix was already in your tree; kept.'
  } else {
    throw new EngineError(
      'conflict',
      `Task ${id} has no stored fix to apply (it was lost); retry the task to fix it again.`,
    )
  }
  const updated = await ctx.command((s) =>
    updateTask(s.queues, id, { outcome: 'fixed', failureReason: null }, { now: ctx.now() }),
  )
  ctx.log().info(`Fix of task ${id} approved: ${said}`, { taskId: id })
  ctx.emitTask('task_updated', updated)
  return updated
}

export async function rejectTask(ctx: TaskCommandContext, id: string): Promise<Task> {
  const task = requireHeld(ctx, id)
  const staged = await stagedFixOf(ctx, id).catch((error: unknown) => {
    // An unreadable stored fix can still be thrown away: that is what reject asks.
    if (error instanceof EngineError) return null
    throw error
  })
  if (!staged && (await heldInTree(ctx, task))) return restoreFiles(ctx, task, 'Rejected in review')
  await discardStagedFix(ctx.root(), id)
  const why = 'Rejected in review: the fix was discarded; your tree was never changed.'
  const updated = await ctx.command((s) =>
    updateTask(s.queues, id, { outcome: 'undone', failureReason: why }, { now: ctx.now() }),
  )
  ctx.log().info(why, { taskId: id })
  ctx.emitTask('task_updated', updated)
  return updated
}

export async function resetBreakerOf(ctx: TaskCommandContext, file: string): Promise<void> {
  await ctx.command((s) => {
    s.breakers = resetBreaker(s.breakers, file)
  })
  ctx.log().info(`Circuit breaker for ${file} reset`)
}

/** Puts back what the task's fix changed; refuses, touching nothing, if a file changed since. */
async function restoreFiles(ctx: TaskCommandContext, task: Task, why: string): Promise<Task> {
  const file = journalFile(ctx.root(), task.id)
  const cannot = (because: string) =>
    new EngineError(
      'conflict',
      `Task ${task.id} cannot be undone: ${because}. Your files were not changed.`,
    )
  // Without its journal (deleted, or cut short by a crash) there is nothing to undo with.
  if (!(await stat(file).catch(() => null))) throw cannot(`its undo journal ${file} is gone`)
  let journal: Journal
  try {
    journal = await Journal.open(ctx.root(), task.id, { ownWrites: ctx.ownWrites() })
  } catch (error) {
    if (error instanceof UnreadableJournal) throw cannot(error.message)
    throw error
  }
  const report = await journal.undo()
  ctx.noteChanged(journal.paths())
  if (!report.ok) throw new EngineError('conflict', report.message)
  const updated = await ctx.command((s) =>
    updateTask(
      s.queues,
      task.id,
      { outcome: 'undone', failureReason: `${why}: ${report.message}` },
      { now: ctx.now() },
    ),
  )
  ctx.log().info(`${why}: ${report.message}`, { taskId: task.id })
  ctx.emitTask('task_updated', updated)
  return updated
}

/** The held fix's staged copy; an unreadable one is a conflict the user can read. */
async function stagedFixOf(ctx: TaskCommandContext, id: string): Promise<StagedFix | null> {
  try {
    return await loadStagedFix(ctx.root(), id)
  } catch (error) {
    if (error instanceof UnreadableStagedFix) throw new EngineError('conflict', error.message)
    throw error
  }
}

/** Whether the task's fix stands in the tree already (a completed journal in the user's tree). */
async function heldInTree(ctx: TaskCommandContext, task: Task): Promise<boolean> {
  try {
    const journal = await Journal.open(ctx.root(), task.id)
    return journal.status === 'completed' && journal.paths().length > 0
  } catch {
    return false
  }
}

function requireTask(ctx: TaskCommandContext, id: string): Task {
  const task = ctx.getTask(id)
  if (!task) throw new EngineError('not_found', `No task ${id}.`)
  return task
}

function requireHeld(ctx: TaskCommandContext, id: string): Task {
  const task = requireTask(ctx, id)
  if (task.outcome !== 'needs_review')
    throw new EngineError('conflict', `Task ${id} is not held for review.`)
  return task
}
