/**
 * The journal's file format (zod-checked when read back) and the reports its rollback and undo give.
 */
import { join } from 'node:path'
import { z } from 'zod'
import type { Clock } from '../util/clock'
import type { OwnWriteRegistry } from './editor-types'

/**
 * The hash registered with the own-write registry when Fixloop deletes a file (rolling back a file the
 * task created), so the watcher can recognise that unlink as its own too.
 */
export { ABSENT_FILE_HASH } from '../util/hash'

export const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/

export const FileEntry = z.object({
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
export type FileEntry = z.infer<typeof FileEntry>

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

export const JournalData = z.object({
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
export type JournalData = z.infer<typeof JournalData>

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

/** A report of an undo refused before anything was touched. */
export function refusal(text: string): RollbackReport {
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

/** The one-line account of a rollback or undo. */
export function summarize(kind: 'rollback' | 'undo', r: RollbackReport): string {
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
