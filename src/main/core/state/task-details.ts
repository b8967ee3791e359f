/**
 * Each task's bulky record — its checks' output, attempts, plan, diff and escalations — lives in its
 * own file, `<state dir>/tasks/<id>.json`, written when that record changes. `state.json` keeps the
 * task's summary (the seed's fields and the queue order), so writing it stays cheap at full history.
 *
 * A summary whose bulky fields are all empty keeps them inline (a pending task is then complete in
 * `state.json`, as in the seed). A summary without them is a stub: its record is in its file. The
 * file also carries the task's latest phase, update time and usage, which change often and are not
 * worth a rewrite of `state.json` on their own; on load the file's win.
 *
 * Order on disk: a task's file is written before the `state.json` that needs it, so after a killed
 * process the record is never older than the summary. Task files are not fsynced (see
 * writeTaskFile); `state.json` is.
 */
import { mkdir, open, readdir, unlink } from 'node:fs/promises'
import { constants } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { Task } from '../../../shared/domain'
import { isCode, writeFileAtomic } from './atomic-write'

/** The parts of a task that are kept in its own file once any of them holds something. */
export const DETAIL_KEYS = [
  'detection',
  'selection',
  'attempts',
  'plan',
  'diff',
  'escalations',
] as const satisfies readonly (keyof Task)[]
export type DetailKey = (typeof DETAIL_KEYS)[number]

/** Summary fields the task file may carry newer than `state.json` (they change while it runs). */
export const VOLATILE_KEYS = [
  'phase',
  'updatedAt',
  'usage',
] as const satisfies readonly (keyof Task)[]

const SKIPPED_IN_STUB: ReadonlySet<string> = new Set([...DETAIL_KEYS, ...VOLATILE_KEYS])
const NOTHING: ReadonlySet<string> = new Set()

export const TASK_FILE_VERSION = 1
/** A task file larger than this is not read (its record is reported lost). */
const MAX_TASK_FILE_BYTES = 16 * 1024 * 1024

export const TaskFile = z.object({
  version: z.literal(TASK_FILE_VERSION),
  id: Task.shape.id,
  phase: Task.shape.phase,
  updatedAt: Task.shape.updatedAt,
  usage: Task.shape.usage,
  detection: Task.shape.detection,
  selection: Task.shape.selection,
  attempts: Task.shape.attempts,
  plan: Task.shape.plan,
  diff: Task.shape.diff,
  escalations: Task.shape.escalations,
})
export type TaskFile = z.infer<typeof TaskFile>

/** `<state dir>/tasks`, beside the state file. */
export function tasksDirFor(stateFile: string): string {
  return join(dirname(stateFile), 'tasks')
}

export function taskFilePath(tasksDir: string, id: string): string {
  return join(tasksDir, `${id}.json`)
}

/** Whether a task has anything in its bulky fields (then `state.json` holds a stub). */
export function hasDetails(task: Task): boolean {
  return (
    task.detection.length > 0 ||
    task.selection.length > 0 ||
    task.attempts.length > 0 ||
    task.plan !== null ||
    task.diff !== null ||
    task.escalations.length > 0
  )
}

/**
 * Whether `state.json` holds only a stub of the task: while it runs (its phase changes often) and
 * whenever its record holds something.
 */
export function isStub(task: Task): boolean {
  return task.status === 'in_progress' || hasDetails(task)
}

/** What `state.json` holds of a task: all of it, or a stub without the record. */
export function storedSummary(task: Task): Partial<Task> {
  if (!isStub(task)) return task
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(task)) {
    if (!(DETAIL_KEYS as readonly string[]).includes(key)) out[key] = value
  }
  return out as Partial<Task>
}

export function taskFileJson(task: Task): string {
  const file: TaskFile = {
    version: TASK_FILE_VERSION,
    id: task.id,
    phase: task.phase,
    updatedAt: task.updatedAt,
    usage: task.usage,
    detection: task.detection,
    selection: task.selection,
    attempts: task.attempts,
    plan: task.plan,
    diff: task.diff,
    escalations: task.escalations,
  }
  return JSON.stringify(file) + '\n'
}

/** Whether the task's file must be rewritten to hold `next` (given the task as last written). */
export function recordChanged(previous: Task | undefined, next: Task): boolean {
  if (!isStub(next)) return false
  if (!previous || !isStub(previous)) return true
  for (const key of DETAIL_KEYS) if (previous[key] !== next[key]) return true
  for (const key of VOLATILE_KEYS) if (previous[key] !== next[key]) return true
  return false
}

/** Whether `state.json` must be rewritten for this task (anything but its record and volatile fields). */
export function summaryChanged(previous: Task | undefined, next: Task): boolean {
  if (!previous) return true
  // A task that just started, or whose record just filled, turns into a stub; and back.
  if (isStub(previous) !== isStub(next)) return true
  const skip = isStub(next) ? SKIPPED_IN_STUB : NOTHING
  for (const key of Object.keys(next) as (keyof Task)[]) {
    if (skip.has(key)) continue
    if (previous[key] !== next[key]) return true
  }
  return Object.keys(previous).length !== Object.keys(next).length
}

/**
 * Replaces the task's file atomically, without fsync: a task's progress is written many times while
 * it runs, and `state.json`, which is synced, never depends on a record for more than the details
 * (a record a power cut lost leaves its task, reported, without its check output and attempts).
 */
export async function writeTaskFile(tasksDir: string, task: Task): Promise<void> {
  await writeFileAtomic(taskFilePath(tasksDir, task.id), taskFileJson(task), { sync: false })
}

export async function ensureTasksDir(tasksDir: string): Promise<void> {
  await mkdir(tasksDir, { recursive: true })
}

/**
 * Fills a raw (parsed but unvalidated) state's stub tasks with empty records so the schema and the
 * salvage see whole tasks; returns the ids of the stubs, whose records are to be read from files.
 */
export function fillStubs(raw: Record<string, unknown>): string[] {
  const stubs: string[] = []
  const queues = raw.queues
  if (typeof queues !== 'object' || queues === null) return stubs
  for (const list of Object.values(queues as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue
    for (const task of list) {
      if (typeof task !== 'object' || task === null || Array.isArray(task)) continue
      const t = task as Record<string, unknown>
      if (typeof t.id !== 'string' || 'attempts' in t || 'detection' in t) continue
      t.detection = []
      t.selection = []
      t.attempts = []
      t.plan = null
      t.diff = null
      t.escalations = []
      stubs.push(t.id)
    }
  }
  return stubs
}

/**
 * Reads the records of the stub tasks `ids` (in `raw`, a parsed but unvalidated state; `fillStubs`
 * found them) and puts them in place. Returns the ids whose file was missing or unusable: those tasks keep an
 * empty record, and the caller says so.
 */
export async function attachRecords(
  raw: Record<string, unknown>,
  tasksDir: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return []
  const wanted = new Set(ids)
  const queues = raw.queues as Record<string, unknown>
  const tasks = Object.values(queues)
    .flatMap((list) => (Array.isArray(list) ? (list as Record<string, unknown>[]) : []))
    .filter((t) => wanted.has(t?.id as string))
  const lost: string[] = []
  // fillStubs found these by their string id.
  await Promise.all(
    tasks.map(async (task) => {
      const id = task.id as string
      const record = await readTaskFile(tasksDir, id)
      if (!record) return void lost.push(id)
      for (const key of DETAIL_KEYS) if (key in record) task[key] = record[key]
      // The file is written with every change of these, so it is never older than the summary.
      for (const key of VOLATILE_KEYS) if (key in record) task[key] = record[key]
    }),
  )
  return lost.sort()
}

/**
 * The record in a task's file, as parsed: an object naming the task. Its fields are judged with
 * the rest of the state (the schema, then salvage field by field), so one bad field in a record
 * costs that field, not the record.
 */
async function readTaskFile(tasksDir: string, id: string): Promise<Record<string, unknown> | null> {
  let text: string
  try {
    const handle = await open(
      taskFilePath(tasksDir, id),
      constants.O_RDONLY | (constants.O_NONBLOCK ?? 0),
    )
    try {
      const info = await handle.stat()
      if (!info.isFile() || info.size > MAX_TASK_FILE_BYTES) return null
      text = await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP')) return null
    throw error
  }
  let record: unknown
  try {
    record = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null
  const r = record as Record<string, unknown>
  return r.version === TASK_FILE_VERSION && r.id === id ? r : null
}

/** The ids of the task files in `tasksDir`. */
export async function listTaskFileIds(tasksDir: string): Promise<Set<string>> {
  try {
    const names = await readdir(tasksDir)
    return new Set(names.flatMap((n) => /^(task_[A-Za-z0-9_-]+)\.json$/.exec(n)?.[1] ?? []))
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return new Set()
    throw error
  }
}

/** Deletes the files of tasks no longer in the state, and temp files a killed writer left. */
export async function removeTaskFiles(
  tasksDir: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(tasksDir)
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return []
    throw error
  }
  const removed: string[] = []
  await Promise.all(
    names.map(async (name) => {
      const id = /^(task_[A-Za-z0-9_-]+)\.json(?:\.tmp-.*)?$/.exec(name)?.[1]
      if (!id || (keep.has(id) && !name.includes('.tmp-'))) return
      await unlink(join(tasksDir, name)).then(
        () => removed.push(name),
        () => {},
      )
    }),
  )
  return removed
}

/** Best effort: the task files of tasks that left the state (a leftover is removed at next open). */
export async function unlinkTaskFiles(tasksDir: string, ids: Iterable<string>): Promise<void> {
  await Promise.all([...ids].map((id) => unlink(taskFilePath(tasksDir, id)).catch(() => {})))
}
