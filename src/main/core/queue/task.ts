/**
 * Building tasks: ids, a complete default body, and which outcomes belong to which queue.
 */
import { randomBytes } from 'node:crypto'
import { EMPTY_USAGE } from '../../../shared/domain'
import type { Task, TaskKind, TaskOutcome } from '../../../shared/domain'

/** Outcomes a task in the completed queue may carry. */
export const COMPLETED_OUTCOMES = [
  'fixed',
  'no_fix_needed',
  'flaky',
  'detected',
  'needs_review',
  'undone',
] as const satisfies readonly TaskOutcome[]
export type CompletedOutcome = (typeof COMPLETED_OUTCOMES)[number]

/** Outcomes a task in the failed queue may carry. */
export const FAILED_OUTCOMES = ['failed', 'cancelled'] as const satisfies readonly TaskOutcome[]
export type FailedOutcome = (typeof FAILED_OUTCOMES)[number]

export const isCompletedOutcome = (o: TaskOutcome | null): o is CompletedOutcome =>
  o !== null && (COMPLETED_OUTCOMES as readonly string[]).includes(o)

export const isFailedOutcome = (o: TaskOutcome | null): o is FailedOutcome =>
  o !== null && (FAILED_OUTCOMES as readonly string[]).includes(o)

/** `task_` and 12 random hex digits (48 bits from the OS CSPRNG). */
export function randomTaskId(): string {
  return `task_${randomBytes(6).toString('hex')}`
}

export interface NewTaskInput {
  kind: TaskKind
  files: readonly string[]
  seq: number
  /** ISO time of creation. */
  now: string
  /** @default 0 */
  priority?: number
  /** @default randomTaskId() */
  id?: string
}

/** A pending task with every field of the Task schema filled in. */
export function newTask(input: NewTaskInput): Task {
  return {
    id: input.id ?? randomTaskId(),
    kind: input.kind,
    files: uniqueFiles(input.files),
    status: 'pending',
    priority: input.priority ?? 0,
    seq: input.seq,
    createdAt: input.now,
    updatedAt: input.now,
    startedAt: null,
    finishedAt: null,
    outcome: null,
    detection: [],
    selection: [],
    attempts: [],
    plan: null,
    diff: null,
    usage: { ...EMPTY_USAGE },
    failureReason: null,
    escalations: [],
    retries: 0,
    phase: null,
  }
}

/** Files without repeats, first occurrence first. */
export function uniqueFiles(files: readonly string[]): string[] {
  return [...new Set(files)]
}
