/**
 * A verified fix kept for review: the files a task changed in its shadow workspace, with the base
 * each was changed from, until the user applies or discards it. One file per task in
 * `<project>/.fixloop/fixes/<taskId>.json`, written like the journal (temp file, fsync, rename, fsync
 * of the directory) so a crash never leaves half a fix behind. Text files only: the editor writes
 * nothing else.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { contentHash } from '../util/hash'
import { atomicWriteFile, ensureStateDir, isNotFound, removeIfPresent } from './atomic-file'
import { TASK_ID } from './journal-data'

/**
 * Whether `path` is a plain project-relative path: forward slashes, no empty, `.` or `..` segment, not
 * absolute, no backslash (a separator on Windows) and no NUL.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.includes('\0') || path.includes('\\')) return false
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return false
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}

const StagedFile = z
  .object({
    /** Project-relative, forward slashes. */
    path: z.string().refine(isSafeRelativePath, 'must be a project-relative path without ".."'),
    /** sha256 of the file in the base the fix was made from; null when it did not exist there. */
    baseHash: z.string().nullable(),
    /** The file's text in the base, the common ancestor of a three-way merge; null with `baseHash`. */
    baseContent: z.string().nullable(),
    /** The file's text with the fix. */
    content: z.string(),
    /** Permission bits in the shadow workspace, given to a file the fix creates. */
    mode: z.number().int().nonnegative().nullable(),
  })
  .refine((f) => (f.baseHash === null) === (f.baseContent === null), {
    message: 'baseHash and baseContent must both be null (a new file) or both be set',
  })
  .refine((f) => f.baseContent === null || contentHash(f.baseContent) === f.baseHash, {
    message: 'baseHash is not the hash of baseContent',
  })

const StagedFixShape = z.object({
  taskId: z.string().regex(TASK_ID),
  createdAt: z.string(),
  files: z
    .array(StagedFile)
    .min(1)
    .refine((files) => new Set(files.map((f) => f.path)).size === files.length, {
      message: 'a path appears more than once',
    }),
})

const StagedFixFileData = StagedFixShape.extend({ version: z.literal(1) })

/** A verified fix waiting to be applied or discarded. */
export type StagedFix = z.infer<typeof StagedFixShape>
export type StagedFixFile = StagedFix['files'][number]

/** A staged-fix file that does not parse or fails the schema. */
export class UnreadableStagedFix extends Error {
  override name = 'UnreadableStagedFix'
}

export const stagedFixDir = (root: string) => join(root, '.fixloop', 'fixes')
export const stagedFixFile = (root: string, taskId: string) =>
  join(stagedFixDir(root), `${checkedTaskId(taskId)}.json`)

/**
 * Checks the fix and writes it, replacing any earlier one of the task. Throws a TypeError naming the
 * problem when the fix is malformed (an unsafe path, a base hash that does not match its content).
 */
export async function saveStagedFix(root: string, fix: StagedFix): Promise<void> {
  const parsed = StagedFixShape.safeParse(fix)
  if (!parsed.success) {
    throw new TypeError(`refusing to stage an invalid fix: ${describeIssues(parsed.error)}`)
  }
  const file = stagedFixFile(root, fix.taskId)
  await ensureStateDir(root)
  await mkdir(stagedFixDir(root), { recursive: true })
  await atomicWriteFile(file, JSON.stringify({ version: 1, ...parsed.data }), { syncDir: true })
}

/**
 * The staged fix of a task, or null when there is none. Throws `UnreadableStagedFix` when the file is
 * there but corrupt: a fix is never dropped silently.
 */
export async function loadStagedFix(root: string, taskId: string): Promise<StagedFix | null> {
  const file = stagedFixFile(root, taskId)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UnreadableStagedFix(
      `The staged fix ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}); discard it and run the task again.`,
    )
  }
  const parsed = StagedFixFileData.safeParse(json)
  if (!parsed.success) {
    throw new UnreadableStagedFix(
      `The staged fix ${file} is unreadable (${describeIssues(parsed.error)}); discard it and run the task again.`,
    )
  }
  if (parsed.data.taskId !== taskId) {
    throw new UnreadableStagedFix(
      `The staged fix ${file} belongs to task ${parsed.data.taskId}, not ${taskId}; discard it and run the task again.`,
    )
  }
  const { version: _version, ...fix } = parsed.data
  return fix
}

/** Deletes the staged fix of a task; nothing happens when there is none. */
export async function discardStagedFix(root: string, taskId: string): Promise<void> {
  await removeIfPresent(stagedFixFile(root, taskId))
}

/** The task ids with a staged fix, sorted. Unreadable ones are listed too: loading them says why. */
export async function listStagedFixes(root: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(stagedFixDir(root))
  } catch (error) {
    if (isNotFound(error)) return []
    throw error
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((taskId) => TASK_ID.test(taskId))
    .sort()
}

function checkedTaskId(taskId: string): string {
  // The id becomes a file name: nothing that could leave the fixes directory
  if (!TASK_ID.test(taskId)) throw new TypeError(`invalid task id: ${JSON.stringify(taskId)}`)
  return taskId
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ')
}
