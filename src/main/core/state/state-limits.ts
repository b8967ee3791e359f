import type { CheckResult, Task } from '../../../shared/domain'
import { applyLimits, DEFAULT_QUEUE_LIMITS } from '../queue/limits'
import type { QueueLimits } from '../queue/limits'
import { STATE_LIMITS } from './schema'
import type { StateFile } from './schema'

/**
 * Trims every bounded part of the state in place: finished tasks (newest kept), conversation
 * history and test results (latest entries kept), spend (newest days), escalation memos (most
 * recent). Runs before every write. `clip` says which finished tasks to clip (all by default; the
 * store passes those the write changed, the others were clipped when they were written). Nothing is
 * assigned that does not change, so the store can tell what a write changed by reference.
 */
export function applyStateLimits(
  state: StateFile,
  queueLimits: QueueLimits = DEFAULT_QUEUE_LIMITS,
  clip: (id: string) => boolean = () => true,
): void {
  applyLimits(state.queues, queueLimits)
  for (const task of [...state.queues.completed, ...state.queues.failed])
    if (clip(task.id)) clipFinished(task)
  if (state.conversation_history.length > STATE_LIMITS.conversationHistory)
    state.conversation_history = tail(state.conversation_history, STATE_LIMITS.conversationHistory)
  if (state.test_results.length > STATE_LIMITS.testResults)
    state.test_results = tail(state.test_results, STATE_LIMITS.testResults)

  const days = Object.keys(state.spend)
  if (days.length > STATE_LIMITS.spendDays) {
    const keep = new Set(days.sort().slice(-STATE_LIMITS.spendDays))
    state.spend = Object.fromEntries(Object.entries(state.spend).filter(([d]) => keep.has(d)))
  }

  const memos = Object.entries(state.escalations)
  if (memos.length > STATE_LIMITS.escalations) {
    const latest = (m: (typeof memos)[number][1]) => Object.values(m.lastAt).sort().at(-1) ?? ''
    memos.sort(([, a], [, b]) => latest(a).localeCompare(latest(b)))
    state.escalations = Object.fromEntries(memos.slice(-STATE_LIMITS.escalations))
  }
}

/**
 * Whether `applyStateLimits(state, queueLimits, clip)` would change anything. Read on a plain
 * (frozen) state, so the store drafts the limits only on the rare write that needs them.
 */
export function limitsNeeded(
  state: StateFile,
  queueLimits: QueueLimits = DEFAULT_QUEUE_LIMITS,
  clip: (id: string) => boolean = () => true,
): boolean {
  const q = state.queues
  if (q.completed.length > queueLimits.completed || q.failed.length > queueLimits.failed)
    return true
  if (state.conversation_history.length > STATE_LIMITS.conversationHistory) return true
  if (state.test_results.length > STATE_LIMITS.testResults) return true
  if (Object.keys(state.spend).length > STATE_LIMITS.spendDays) return true
  if (Object.keys(state.escalations).length > STATE_LIMITS.escalations) return true
  for (const list of [q.completed, q.failed])
    for (const task of list) if (clip(task.id) && clipNeeded(task)) return true
  return false
}

/** Whether `clipFinished` would change the task. */
function clipNeeded(task: Task): boolean {
  const L = STATE_LIMITS
  const long = (c: CheckResult, max: number) =>
    c.output.length > max ||
    c.failures.length > L.finishedFailuresPerCheck ||
    c.failures.some((f) => f.message.length > L.finishedFailureChars)
  if (task.detection.some((c) => long(c, L.finishedEarlierOutputChars))) return true
  const last = task.attempts.length - 1
  return task.attempts.some(
    (attempt, i) =>
      attempt.checks.some((c) =>
        long(c, i === last ? L.finishedOutputChars : L.finishedEarlierOutputChars),
      ) || attempt.edits.some((e) => e.diff.length > L.finishedDiffChars),
  )
}

/**
 * Shrinks a finished task's bulky text: the end of each output (where a runner prints its summary),
 * the start of each failure message and edit diff. The task's own `diff` (what undo shows) stays.
 */
function clipFinished(task: Task): void {
  const L = STATE_LIMITS
  // Clipped copies, never in place: a mutator may have attached one CheckResult to several tasks.
  const clipCheck =
    (max: number) =>
    (c: CheckResult): CheckResult => {
      const long = c.output.length > max
      const many = c.failures.length > L.finishedFailuresPerCheck
      const wordy = c.failures.some((f) => f.message.length > L.finishedFailureChars)
      if (!long && !many && !wordy) return c
      return {
        ...c,
        output: long ? keepEnd(c.output, max) : c.output,
        failures: c.failures
          .slice(0, L.finishedFailuresPerCheck)
          .map((f) =>
            f.message.length > L.finishedFailureChars
              ? { ...f, message: keepStart(f.message, L.finishedFailureChars) }
              : f,
          ),
      }
    }
  // Assigned only when something was clipped, so a write leaves finished tasks it did not change
  // as they were (the store writes only what changed).
  const detection = mapSame(task.detection, clipCheck(L.finishedEarlierOutputChars))
  if (detection !== task.detection) task.detection = detection
  const last = task.attempts.length - 1
  const attempts = mapSame(task.attempts, (attempt, i) => {
    const checks = mapSame(
      attempt.checks,
      clipCheck(i === last ? L.finishedOutputChars : L.finishedEarlierOutputChars),
    )
    const edits = mapSame(attempt.edits, (e) =>
      e.diff.length > L.finishedDiffChars
        ? { ...e, diff: keepStart(e.diff, L.finishedDiffChars) }
        : e,
    )
    return checks === attempt.checks && edits === attempt.edits
      ? attempt
      : { ...attempt, checks, edits }
  })
  if (attempts !== task.attempts) task.attempts = attempts
}

/** `list.map(fn)`, or `list` itself when `fn` returned every element unchanged. */
function mapSame<T>(list: T[], fn: (item: T, index: number) => T): T[] {
  let out: T[] | null = null
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as T
    const mapped = fn(item, i)
    if (mapped !== item && !out) out = list.slice(0, i)
    if (out) out.push(mapped)
  }
  return out ?? list
}

// The marker fits in this many characters, so a clipped text stays within `max` and is never
// clipped again on the next write.
const MARKER_ROOM = 48

export function keepEnd(text: string, max: number): string {
  const keep = max - MARKER_ROOM
  return `[… ${text.length - keep} earlier characters dropped]\n${text.slice(-keep)}`
}

export function keepStart(text: string, max: number): string {
  const keep = max - MARKER_ROOM
  return `${text.slice(0, keep)}\n[… ${text.length - keep} more characters dropped]`
}

function tail<T>(list: T[], max: number): T[] {
  return list.length > max ? list.slice(-max) : list
}
