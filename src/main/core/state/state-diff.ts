/**
 * What a write changed. States are immutable and share what a write did not touch (immer), so a
 * changed part is told by reference: a section, a task, a task's record. Validation, rendering and
 * the files written then cost what changed, not what the state holds.
 */
import type { Queues, Task } from '../../../shared/domain'
import { checkInvariants } from '../queue/invariants'
import type { QueueLimits } from '../queue/limits'
import { StateFile } from './schema'
import { recordChanged, summaryChanged } from './task-details'

export const SECTION_KEYS = Object.keys(StateFile.shape) as (keyof StateFile)[]

/**
 * Sections whose change alone does not rewrite `state.json` at once: the log-like history and
 * test results, the counters, the spend and the last health check. They ride on the next write
 * that must happen, and are written on their own at most `RIDER_DELAY_MS` later.
 */
export const RIDER_SECTIONS: ReadonlySet<keyof StateFile> = new Set([
  'conversation_history',
  'test_results',
  'stats',
  'spend',
  'health',
] as const)
export const RIDER_DELAY_MS = 1_000
export const QUEUE_NAMES = [
  'pending',
  'in_progress',
  'completed',
  'failed',
] as const satisfies readonly (keyof Queues)[]

const indexes = new WeakMap<Queues, Map<string, Task>>()

/** Every task of the queues by id (memoised per queues object). */
export function taskIndex(queues: Queues): Map<string, Task> {
  let index = indexes.get(queues)
  if (!index) {
    index = new Map()
    for (const name of QUEUE_NAMES) for (const task of queues[name]) index.set(task.id, task)
    indexes.set(queues, index)
  }
  return index
}

/** Ids of finished tasks that `next` holds a different object for than `prev` (or did not hold). */
export function changedFinished(prev: StateFile, next: StateFile): Set<string> {
  const out = new Set<string>()
  if (prev.queues === next.queues) return out
  const before = taskIndex(prev.queues)
  for (const name of ['completed', 'failed'] as const) {
    if (prev.queues[name] === next.queues[name]) continue
    for (const task of next.queues[name]) if (before.get(task.id) !== task) out.add(task.id)
  }
  return out
}

/** The first thing wrong with what `next` changed from `prev` (a valid state), or null. */
export function validateChange(
  prev: StateFile,
  next: StateFile,
  queueLimits: QueueLimits,
): string | null {
  for (const key of SECTION_KEYS) {
    if (key === 'queues' || prev[key] === next[key]) continue
    const parsed = StateFile.shape[key].safeParse(next[key])
    if (!parsed.success) {
      const first = parsed.error.issues[0]
      return `${[key, ...(first?.path ?? [])].join('.')}: ${first?.message}`
    }
  }
  if (prev.queues === next.queues) return null
  const before = taskIndex(prev.queues)
  const violations = checkInvariants(next.queues, {
    limits: queueLimits,
    parse: (task) => before.get(task.id) !== task,
  })
  if (violations.length === 0) return null
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : ''
  return violations[0] + more
}

export interface WritePlan {
  /** Whether `state.json` must be rewritten. */
  stateFile: boolean
  /** Whether only rider sections changed in it (then the rewrite can wait a little). */
  ridersOnly: boolean
  /** Tasks whose record file must be (re)written. */
  records: Task[]
  /** Ids of tasks that left the state (their files can go once `state.json` says so). */
  removed: string[]
  /** What changed, for the record: section names, and `task:<id>` for changed task summaries. */
  changed: string[]
}

/** What must reach the disk for `next`, given that `prev` is what is there. */
export function planWrite(prev: StateFile, next: StateFile): WritePlan {
  const plan: WritePlan = {
    stateFile: false,
    ridersOnly: false,
    records: [],
    removed: [],
    changed: [],
  }
  let riders = 0
  for (const key of SECTION_KEYS) {
    if (key !== 'queues' && prev[key] !== next[key]) {
      plan.stateFile = true
      plan.changed.push(key)
      if (RIDER_SECTIONS.has(key)) riders++
    }
  }
  plan.ridersOnly = plan.stateFile && riders === plan.changed.length
  if (prev.queues === next.queues) return plan
  for (const name of QUEUE_NAMES) {
    if (!sameOrder(prev.queues[name], next.queues[name])) {
      plan.stateFile = true
      plan.changed.push(`queues.${name}`)
    }
  }
  const before = taskIndex(prev.queues)
  const after = taskIndex(next.queues)
  for (const [id, task] of after) {
    const old = before.get(id)
    if (old === task) continue
    if (recordChanged(old, task)) plan.records.push(task)
    if (summaryChanged(old, task)) {
      plan.stateFile = true
      const keys = old
        ? (Object.keys(task) as (keyof Task)[]).filter((k) => old[k] !== task[k])
        : []
      plan.changed.push(`task:${id}${keys.length ? `(${keys.join(',')})` : ''}`)
    }
  }
  for (const id of before.keys()) if (!after.has(id)) plan.removed.push(id)
  if (plan.removed.length) plan.stateFile = true
  plan.ridersOnly = plan.stateFile && riders === plan.changed.length && plan.removed.length === 0
  return plan
}

function sameOrder(a: readonly Task[], b: readonly Task[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id) return false
  return true
}
