/**
 * Salvaging the queues of a damaged state file, task by task. A task is dropped only when it has
 * nothing to hold on to (no valid id, no file); any other bad field is repaired to what the queue it
 * sits in implies. Then the queue invariants are restored: one copy per id, unique sequence numbers,
 * one running or pending task per file.
 */
import type { z } from 'zod'
import { Task, TaskStatus } from '../../../shared/domain'
import type { Queues, Usage } from '../../../shared/domain'
import { absorb } from '../queue/merge'
import { isCompletedOutcome, isFailedOutcome, uniqueFiles } from '../queue/task'
import type { SalvageNotes } from './salvage-notes'
import { firstIssue, show } from './salvage-notes'
import { isRecord, sumUsage } from './salvage-values'

/** The failure reason of a finished task whose outcome was unreadable. */
export const OUTCOME_LOST =
  'Its outcome was lost when a damaged state file was repaired; retry it if the problem remains.'

interface Candidate {
  task: Task
  /** Where it was found, for the notes: `queues.pending[3]`. */
  where: string
  /** Its seq, if it had a valid one. */
  seq: number | null
  /** Position in the file, for stable tie-breaks. */
  order: number
}

export interface SalvagedQueues {
  queues: Queues
  /** Task entries found in the file (every copy counted). */
  found: number
  /** The highest seq now in use, or -1 with no tasks. */
  maxSeq: number
}

export function salvageQueues(raw: unknown, now: string, notes: SalvageNotes): SalvagedQueues {
  const queues: Queues = { pending: [], in_progress: [], completed: [], failed: [] }
  if (!isRecord(raw)) {
    notes.drop('queues', `not an object (${show(raw)}); every task in it is lost`)
    return { queues, found: 0, maxSeq: -1 }
  }
  const candidates: Candidate[] = []
  let found = 0
  for (const status of TaskStatus.options) {
    const list = raw[status]
    if (list === undefined) {
      notes.repair(`queues.${status}`, 'missing → empty')
      continue
    }
    if (!Array.isArray(list)) {
      notes.drop(`queues.${status}`, `not a list (${show(list)}); every task in it is lost`)
      continue
    }
    found += list.length
    list.forEach((item, i) => {
      const where = `queues.${status}[${i}]`
      const repaired = repairTask(item, status, where, now, notes)
      if (repaired) candidates.push({ ...repaired, where, order: candidates.length })
    })
  }
  const kept = withUniqueSeqs(oneCopyEach(candidates, notes), notes)
  place(queues, kept, now, notes)
  const maxSeq = kept.reduce((m, t) => Math.max(m, t.seq), -1)
  return { queues, found, maxSeq }
}

/**
 * The task at `where`, repaired, or null when it has no valid id or no file. The queue it is in is
 * taken as the truth for its status; a finished task goes to the queue its outcome belongs to.
 */
function repairTask(
  raw: unknown,
  queue: TaskStatus,
  where: string,
  now: string,
  notes: SalvageNotes,
): { task: Task; seq: number | null } | null {
  if (!isRecord(raw)) {
    notes.drop(where, `not a task (${show(raw)})`)
    return null
  }
  const id = Task.shape.id.safeParse(raw.id)
  if (!id.success) {
    notes.drop(where, `no valid task id (${show(raw.id)})`)
    return null
  }
  const name = `${where} (${id.data})`
  const files = Array.isArray(raw.files)
    ? uniqueFiles(raw.files.filter((f): f is string => typeof f === 'string' && f !== ''))
    : []
  if (files.length === 0) {
    notes.drop(name, `names no file (files: ${show(raw.files)})`)
    return null
  }
  if (files.length !== (raw.files as unknown[]).length) {
    const removed = (raw.files as unknown[]).length - files.length
    notes.repair(name, `files: ${removed} entries that were not file names, or repeats, removed`)
  }

  const field = <K extends keyof typeof Task.shape>(
    key: K,
    fallback: () => Task[K],
    said?: (value: Task[K]) => string,
  ): Task[K] => {
    const parsed = Task.shape[key].safeParse(raw[key])
    if (parsed.success) return parsed.data as Task[K]
    const value = fallback()
    notes.repair(name, `${key} ${show(raw[key])} → ${said ? said(value) : show(value)}`)
    return value
  }
  const list = <K extends 'detection' | 'selection' | 'attempts' | 'escalations'>(
    key: K,
  ): Task[K] => {
    const value = raw[key]
    if (!Array.isArray(value)) return field(key, () => [] as Task[K])
    const element = (Task.shape[key] as unknown as z.ZodArray<z.ZodType>).element
    const kept: unknown[] = []
    value.forEach((item, i) => {
      const parsed = element.safeParse(item)
      if (parsed.success) kept.push(parsed.data)
      else notes.drop(`${name}.${key}[${i}]`, firstIssue(parsed.error))
    })
    return kept as Task[K]
  }

  const createdAt = field('createdAt', () => stringOr(raw.updatedAt, now))
  const attempts = list('attempts')
  const task: Task = {
    id: id.data,
    kind: field('kind', () => (files.length > 1 ? 'batch' : 'file_change')),
    files,
    status: queue,
    priority: field('priority', () => 0),
    seq: 0,
    createdAt,
    updatedAt: field('updatedAt', () => createdAt),
    startedAt: field('startedAt', () => null),
    finishedAt: field('finishedAt', () => null),
    outcome: field('outcome', () => null),
    detection: list('detection'),
    selection: list('selection'),
    attempts,
    plan: field('plan', () => null),
    diff: field('diff', () => null),
    usage: field(
      'usage',
      (): Usage => sumUsage(attempts.map((a) => a.usage)),
      (u) => `the sum of its attempts ($${u.costUsd})`,
    ),
    failureReason: field('failureReason', () => null),
    escalations: list('escalations'),
    retries: field('retries', () => 0),
    phase: field('phase', () => null),
  }
  fitQueue(task, queue, name, notes)
  if (raw.status !== queue) {
    notes.repair(name, `status ${show(raw.status)} → "${task.status}" (the queue it is in)`)
  }
  const seq = Task.shape.seq.safeParse(raw.seq)
  return { task, seq: seq.success ? seq.data : null }
}

/** Makes the task's times and outcome agree with its queue (the invariants' field rules). */
function fitQueue(task: Task, queue: TaskStatus, name: string, notes: SalvageNotes): void {
  const clear = (key: 'startedAt' | 'finishedAt' | 'outcome') => {
    if (task[key] === null) return
    notes.repair(name, `${key} ${show(task[key])} → null (the task is ${queue})`)
    task[key] = null
  }
  if (queue === 'pending' || queue === 'in_progress') {
    clear('finishedAt')
    clear('outcome')
    if (queue === 'pending') clear('startedAt')
    else task.startedAt ??= task.updatedAt
    task.status = queue
    return
  }
  let home: TaskStatus = queue
  if (queue === 'completed' && !isCompletedOutcome(task.outcome)) home = 'failed'
  if (queue === 'failed' && isCompletedOutcome(task.outcome)) home = 'completed'
  if (home === 'failed' && !isFailedOutcome(task.outcome)) {
    notes.repair(name, `outcome ${show(task.outcome)} → "failed" (${OUTCOME_LOST})`)
    task.outcome = 'failed'
    task.failureReason ??= OUTCOME_LOST
  }
  if (home !== queue)
    notes.repair(name, `moved to ${home}, where outcome "${task.outcome}" belongs`)
  if (task.finishedAt === null) {
    task.finishedAt = task.updatedAt
    notes.repair(name, `finishedAt null → ${show(task.finishedAt)} (its last update)`)
  }
  task.status = home
}

/**
 * One copy per id: the most recently updated wins; on a tie, the finished copy (its furthest
 * state, as the seed migration does), then the first in the file.
 */
function oneCopyEach(candidates: Candidate[], notes: SalvageNotes): Candidate[] {
  const rank = (c: Candidate) =>
    c.task.status === 'completed' || c.task.status === 'failed' ? 1 : 0
  const time = (c: Candidate) => Date.parse(c.task.updatedAt) || 0
  const better = (a: Candidate, b: Candidate) =>
    time(a) !== time(b)
      ? time(a) > time(b)
      : rank(a) !== rank(b)
        ? rank(a) > rank(b)
        : a.order < b.order
  const best = new Map<string, Candidate>()
  for (const c of candidates) {
    const held = best.get(c.task.id)
    if (!held || better(c, held)) best.set(c.task.id, c)
  }
  for (const c of candidates) {
    const winner = best.get(c.task.id)!
    if (winner === c) continue
    notes.drop(
      `${c.where} (${c.task.id})`,
      `a second copy of the task; the one at ${winner.where} (${winner.task.status}) is kept`,
    )
  }
  return candidates.filter((c) => best.get(c.task.id) === c)
}

/** Keeps each valid, unused seq; hands the others new ones after the highest. */
function withUniqueSeqs(candidates: Candidate[], notes: SalvageNotes): Task[] {
  const used = new Set<number>()
  const needing: Candidate[] = []
  for (const c of candidates) {
    if (c.seq !== null && !used.has(c.seq)) {
      used.add(c.seq)
      c.task.seq = c.seq
    } else needing.push(c)
  }
  let next = 0
  for (const seq of used) if (seq >= next) next = seq + 1
  for (const c of needing) {
    c.task.seq = next++
    const why = c.seq === null ? 'not a valid sequence number' : 'already taken by another task'
    notes.repair(`${c.where} (${c.task.id})`, `seq ${show(c.seq)} → ${c.task.seq} (${why})`)
  }
  return candidates.map((c) => c.task)
}

/**
 * Finished tasks go to their queue as they are. Running ones (oldest first) stay running unless an
 * earlier one holds one of their files, in which case they wait in pending; pending tasks on a
 * shared file are folded into the earliest (lowest seq), as `addPending` does. Indexed by file, so
 * a file holding many thousands of tasks is placed in linear time.
 */
function place(queues: Queues, tasks: Task[], now: string, notes: SalvageNotes): void {
  const running = tasks.filter((t) => t.status === 'in_progress').sort((a, b) => a.seq - b.seq)
  const waiting = tasks.filter((t) => t.status === 'pending')
  for (const task of tasks) {
    if (task.status === 'completed' || task.status === 'failed') queues[task.status].push(task)
  }
  const runningOn = new Map<string, Task>()
  for (const task of running) {
    const holder = task.files.map((f) => runningOn.get(f)).find((t) => t !== undefined)
    if (!holder) {
      queues.in_progress.push(task)
      for (const f of task.files) runningOn.set(f, task)
      continue
    }
    notes.repair(task.id, `moved to pending: ${holder.id} was also in progress on the same file`)
    Object.assign(task, { status: 'pending', startedAt: null, phase: null })
    waiting.push(task)
  }
  const pendingOn = new Map<string, Task>()
  const gone = new Set<Task>()
  for (const task of waiting) {
    const overlapping = new Set(
      task.files.map((f) => pendingOn.get(f)).filter((t) => t !== undefined),
    )
    const [keeper, ...others] = [...overlapping, task].sort((a, b) => a.seq - b.seq) as [
      Task,
      ...Task[],
    ]
    if (others.length > 0) absorb(keeper, others, now)
    for (const other of others) {
      gone.add(other)
      notes.repair(other.id, `folded into ${keeper.id}, which is pending on the same file`)
    }
    if (keeper === task) queues.pending.push(task)
    for (const f of keeper.files) pendingOn.set(f, keeper)
  }
  queues.pending = queues.pending.filter((t) => !gone.has(t))
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback
}
