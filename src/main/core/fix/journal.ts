/**
 * The edit journal of one task: what every file held before Fixloop first touched it, so a failed task
 * can be rolled back to the exact original bytes and a completed one undone. It lives in
 * `<project>/.fixloop/journal/<taskId>.json` and is written (temp file, fsync, rename, fsync of the
 * directory) BEFORE the file it describes is changed, so a crash at any point leaves enough behind to
 * restore the tree.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import {
  lstat,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rmdir,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { z } from 'zod'
import type { FileEdit } from '../../../shared/domain'
import { type Clock, isoNow, sleep, systemClock } from '../util/clock'
import { contentHash } from '../util/hash'
import type { OwnWriteRegistry } from './editor-types'
import { unifiedDiff } from './diff'

/**
 * The hash registered with the own-write registry when Fixloop deletes a file (rolling back a file the
 * task created), so the watcher can recognise that unlink as its own too.
 */
export const ABSENT_FILE_HASH = 'absent'

const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/

const FileEntry = z.object({
  path: z.string().min(1),
  hashBefore: z.string().nullable(),
  /** The original bytes: UTF-8 text when they decode cleanly, base64 otherwise. */
  contentBefore: z.string().nullable(),
  encoding: z.enum(['utf8', 'base64']),
  modeBefore: z.number().int().nullable(),
  hashAfter: z.string(),
  contentAfter: z.string(),
  /** Every state this file passed through in Fixloop's hands: rollback recognises any of them as ours. */
  known: z.array(z.string()),
})
type FileEntry = z.infer<typeof FileEntry>

const EditEntry = z.object({
  path: z.string(),
  hashBefore: z.string().nullable(),
  hashAfter: z.string(),
  diff: z.string(),
  at: z.string(),
})
export type JournalEdit = z.infer<typeof EditEntry>

export const JournalStatus = z.enum(['open', 'completed', 'rolled_back', 'undone'])
export type JournalStatus = z.infer<typeof JournalStatus>

const JournalData = z.object({
  version: z.literal(1),
  taskId: z.string().regex(TASK_ID),
  status: JournalStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  files: z.array(FileEntry),
  edits: z.array(EditEntry),
  /** Directories made for created files, outermost first; rollback removes them when empty. */
  createdDirs: z.array(z.string()),
})
type JournalData = z.infer<typeof JournalData>

export interface JournalOptions {
  /** Told the hash of every file a rollback or undo writes, so those writes never start a task. */
  ownWrites?: OwnWriteRegistry
  /** @default systemClock */
  clock?: Clock
}

/** One write about to happen, as the editor hands it to the journal. */
export interface RecordInput {
  /** Project-relative, forward slashes. */
  path: string
  /** The bytes on disk right now, null when the file does not exist yet. */
  before: Uint8Array | null
  after: string | Uint8Array
  /** The file's permission bits, kept so a restore does not lose an executable bit. */
  mode?: number | null
}

export interface RollbackReport {
  /** True when every journalled file holds its original bytes again (or is gone, if it was created). */
  ok: boolean
  restored: string[]
  deleted: string[]
  /** Already held their original bytes. */
  unchanged: string[]
  /** Changed by someone else since Fixloop wrote them: left alone so their work is not lost. */
  conflicts: { path: string; reason: string }[]
  errors: { path: string; message: string }[]
  removedDirs: string[]
  /** One line for the log and the user. */
  message: string
}

export interface JournalSummary {
  taskId: string
  status: JournalStatus | 'unreadable'
  paths: string[]
  updatedAt: string | null
  error?: string
}

/** A journal file that does not parse or fails the schema. */
export class UnreadableJournal extends Error {
  override name = 'UnreadableJournal'
}

export const journalDir = (root: string) => join(root, '.fixloop', 'journal')
export const journalFile = (root: string, taskId: string) =>
  join(journalDir(root), `${taskId}.json`)

export class Journal {
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly root: string,
    readonly taskId: string,
    private data: JournalData,
    private persisted: boolean,
    private readonly options: JournalOptions,
  ) {}

  /**
   * Opens the journal of a task: the one on disk when it exists (to resume, roll back after a crash or
   * undo), else a fresh one that is written on its first record.
   */
  static async open(root: string, taskId: string, options: JournalOptions = {}): Promise<Journal> {
    if (!TASK_ID.test(taskId))
      throw new Error(`invalid task id for a journal: ${JSON.stringify(taskId)}`)
    const file = journalFile(root, taskId)
    let text: string | null = null
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    if (text !== null) {
      const parsed = JournalData.safeParse(safeJson(text))
      if (!parsed.success) {
        throw new UnreadableJournal(`the journal ${file} is unreadable: ${parsed.error.message}`)
      }
      return new Journal(root, taskId, parsed.data, true, options)
    }
    return Journal.fresh(root, taskId, options, false)
  }

  private static fresh(root: string, taskId: string, options: JournalOptions, persisted: boolean) {
    const now = isoNow(options.clock)
    const data: JournalData = {
      version: 1,
      taskId,
      status: 'open',
      createdAt: now,
      updatedAt: now,
      files: [],
      edits: [],
      createdDirs: [],
    }
    return new Journal(root, taskId, data, persisted, options)
  }

  /**
   * The journal for a new run of a task. An open journal (a run interrupted before its rollback) is
   * continued, so the originals it holds stay the pre-task state. A finished one (rolled back, undone,
   * or completed — a re-run replaces the old undo data) is started afresh.
   */
  static async begin(root: string, taskId: string, options: JournalOptions = {}): Promise<Journal> {
    try {
      const existing = await Journal.open(root, taskId, options)
      if (existing.status === 'open') return existing
      // Marked persisted so even a run that makes no edit replaces the old journal when it ends.
      return Journal.fresh(root, taskId, options, existing.persisted)
    } catch (error) {
      if (!(error instanceof UnreadableJournal)) throw error
      // Kept aside rather than overwritten: nothing is dropped silently.
      const file = journalFile(root, taskId)
      await rename(file, `${file}.corrupt-${(options.clock ?? systemClock).now()}`)
      return Journal.fresh(root, taskId, options, false)
    }
  }

  /**
   * Deletes the journals of finished tasks no longer kept (the state keeps the last 50 completed and
   * failed). Returns the task ids removed.
   */
  static async prune(root: string, keep: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = []
    for (const j of await Journal.list(root)) {
      // Open journals are needed by the start-up repair; unreadable ones are left for a person.
      if (keep.has(j.taskId) || j.status === 'open' || j.status === 'unreadable') continue
      await removeIfPresent(journalFile(root, j.taskId))
      removed.push(j.taskId)
    }
    return removed
  }

  /** Every journal in the project, readable or not. */
  static async list(root: string): Promise<JournalSummary[]> {
    let names: string[]
    try {
      names = await readdir(journalDir(root))
    } catch (error) {
      if (isNotFound(error)) return []
      throw error
    }
    const out: JournalSummary[] = []
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const taskId = name.slice(0, -'.json'.length)
      try {
        const parsed = JournalData.parse(
          safeJson(await readFile(join(journalDir(root), name), 'utf8')),
        )
        out.push({
          taskId,
          status: parsed.status,
          paths: parsed.files.map((f) => f.path),
          updatedAt: parsed.updatedAt,
        })
      } catch (error) {
        out.push({
          taskId,
          status: 'unreadable',
          paths: [],
          updatedAt: null,
          error: message(error),
        })
      }
    }
    return out
  }

  /** Journals still open: their task was interrupted (a crash) and must be rolled back at start-up. */
  static async listOpen(root: string): Promise<JournalSummary[]> {
    return (await Journal.list(root)).filter((j) => j.status === 'open')
  }

  get status(): JournalStatus {
    return this.data.status
  }

  /** The project-relative paths this task wrote, in the order first written. */
  paths(): string[] {
    return this.data.files.map((f) => f.path)
  }

  /** Each write, in order, with its own diff. */
  edits(): readonly JournalEdit[] {
    return this.data.edits
  }

  /** What stands now, one entry per file: original hash, latest hash, and the diff between them. */
  fileEdits(): FileEdit[] {
    return this.data.files.map((f) => ({
      path: f.path,
      hashBefore: f.hashBefore,
      hashAfter: f.hashAfter,
      diff: unifiedDiff(f.path, decodedText(f), f.contentAfter),
    }))
  }

  /** Each file's original and latest text, what the test-integrity check reads. */
  changes(): { path: string; before: string | null; after: string }[] {
    return this.data.files.map((f) => ({
      path: f.path,
      before: decodedText(f),
      after: f.contentAfter,
    }))
  }

  /** The unified diff of every file from its original to its latest content, for the task's view. */
  diff(): string {
    return this.fileEdits()
      .map((e) => e.diff)
      .join('')
  }

  /** Records a directory about to be created for a new file (outermost first). */
  recordCreatedDir(relativeDir: string): Promise<void> {
    return this.serial(async () => {
      if (!this.data.createdDirs.includes(relativeDir)) {
        this.data.createdDirs.push(relativeDir)
        await this.persist()
      }
    })
  }

  /**
   * Records a write and persists the journal before returning, so the caller may then touch the file.
   * The first record of a path keeps its original bytes; later ones only move its latest hash.
   */
  record(input: RecordInput): Promise<JournalEdit> {
    return this.serial(async () => {
      if (this.data.status !== 'open') {
        throw new Error(
          `the journal of ${this.taskId} is ${this.data.status}; it takes no more edits`,
        )
      }
      const snapshot = structuredClone(this.data)
      const hashBefore = input.before === null ? null : contentHash(input.before)
      const hashAfter = contentHash(input.after)
      const afterText = typeof input.after === 'string' ? input.after : decodeUtf8(input.after)
      const text = input.before === null ? null : decodeUtf8(input.before)
      const beforeText = input.before === null ? null : (text ?? '(binary content)')
      let entry = this.data.files.find((f) => f.path === input.path)
      if (!entry) {
        entry = {
          path: input.path,
          hashBefore,
          contentBefore:
            input.before === null ? null : (text ?? Buffer.from(input.before).toString('base64')),
          encoding: input.before !== null && text === null ? 'base64' : 'utf8',
          modeBefore: input.mode ?? null,
          hashAfter,
          contentAfter: afterText ?? '',
          known: [hashBefore ?? ABSENT_FILE_HASH],
        }
        this.data.files.push(entry)
      }
      entry.hashAfter = hashAfter
      entry.contentAfter = afterText ?? ''
      if (!entry.known.includes(hashAfter)) entry.known.push(hashAfter)
      const edit: JournalEdit = {
        path: input.path,
        hashBefore,
        hashAfter,
        diff: unifiedDiff(input.path, beforeText, afterText ?? ''),
        at: isoNow(this.options.clock),
      }
      this.data.edits.push(edit)
      try {
        await this.persist()
      } catch (error) {
        // Not on disk means not recorded: the caller will not touch the file, so forget it here too.
        this.data = snapshot
        throw error
      }
      return edit
    })
  }

  /** Marks the task's edits as accepted. The journal stays on disk so the fix can be undone. */
  complete(): Promise<void> {
    return this.serial(() => this.setStatus('completed'))
  }

  /**
   * Puts every file back to its original bytes and deletes the files the task created. A file someone
   * else changed since Fixloop wrote it is left alone and reported as a conflict, unless `force`.
   * With `keepOpen` (between two attempts of one task) the journal stays open for more edits.
   */
  rollback(options: { force?: boolean; keepOpen?: boolean } = {}): Promise<RollbackReport> {
    return this.serial(async () => {
      const report = await this.restore(options.force ?? false, 'rollback')
      if (options.keepOpen) {
        // Between attempts: what is back to original is forgotten, so the next attempt's first write
        // of a file journals it afresh; what could not be restored stays for the final rollback.
        const kept = new Set([...report.conflicts, ...report.errors].map((c) => c.path))
        this.data.files = this.data.files.filter((f) => kept.has(f.path))
        this.data.createdDirs = this.data.createdDirs.filter((d) => !report.removedDirs.includes(d))
        await this.persist()
      } else if (report.errors.length === 0) await this.setStatus('rolled_back')
      return report
    })
  }

  /**
   * Undoes a completed task. Refuses, touching nothing, when any of its files changed since the fix
   * (its content is no longer what Fixloop wrote), and names those files.
   */
  undo(): Promise<RollbackReport> {
    return this.serial(async () => {
      if (this.data.status !== 'completed') {
        return refusal(`Undo refused: the task's edits are ${this.data.status.replace('_', ' ')}.`)
      }
      const changed: { path: string; reason: string }[] = []
      for (const f of this.data.files) {
        const now = await currentHash(join(this.root, f.path))
        if (now !== f.hashAfter) {
          changed.push({
            path: f.path,
            reason: now === ABSENT_FILE_HASH ? 'deleted since the fix' : 'changed since the fix',
          })
        }
      }
      if (changed.length > 0) {
        const names = changed.map((c) => `${c.path} (${c.reason.replace(' since the fix', '')})`)
        return {
          ...refusal(
            `Undo refused: ${names.join(', ')} changed since the fix; nothing was undone.`,
          ),
          conflicts: changed,
        }
      }
      const report = await this.restore(false, 'undo')
      if (report.errors.length === 0) await this.setStatus('undone')
      return report
    })
  }

  /** Deletes the journal file (when its undo data is no longer wanted). */
  remove(): Promise<void> {
    return this.serial(async () => {
      try {
        await unlink(journalFile(this.root, this.taskId))
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
      this.persisted = false
    })
  }

  private async restore(force: boolean, kind: 'rollback' | 'undo'): Promise<RollbackReport> {
    const report: RollbackReport = {
      ok: false,
      restored: [],
      deleted: [],
      unchanged: [],
      conflicts: [],
      errors: [],
      removedDirs: [],
      message: '',
    }
    for (const f of [...this.data.files].reverse()) {
      const abs = join(this.root, f.path)
      try {
        await removeIfPresent(tempPathFor(this.root, this.taskId, f.path))
        await removeIfPresent(siblingTempPathFor(abs, this.taskId))
        const now = await currentHash(abs)
        const original = f.hashBefore ?? ABSENT_FILE_HASH
        if (now === original) {
          report.unchanged.push(f.path)
          continue
        }
        if (!force && !f.known.includes(now)) {
          report.conflicts.push({
            path: f.path,
            reason:
              now === ABSENT_FILE_HASH
                ? 'deleted by someone else since Fixloop wrote it'
                : 'changed by someone else since Fixloop wrote it',
          })
          continue
        }
        if (f.hashBefore === null) {
          this.options.ownWrites?.register(abs, ABSENT_FILE_HASH)
          await unlink(abs)
          report.deleted.push(f.path)
        } else {
          this.options.ownWrites?.register(abs, f.hashBefore)
          await atomicWriteFile(abs, originalBytes(f), {
            mode: f.modeBefore,
            tempPath: tempPathFor(this.root, this.taskId, f.path),
            fallbackTempPath: siblingTempPathFor(abs, this.taskId),
          })
          report.restored.push(f.path)
        }
      } catch (error) {
        report.errors.push({ path: f.path, message: message(error) })
      }
    }
    // Directories the task made go too, innermost first, when nothing else was put in them.
    for (const dir of [...this.data.createdDirs].reverse()) {
      try {
        await rmdir(join(this.root, dir))
        report.removedDirs.push(dir)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') {
          report.errors.push({ path: dir, message: message(error) })
        }
      }
    }
    report.ok = report.conflicts.length === 0 && report.errors.length === 0
    report.message = summarize(kind, report)
    return report
  }

  private async setStatus(status: JournalStatus) {
    this.data.status = status
    if (this.persisted || this.data.files.length > 0) await this.persist()
  }

  private async persist() {
    this.data.updatedAt = isoNow(this.options.clock)
    const dir = journalDir(this.root)
    await ensureStateDir(this.root)
    await mkdir(dir, { recursive: true })
    await mkdir(join(this.root, '.fixloop', 'tmp'), { recursive: true })
    await atomicWriteFile(journalFile(this.root, this.taskId), JSON.stringify(this.data), {
      syncDir: true,
    })
    this.persisted = true
  }

  /** One operation at a time: the editor, a rollback and an undo never interleave on one journal. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }
}

/**
 * The temp file a write of `relativePath` goes through: inside `.fixloop/tmp`, which the watcher
 * already ignores, so a write shows up as one change of the target and nothing else. Named per task
 * and path so a rollback after a crash can sweep it.
 */
export function tempPathFor(root: string, taskId: string, relativePath: string): string {
  return join(root, '.fixloop', 'tmp', `${taskId}-${contentHash(relativePath).slice(0, 16)}.tmp`)
}

/** The fallback temp beside the target, used when `.fixloop` is on another file system. */
export function siblingTempPathFor(absolutePath: string, taskId: string): string {
  return join(dirname(absolutePath), `.${basename(absolutePath)}.fixloop-${taskId}.tmp`)
}

export interface AtomicWriteOptions {
  /** Permission bits for the result; the temp file's default otherwise. */
  mode?: number | null
  /** @default a random sibling name */
  tempPath?: string
  /** Where to write instead when `tempPath` is on another file system (EXDEV). @default none */
  fallbackTempPath?: string
  /** Also fsync the directory, so the rename itself survives a power cut. @default false */
  syncDir?: boolean
}

/** Writes a file so that readers see the old bytes or the new ones, never a torn mix. */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp =
    options.tempPath ??
    join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  // O_EXCL (after clearing a stale temp of ours) so the write can never follow a planted symlink.
  await removeIfPresent(temp)
  const handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644)
  try {
    await handle.writeFile(data)
    if (options.mode != null) await handle.chmod(options.mode & 0o7777)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await removeIfPresent(temp)
    throw error
  }
  await handle.close()
  try {
    await renameWithRetry(temp, path)
  } catch (error) {
    await removeIfPresent(temp)
    if (isCode(error, 'EXDEV') && options.fallbackTempPath) {
      return atomicWriteFile(path, data, {
        ...options,
        tempPath: options.fallbackTempPath,
        fallbackTempPath: undefined,
      })
    }
    throw error
  }
  if (options.syncDir) await syncDirectory(dirname(path))
}

/** Windows refuses a rename while a scanner or an editor holds the file for a moment; wait it out. */
async function renameWithRetry(from: string, to: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rename(from, to)
    } catch (error) {
      const transient = process.platform === 'win32' && isCode(error, 'EPERM', 'EACCES', 'EBUSY')
      if (!transient || attempt >= 8) throw error
      await sleep(10 * 2 ** Math.min(attempt, 5))
    }
  }
}

const isCode = (error: unknown, ...codes: string[]) =>
  codes.includes(String((error as NodeJS.ErrnoException)?.code))

async function syncDirectory(dir: string) {
  // Windows cannot open a directory for fsync; the rename is as durable as that platform allows.
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Best effort by design: some file systems refuse fsync on directories.
  } finally {
    await handle?.close()
  }
}

async function ensureStateDir(root: string) {
  const dir = join(root, '.fixloop')
  try {
    await mkdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return
    throw error
  }
  // A fresh state directory keeps itself out of version control.
  await writeFile(join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined)
}

async function currentHash(path: string): Promise<string> {
  try {
    const st = await lstat(path)
    if (!st.isFile()) return `not-a-file:${st.mode}`
    return contentHash(await readFile(path))
  } catch (error) {
    if (isNotFound(error)) return ABSENT_FILE_HASH
    throw error
  }
}

async function removeIfPresent(path: string) {
  try {
    await unlink(path)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The text of bytes that are valid UTF-8 (so encoding it again gives the same bytes), else null. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes)
  } catch {
    return null
  }
}

function originalBytes(f: FileEntry): Uint8Array {
  if (f.contentBefore === null) return new Uint8Array()
  return f.encoding === 'base64'
    ? Buffer.from(f.contentBefore, 'base64')
    : Buffer.from(f.contentBefore)
}

function decodedText(f: FileEntry): string | null {
  if (f.contentBefore === null) return null
  return f.encoding === 'base64' ? '(binary content)' : f.contentBefore
}

function refusal(text: string): RollbackReport {
  return {
    ok: false,
    restored: [],
    deleted: [],
    unchanged: [],
    conflicts: [],
    errors: [],
    removedDirs: [],
    message: text,
  }
}

function summarize(kind: 'rollback' | 'undo', r: RollbackReport): string {
  const verb = kind === 'rollback' ? 'Rolled back' : 'Undid'
  const parts = [
    r.restored.length && `${r.restored.length} restored`,
    r.deleted.length && `${r.deleted.length} created file(s) deleted`,
    r.unchanged.length && `${r.unchanged.length} already original`,
  ].filter(Boolean)
  let text = `${verb} ${parts.join(', ') || 'nothing to restore'}.`
  if (r.conflicts.length > 0) {
    text += ` Left alone (changed by someone else): ${r.conflicts.map((c) => c.path).join(', ')}.`
  }
  if (r.errors.length > 0) {
    text += ` Failed: ${r.errors.map((e) => `${e.path} (${e.message})`).join(', ')}.`
  }
  return text
}

const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT'
const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    return { invalidJson: message(error) }
  }
}
