/**
 * How a task run can end. Every stage returns either the next phase or one of these; `settle` turns
 * an ending into queue moves, breakers, stats, history, escalation and pause, from one table.
 */
import type { FileEdit, TaskPhase } from '../../../../shared/domain'

export type Ending =
  /** The related checks pass on the change: no API call. */
  | { kind: 'no_fix_needed' }
  /** A red check passed on a re-run: reported, never sent to Claude. */
  | { kind: 'flaky'; names: string[] }
  /** Red, and auto-fix may not run (off, or no key): reported only. */
  | { kind: 'detected'; summary: string; why: string }
  /**
   * Red, but a file of the task changed again before it had been quiet for the fix debounce: the
   * result is stale and is not sent to Claude. Reported as detected, with nothing spent and nothing
   * held against the files; the newer change is a task of its own and is checked again.
   */
  | { kind: 'superseded'; why: string }
  /** Verified in the shadow and applied to the user's tree. */
  | { kind: 'fixed'; edits: FileEdit[]; message: string }
  /** Verified in the shadow, NOT applied: waits for Approve (integrity, conflict, review policy). */
  | { kind: 'held'; edits: FileEdit[]; message: string }
  /**
   * The task could not be fixed. `blame` says whose fault: the code's (the breaker counts it and it
   * is escalated) or Fixloop's setup (a missing runner, an open breaker): neither.
   */
  | { kind: 'failed'; reason: string; blame: 'code' | 'setup' }
  /** Work must wait for the user: a budget, a rejected key, a spend limit. No breaker, no escalation. */
  | { kind: 'paused'; reason: string; keyRejected: boolean }
  /**
   * The Claude API stayed unavailable past the client's retries: not the task's fault. It goes back
   * to pending (the round's attempt not counted), no breaker, no escalation; new work waits out
   * the outage (`retryAfterMs` when the server said, else a backoff).
   */
  | { kind: 'deferred'; reason: string; retryAfterMs: number | null }
  /**
   * The engine stopped taking new work (pause, stop) while the task waited at the gate: back to
   * pending, nothing spent or counted, to run again from the start when work resumes.
   */
  | { kind: 'requeued'; reason: string }
  /** Stopped by shutdown or cancel: the task stays in progress and goes back to pending. */
  | { kind: 'aborted' }

/** What a stage returns. */
export type Next = { phase: TaskPhase } | { end: Ending }

export const next = (phase: TaskPhase): Next => ({ phase })
export const end = (ending: Ending): Next => ({ end: ending })
