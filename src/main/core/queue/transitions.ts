/**
 * The task queue as a state machine over the four queues. Every function works in place on the
 * `Queues` it is given (in practice the draft a StateStore.update mutator receives) and does no I/O.
 * A refused transition throws QueueError before changing anything.
 *
 *   pending ─▶ in_progress ─▶ completed | failed
 *   failed ─▶ pending (retry)        pending ─▶ failed "cancelled" (cancel)
 */
import type { Queues, Task, TaskStatus } from '../../../shared/domain'
import type { Clocked, EnqueueInput, QueueContext } from './context'
import { addPending, insertPending, overlaps, pendingOverlapping } from './merge'
import { QueueError } from './queue-error'
import type { CompletedOutcome, FailedOutcome } from './task'
import { isCompletedOutcome, isFailedOutcome, newTask, randomTaskId, uniqueFiles } from './task'

/** The fields a caller may change on a task; status, id, seq and times follow from transitions. */
export type TaskPatch = Partial<
  Pick<
    Task,
    | 'kind'
    | 'files'
    | 'priority'
    | 'detection'
    | 'selection'
    | 'attempts'
    | 'plan'
    | 'diff'
    | 'usage'
    | 'failureReason'
    | 'escalations'
    | 'outcome'
    | 'phase'
  >
>

export type CompletePatch = Omit<TaskPatch, 'outcome'> & { outcome: CompletedOutcome }
export type FailPatch = Omit<TaskPatch, 'outcome' | 'failureReason'> & { outcome?: FailedOutcome }

export interface EnqueueResult {
  /** The pending task that now covers the change: new, or the earlier one it merged into. */
  task: Task
  merged: boolean
  /** Ids of further pending tasks folded into `task` because the change bridged them. */
  absorbed: string[]
}

export interface RetryResult {
  task: Task
  /** Ids of pending tasks folded into the retried one because they share a file. */
  absorbed: string[]
}

export interface TakeOptions {
  /**
   * Files some other worker holds. Tasks touching them are skipped, so concurrent workers get
   * disjoint file sets. Files of tasks already in progress are always treated as busy.
   */
  busyFiles?: ReadonlySet<string>
}

/** Pending tasks in the order they will run: higher priority first, then first come first served. */
export function runOrder(a: Task, b: Task): number {
  return b.priority - a.priority || a.seq - b.seq
}

/**
 * Queues a change. When a pending task already covers one of its files the change merges into the
 * earliest such task (files united, priority raised to the highest, updatedAt bumped).
 */
export function enqueue(queues: Queues, input: EnqueueInput, ctx: QueueContext): EnqueueResult {
  const files = checkFiles(input.files)
  const priority = checkPriority(input.priority ?? 0)
  const merging = pendingOverlapping(queues, files).length > 0
  const incoming = newTask({
    // A change that merges never becomes a task of its own, so it takes neither an id nor a seq.
    id: merging ? 'task_incoming' : freshId(queues, ctx.newId ?? randomTaskId),
    kind: input.kind,
    files,
    priority,
    seq: merging ? Number.MAX_SAFE_INTEGER : ctx.nextSeq(),
    now: ctx.now,
  })
  const { task, merged, absorbed } = addPending(queues, incoming, ctx.now)
  queues.pending.sort(runOrder)
  return { task, merged, absorbed: absorbed.filter((id) => id !== incoming.id) }
}

/**
 * The pending task `takeNext` would start, without moving it (null when none can run): lets a
 * caller skip a state write that would change nothing.
 */
export function nextRunnable(queues: Queues, opts: TakeOptions = {}): Task | null {
  const busy = new Set(opts.busyFiles ?? [])
  for (const t of queues.in_progress) for (const f of t.files) busy.add(f)
  return [...queues.pending].sort(runOrder).find((t) => !t.files.some((f) => busy.has(f))) ?? null
}

/**
 * Moves the next runnable pending task to in_progress and returns it, or null when none can run.
 * Tasks sharing a file with one in progress (or with `busyFiles`) wait.
 */
export function takeNext(queues: Queues, ctx: Clocked, opts: TakeOptions = {}): Task | null {
  const next = nextRunnable(queues, opts)
  if (!next) return null
  queues.pending = queues.pending.filter((t) => t !== next)
  next.status = 'in_progress'
  next.startedAt = ctx.now
  next.updatedAt = ctx.now
  next.phase = 'sync'
  queues.in_progress.push(next)
  return next
}

/** in_progress → completed, with how it ended and whatever else the worker recorded. */
export function complete(queues: Queues, id: string, patch: CompletePatch, ctx: Clocked): Task {
  const task = expectIn(queues, id, 'in_progress', 'complete')
  if (!isCompletedOutcome(patch.outcome)) {
    throw new QueueError(
      'invalid',
      `"${String(patch.outcome)}" is not an outcome of a completed task.`,
    )
  }
  checkPatch(queues, task, patch)
  return finish(
    queues,
    task,
    'completed',
    { ...patch, failureReason: patch.failureReason ?? null },
    ctx,
  )
}

/** in_progress → failed, with the reason shown to the user. */
export function fail(
  queues: Queues,
  id: string,
  reason: string,
  patch: FailPatch,
  ctx: Clocked,
): Task {
  const task = expectIn(queues, id, 'in_progress', 'fail')
  const outcome = patch.outcome ?? 'failed'
  if (!isFailedOutcome(outcome)) {
    throw new QueueError('invalid', `"${String(outcome)}" is not an outcome of a failed task.`)
  }
  checkPatch(queues, task, patch)
  return finish(queues, task, 'failed', { ...patch, outcome, failureReason: reason }, ctx)
}

/**
 * failed → pending, at the back of its priority. The previous run's attempts, plan and diff are
 * cleared so the retry gets the full attempt budget; spend and escalations are kept. A pending task
 * sharing a file is folded into the retried one.
 */
export function retry(queues: Queues, id: string, ctx: QueueContext): RetryResult {
  const task = expectIn(queues, id, 'failed', 'retry')
  queues.failed = queues.failed.filter((t) => t !== task)
  Object.assign(task, {
    status: 'pending',
    seq: ctx.nextSeq(),
    updatedAt: ctx.now,
    startedAt: null,
    finishedAt: null,
    outcome: null,
    failureReason: null,
    detection: [],
    attempts: [],
    plan: null,
    diff: null,
    retries: task.retries + 1,
  } satisfies Partial<Task>)
  const absorbed = insertPending(queues, task, ctx.now)
  queues.pending.sort(runOrder)
  return { task, absorbed }
}

/** pending → failed with outcome "cancelled". */
export function cancel(queues: Queues, id: string, ctx: Clocked): Task {
  const task = expectIn(queues, id, 'pending', 'cancel')
  return finish(
    queues,
    task,
    'failed',
    { outcome: 'cancelled', failureReason: 'Cancelled by the user.' },
    ctx,
  )
}

/**
 * Changes a task's recorded details without moving it (attempts while it runs, "undone" after an
 * undo, a plan, usage). Refuses a patch that would break an invariant.
 */
export function updateTask(queues: Queues, id: string, patch: TaskPatch, ctx: Clocked): Task {
  const found = locate(queues, id)
  if (!found) throw notFound(id)
  const { task, status } = found
  if (patch.outcome !== undefined && !outcomeFits(status, patch.outcome)) {
    throw new QueueError(
      'invalid',
      `A ${label(status)} task cannot have the outcome "${String(patch.outcome)}".`,
    )
  }
  checkPatch(queues, task, patch)
  Object.assign(task, normalise(patch), { updatedAt: ctx.now })
  if (status === 'pending') queues.pending.sort(runOrder)
  return task
}

export interface RequeueResult {
  /** The tasks that were in progress, now pending (unless listed in `absorbed`). */
  moved: Task[]
  /** Ids folded into an earlier pending task that shares a file with them. */
  absorbed: string[]
}

/**
 * Start-up recovery: every task left in_progress by a previous run goes back to pending, keeping
 * its id and its place in line; where pending tasks share files, the earliest is kept.
 */
export function requeueInProgress(queues: Queues, ctx: Clocked): RequeueResult {
  const moved = [...queues.in_progress].sort((a, b) => a.seq - b.seq)
  const absorbed: string[] = []
  queues.in_progress = []
  for (const task of moved) {
    task.status = 'pending'
    task.startedAt = null
    task.updatedAt = ctx.now
    task.phase = null
    absorbed.push(...addPending(queues, task, ctx.now).absorbed)
  }
  queues.pending.sort(runOrder)
  return { moved, absorbed }
}

/**
 * in_progress → pending, keeping its place in line (its seq): the work could not go on for a
 * reason that is not the task's (the Claude API is unavailable). What the run recorded is kept;
 * pending tasks that share a file with it are folded into it, as at start-up.
 */
export function defer(
  queues: Queues,
  id: string,
  patch: TaskPatch,
  ctx: Clocked,
): { task: Task; absorbed: string[] } {
  const task = expectIn(queues, id, 'in_progress', 'defer')
  checkPatch(queues, task, patch)
  queues.in_progress = queues.in_progress.filter((t) => t !== task)
  Object.assign(task, normalise(patch), {
    status: 'pending',
    startedAt: null,
    updatedAt: ctx.now,
    phase: null,
    outcome: null,
  })
  const absorbed = insertPending(queues, task, ctx.now)
  queues.pending.sort(runOrder)
  return { task, absorbed }
}

/** Where a task is, or undefined. */
export function locate(queues: Queues, id: string): { task: Task; status: TaskStatus } | undefined {
  for (const status of ['pending', 'in_progress', 'completed', 'failed'] as const) {
    const task = queues[status].find((t) => t.id === id)
    if (task) return { task, status }
  }
  return undefined
}

function expectIn(queues: Queues, id: string, want: TaskStatus, verb: string): Task {
  const found = locate(queues, id)
  if (!found) throw notFound(id)
  if (found.status !== want) {
    throw new QueueError(
      'conflict',
      `Cannot ${verb} task ${id}: it is ${label(found.status)}, and only ${label(want)} tasks can be ${pastTense(verb)}.`,
    )
  }
  return found.task
}

function finish(
  queues: Queues,
  task: Task,
  to: 'completed' | 'failed',
  patch: TaskPatch,
  ctx: Clocked,
): Task {
  const from = task.status
  queues[from] = queues[from].filter((t) => t !== task)
  Object.assign(task, normalise(patch), {
    status: to,
    finishedAt: ctx.now,
    updatedAt: ctx.now,
    phase: null,
  })
  queues[to].push(task)
  return task
}

/** Refuses files or priorities that would break an invariant; changes nothing. */
function checkPatch(queues: Queues, task: Task, patch: TaskPatch): void {
  if (patch.priority !== undefined) checkPriority(patch.priority)
  if (patch.files === undefined) return
  const files = checkFiles(patch.files)
  if (task.status !== 'pending' && task.status !== 'in_progress') return
  const clash = queues[task.status].find((t) => t !== task && overlaps(t.files, files))
  if (clash) {
    throw new QueueError(
      'conflict',
      `Task ${task.id} cannot take those files: ${clash.id} (${label(task.status)}) already covers ${clash.files.filter((f) => files.includes(f)).join(', ')}.`,
    )
  }
}

function normalise(patch: TaskPatch): TaskPatch {
  return patch.files ? { ...patch, files: uniqueFiles(patch.files) } : patch
}

function checkFiles(files: readonly string[]): string[] {
  const unique = uniqueFiles(files)
  if (unique.length === 0 || unique.some((f) => f.length === 0)) {
    throw new QueueError(
      'invalid',
      'A task needs at least one file, and file paths cannot be empty.',
    )
  }
  return unique
}

function checkPriority(priority: number): number {
  if (!Number.isSafeInteger(priority)) {
    throw new QueueError('invalid', `Priority must be a whole number (got ${priority}).`)
  }
  return priority
}

function outcomeFits(status: TaskStatus, outcome: Task['outcome']): boolean {
  if (status === 'completed') return isCompletedOutcome(outcome)
  if (status === 'failed') return isFailedOutcome(outcome)
  return outcome === null
}

function freshId(queues: Queues, make: () => string): string {
  // 48 random bits make a clash all but impossible; the bound only guards a broken `newId`.
  for (let i = 0; i < 100; i++) {
    const id = make()
    if (!locate(queues, id)) return id
  }
  throw new QueueError('conflict', 'Could not make a task id that is not already in use.')
}

function notFound(id: string): QueueError {
  return new QueueError('not_found', `No task ${id}. It may have aged out of the history.`)
}

const label = (s: TaskStatus): string => (s === 'in_progress' ? 'in progress' : s)

const pastTense = (verb: string): string =>
  ({ complete: 'completed', fail: 'failed', retry: 'retried', cancel: 'cancelled' })[verb] ?? verb
