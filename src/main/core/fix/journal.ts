/**
 * The edit journal of one task: what every file held before Fixloop first touched it, so a failed task
 * can be rolled back to the exact original bytes and a completed one undone. It lives in
 * `<project>/.fixloop/journal/<taskId>.json` and is written (temp file, fsync, rename, fsync of the
 * directory) BEFORE the file it describes is changed, so a crash at any point leaves enough behind to
 * restore the tree.
 */
import { lstat, mkdir, readFile, readdir, rename, rmdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { FileEdit } from '../../../shared/domain'
import { isoNow, systemClock } from '../util/clock'
import { contentHash } from '../util/hash'
import {
  atomicWriteFile,
  decodeUtf8,
  ensureStateDir,
  isNotFound,
  removeIfPresent,
  siblingTempPathFor,
  tempPathFor,
} from './atomic-file'
import { unifiedDiff } from './diff'
import {
  ABSENT_FILE_HASH,
  type FileEntry,
  JournalData,
  type JournalEdit,
  type JournalOptions,
  type JournalStatus,
  type JournalSummary,
  type RecordInput,
  type RollbackReport,
  TASK_ID,
  UnreadableJournal,
  journalDir,
  journalFile,
  refusal,
  summarize,
} from './journal-data'

export {
  ABSENT_FILE_HASH,
  type JournalEdit,
  type JournalOptions,
  type JournalStatus,
  type JournalSummary,
  type RecordInput,
  type RollbackReport,
  UnreadableJournal,
  journalFile,
} from './journal-data'

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
      this.reopenIfFinished()
      if (this.data.status !== 'open') {
        throw new Error(
          `the journal of ${this.taskId} is ${this.data.status}; it takes no more edits`,
        )
      }
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
    return this.recordAll([input]).then((edits) => edits[0] as JournalEdit)
  }

  /**
   * Records several writes (and the folders to be made for them, outermost first) and persists the
   * journal once, before returning: apply journals a whole fix in one write, then writes its files.
   */
  recordAll(
    inputs: readonly RecordInput[],
    createdDirs: readonly string[] = [],
  ): Promise<JournalEdit[]> {
    return this.serial(async () => {
      this.reopenIfFinished()
      if (this.data.status !== 'open') {
        throw new Error(
          `the journal of ${this.taskId} is ${this.data.status}; it takes no more edits`,
        )
      }
      const snapshot = structuredClone(this.data)
      for (const dir of createdDirs)
        if (!this.data.createdDirs.includes(dir)) this.data.createdDirs.push(dir)
      const edits = inputs.map((input) => this.add(input))
      try {
        await this.persist()
      } catch (error) {
        // Not on disk means not recorded: the caller will not touch the files, so forget them too.
        this.data = snapshot
        throw error
      }
      return edits
    })
  }

  /** Adds one write to the journal in memory. */
  private add(input: RecordInput): JournalEdit {
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
    return edit
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
        // The watcher sees a folder vanish as a deleted path; registered as absent, it is known as
        // ours. Left registered when the folder is kept (not empty): it did not vanish, so no event.
        this.options.ownWrites?.register(join(this.root, dir), ABSENT_FILE_HASH)
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

  /**
   * A rolled-back or undone journal has nothing left to restore, so a new write (a re-run of the task
   * under the same id) starts it afresh. A completed one keeps refusing: its undo data must not mix
   * with a new run's.
   */
  private reopenIfFinished() {
    if (this.data.status !== 'rolled_back' && this.data.status !== 'undone') return
    const now = isoNow(this.options.clock)
    this.data = {
      ...this.data,
      status: 'open',
      createdAt: now,
      files: [],
      edits: [],
      createdDirs: [],
    }
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

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    return { invalidJson: message(error) }
  }
}
