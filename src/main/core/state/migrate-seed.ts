/**
 * Converts a state file written by the original Python orchestrator (version "1.0.0", or no version
 * at all) into version 2, keeping every task that names a file. Unknown fields are dropped; tasks
 * land in the queue they were in, with the seed's one-task-per-change duplicates merged.
 */
import { isAbsolute, posix, relative, win32 } from 'node:path'
import { z } from 'zod'
import type { Task, TaskStatus } from '../../../shared/domain'
import { addPending, overlaps } from '../queue/merge'
import { newTask, randomTaskId } from '../queue/task'
import { HistoryEntry, STATE_LIMITS, freshState } from './schema'
import type { StateFile, TestResultEntry } from './schema'

export const SEED_VERSION = '1.0.0'

const SeedTask = z.looseObject({
  id: z.unknown().optional(),
  type: z.unknown().optional(),
  file_path: z.string().min(1).optional(),
  files: z.array(z.string().min(1)).optional(),
  created_at: z.unknown().optional(),
  completed_at: z.unknown().optional(),
  failed_at: z.unknown().optional(),
  updated_at: z.unknown().optional(),
  retry_count: z.unknown().optional(),
  error: z.unknown().optional(),
  failure_reason: z.unknown().optional(),
})
type SeedTask = z.infer<typeof SeedTask>

const SeedTestResult = z.looseObject({
  task_id: z.string().nullable().optional(),
  timestamp: z.string().min(1),
  passed: z.boolean(),
  duration: z.number().nonnegative().optional(),
  test_path: z.string().optional(),
})

export interface MigrationResult {
  state: StateFile
  /** Tasks in the migrated queues. */
  tasks: number
  /** Pending duplicates on the same file, folded into the earliest (the seed queued one per save). */
  merged: number
  /** Entries left behind: no file named, or an id seen twice. */
  dropped: number
}

/** Top-level keys only version 2 has: an object with one of them is a version 2 state, however damaged. */
const VERSION_2_KEYS = ['generation', 'seq', 'stats', 'breakers', 'spend', 'escalations']

/**
 * True for the seed's shape: version "1.0.0", or no version with a `queues` object and none of the
 * keys the seed never wrote (a version 2 file that lost its version is salvaged, not migrated: the
 * migration would drop its spend and breakers).
 */
export function isSeedFormat(raw: Record<string, unknown>): boolean {
  if (raw.version === SEED_VERSION) return true
  return (
    raw.version === undefined &&
    typeof raw.queues === 'object' &&
    raw.queues !== null &&
    !hasVersion2Keys(raw)
  )
}

export function hasVersion2Keys(raw: Record<string, unknown>): boolean {
  return VERSION_2_KEYS.some((key) => key in raw)
}

export function migrateSeed(
  raw: Record<string, unknown>,
  ctx: { projectRoot: string; now: string },
): MigrationResult {
  const state = freshState(ctx.now)
  const queues = record(raw.queues)
  const seen = new Set<string>()
  let merged = 0
  let dropped = 0

  // Finished queues first, so a task the seed left in two queues keeps its furthest state.
  for (const status of ['completed', 'failed', 'in_progress', 'pending'] as const) {
    const list = Array.isArray(queues[status]) ? (queues[status] as unknown[]) : []
    for (const item of list) {
      const parsed = SeedTask.safeParse(item)
      const files = parsed.success ? seedFiles(parsed.data, ctx.projectRoot) : []
      const id = parsed.success && typeof parsed.data.id === 'string' ? parsed.data.id : undefined
      if (!parsed.success || files.length === 0 || (id && seen.has(id))) {
        dropped++
        continue
      }
      const task = convertTask(parsed.data, files, status, state.seq++, ctx.now)
      if (seen.has(task.id)) task.id = randomTaskId()
      seen.add(task.id)
      if (place(state, task)) merged++
    }
  }

  state.conversation_history = arrayOf(raw.conversation_history)
    .map((e) => HistoryEntry.safeParse(e))
    .flatMap((r) => (r.success ? [r.data] : []))
    .slice(-STATE_LIMITS.conversationHistory)
  state.test_results = arrayOf(raw.test_results)
    .map((e) => SeedTestResult.safeParse(e))
    .flatMap((r) => (r.success ? [convertTestResult(r.data)] : []))
    .slice(-STATE_LIMITS.testResults)

  const orchestrator = record(record(raw.processes).orchestrator)
  state.processes.orchestrator = {
    status: 'stopped',
    pid: Number.isInteger(orchestrator.pid) ? (orchestrator.pid as number) : null,
    last_heartbeat: isoOrNull(orchestrator.last_heartbeat),
  }
  const tasks = Object.values(state.queues).reduce((n, list) => n + list.length, 0)
  return { state, tasks, merged, dropped }
}

function convertTask(
  seed: SeedTask,
  files: string[],
  status: TaskStatus,
  seq: number,
  now: string,
): Task {
  const id =
    typeof seed.id === 'string' && /^task_[A-Za-z0-9_-]+$/.test(seed.id) ? seed.id : undefined
  const createdAt = isoOrNull(seed.created_at) ?? now
  const task = newTask({
    id,
    kind: seed.type === 'batch' || files.length > 1 ? 'batch' : 'file_change',
    files,
    seq,
    now: createdAt,
  })
  task.status = status
  task.updatedAt = isoOrNull(seed.updated_at) ?? createdAt
  task.retries = Number.isInteger(seed.retry_count) ? Math.max(0, seed.retry_count as number) : 0
  if (status === 'in_progress') task.startedAt = task.updatedAt
  if (status === 'completed') {
    task.finishedAt = isoOrNull(seed.completed_at) ?? task.updatedAt
    task.outcome = 'fixed'
  }
  if (status === 'failed') {
    task.finishedAt = isoOrNull(seed.failed_at) ?? task.updatedAt
    task.outcome = 'failed'
    const reason = [seed.failure_reason, seed.error].find((r) => typeof r === 'string' && r)
    task.failureReason = (reason as string | undefined) ?? 'Failed under the earlier orchestrator.'
  }
  return task
}

/** Keeps the invariants while placing: one pending (or running) task per file. True if merged. */
function place(state: StateFile, task: Task): boolean {
  const q = state.queues
  if (task.status === 'in_progress' && q.in_progress.some((t) => overlaps(t.files, task.files))) {
    task.status = 'pending'
    task.startedAt = null
  }
  if (task.status === 'pending') return addPending(q, task, task.updatedAt).merged
  q[task.status].push(task)
  return false
}

function seedFiles(seed: SeedTask, projectRoot: string): string[] {
  const raw = seed.files ?? (seed.file_path ? [seed.file_path] : [])
  return [...new Set(raw.map((f) => toProjectPath(f, projectRoot)))]
}

/**
 * The seed stored absolute paths (often Windows ones); tasks now hold project-relative paths with
 * forward slashes. A path outside the project is kept absolute rather than guessed at.
 */
export function toProjectPath(file: string, projectRoot: string): string {
  const windows = /^[A-Za-z]:[\\/]/.test(file) || /^[A-Za-z]:[\\/]/.test(projectRoot)
  const path = windows ? win32 : posix
  const absolute = windows ? win32.isAbsolute(file) : isAbsolute(file)
  if (!absolute) return file.replaceAll('\\', '/').replace(/^\.\//, '')
  const rel = windows ? path.relative(projectRoot, file) : relative(projectRoot, file)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return file.replaceAll('\\', '/')
  return rel.replaceAll('\\', '/')
}

function convertTestResult(r: z.infer<typeof SeedTestResult>): TestResultEntry {
  return {
    task_id: r.task_id ?? null,
    timestamp: isoOrNull(r.timestamp) ?? r.timestamp,
    passed: r.passed,
    duration: r.duration ?? 0,
    command: [],
    ...(r.test_path ? { files: [r.test_path] } : {}),
  }
}

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
