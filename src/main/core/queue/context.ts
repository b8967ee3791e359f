import type { TaskKind } from '../../../shared/domain'

/** What a transition needs to stamp times. */
export interface Clocked {
  /** The current time, ISO 8601. Passed in so the queue stays free of clocks and I/O. */
  now: string
}

/** What a transition that creates or re-inserts a task needs. */
export interface QueueContext extends Clocked {
  /** Hands out the next insertion number; the caller persists the counter (StateFile.seq). */
  nextSeq(): number
  /** Makes a task id. @default randomTaskId */
  newId?: () => string
}

export interface EnqueueInput {
  /** Project-relative paths, forward slashes. Repeats are dropped. */
  files: readonly string[]
  kind: TaskKind
  /** Higher runs first. @default 0 */
  priority?: number
}
