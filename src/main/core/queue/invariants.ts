/**
 * The queue's invariants, as a list of what is wrong (empty when all hold). The state store refuses
 * to write a state that breaks one, and the tests check them after every transition.
 */
import { TASK_STATUSES, Task } from '../../../shared/domain'
import type { Queues } from '../../../shared/domain'
import { DEFAULT_QUEUE_LIMITS } from './limits'
import type { QueueLimits } from './limits'
import { isCompletedOutcome, isFailedOutcome } from './task'

export interface InvariantOptions {
  /** Check the history limits too; false to skip. @default DEFAULT_QUEUE_LIMITS */
  limits?: QueueLimits | false
  /**
   * Which tasks to check against the Task schema (all by default). The state store checks only the
   * tasks a write changed: the others were checked when they were written.
   */
  parse?: (task: Task) => boolean
}

export function checkInvariants(queues: Queues, opts: InvariantOptions = {}): string[] {
  const problems: string[] = []
  const ids = new Map<string, string>()
  const seqs = new Map<number, string>()

  for (const queue of TASK_STATUSES) {
    for (const task of queues[queue]) {
      const parsed = opts.parse && !opts.parse(task) ? null : Task.safeParse(task)
      if (parsed && !parsed.success) {
        const issue = parsed.error.issues[0]
        problems.push(
          `${task.id} in ${queue} does not match the Task schema at ${issue?.path.join('.')}: ${issue?.message}`,
        )
        continue
      }
      const where = ids.get(task.id)
      if (where) problems.push(`${task.id} appears in both ${where} and ${queue}`)
      ids.set(task.id, queue)
      const seqOwner = seqs.get(task.seq)
      if (seqOwner) problems.push(`${task.id} and ${seqOwner} share seq ${task.seq}`)
      seqs.set(task.seq, task.id)
      if (task.status !== queue) problems.push(`${task.id} is in ${queue} but says ${task.status}`)
      if (task.files.length === 0) problems.push(`${task.id} has no files`)
      if (new Set(task.files).size !== task.files.length) problems.push(`${task.id} repeats a file`)
      problems.push(...fieldProblems(task, queue))
    }
  }

  for (const queue of ['pending', 'in_progress'] as const) {
    for (const [a, b] of sharingPairs(queues[queue]))
      problems.push(`${a.id} and ${b.id} are both ${queue} on a shared file`)
  }

  const limits = opts.limits === undefined ? DEFAULT_QUEUE_LIMITS : opts.limits
  if (limits) {
    if (queues.completed.length > limits.completed) {
      problems.push(`completed holds ${queues.completed.length} tasks (limit ${limits.completed})`)
    }
    if (queues.failed.length > limits.failed) {
      problems.push(`failed holds ${queues.failed.length} tasks (limit ${limits.failed})`)
    }
  }
  return problems
}

/**
 * Every pair of tasks in `list` that share a file, each pair once, ordered by the first task's place
 * and then the second's. Indexed by file, so it is linear in the files when no two tasks share one
 * (the state store runs this on every write, with thousands of tasks pending).
 */
function sharingPairs(list: readonly Task[]): [Task, Task][] {
  const holders = new Map<string, number[]>()
  const pairs: [number, number][] = []
  list.forEach((task, j) => {
    const earlier = new Set<number>()
    // A task that failed the schema may have no file list; the schema check has reported it.
    for (const file of new Set(Array.isArray(task.files) ? task.files : [])) {
      const seen = holders.get(file)
      if (!seen) {
        holders.set(file, [j])
        continue
      }
      for (const i of seen) earlier.add(i)
      seen.push(j)
    }
    for (const i of earlier) pairs.push([i, j])
  })
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  return pairs.map(([i, j]) => [list[i]!, list[j]!])
}

function fieldProblems(task: Task, queue: Task['status']): string[] {
  const p: string[] = []
  const running = queue === 'pending' || queue === 'in_progress'
  if (running && task.outcome !== null)
    p.push(`${task.id} is ${queue} yet has outcome ${task.outcome}`)
  if (running && task.finishedAt !== null) p.push(`${task.id} is ${queue} yet has finishedAt`)
  if (queue === 'pending' && task.startedAt !== null)
    p.push(`${task.id} is pending yet has startedAt`)
  if (queue === 'in_progress' && task.startedAt === null)
    p.push(`${task.id} is in progress without startedAt`)
  if (!running && task.finishedAt === null) p.push(`${task.id} is ${queue} without finishedAt`)
  if (queue === 'completed' && !isCompletedOutcome(task.outcome)) {
    p.push(`${task.id} is completed with outcome ${task.outcome}`)
  }
  if (queue === 'failed' && !isFailedOutcome(task.outcome)) {
    p.push(`${task.id} is failed with outcome ${task.outcome}`)
  }
  return p
}
