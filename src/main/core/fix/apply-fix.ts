/**
 * Applies a verified fix to the user's tree: with undo, the only time isolated fixing writes there.
 *
 * All or nothing. Every file's outcome is decided first, from what the user's file holds now: the
 * base it was fixed from gets the fix; the fix itself needs nothing; a file the user changed since is
 * merged three ways, and an overlap with their edit is a conflict. One conflict and nothing is
 * written. Otherwise each file is written exactly as the editor writes (journal first, registered as
 * Fixloop's own, temp file and rename), and the journal is completed so the fix can be undone.
 */
import { constants } from 'node:fs'
import { lstat, mkdir, open, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock } from '../util/clock'
import { contentHash } from '../util/hash'
import { atomicWriteFile, decodeUtf8, siblingTempPathFor, tempPathFor } from './atomic-file'
import type { OwnWriteRegistry } from './editor-types'
import { Journal, type JournalStatus } from './journal'
import { type Merge3, type MergeConflict, merge3 } from './merge3'
import { isCaseInsensitiveFs, protectedReason } from './protected-paths'
import { type StagedFix, type StagedFixFile, isSafeRelativePath } from './staged-fix'

export interface ApplyFixOptions {
  /** Told the hash of every file written, so the watcher does not take the fix for a change. @default none */
  ownWrites?: OwnWriteRegistry
  /** @default systemClock */
  clock?: Clock
  /** The three-way merge for a file the user changed since the fix's base. @default merge3 */
  merge?: Merge3
}

/** A file that keeps the fix from being applied, and why, as a phrase that follows its path. */
export interface ApplyConflict {
  path: string
  reason: string
}

export interface ApplySuccess {
  ok: true
  /** Files written, in the fix's order; merged ones included. */
  applied: string[]
  /** The files of `applied` that were merged with the user's own edit. */
  merged: string[]
  /** Files that already held what the fix gives them: not written. */
  alreadyApplied: string[]
  /** `completed` (undo-able) when anything was written; null when nothing was, and no journal touched. */
  journalStatus: JournalStatus | null
  /** One line for the user, e.g. "Applied 3 files (1 merged with your edit)." */
  message: string
}

export interface ApplyFailure {
  ok: false
  /** Files whose current state the fix cannot be applied to. */
  conflicts: ApplyConflict[]
  /** Files that could not be read or written; the files already written were put back. */
  errors: { path: string; message: string }[]
  /** One line for the user, e.g. "Not applied: src/sum.js conflicts with your edit (…)". */
  message: string
}

export type ApplyReport = ApplySuccess | ApplyFailure

/** What the user's tree holds at a path, looked at without following any link. */
type Spot =
  | { kind: 'file'; bytes: Buffer; mode: number }
  | { kind: 'absent'; missingDirs: string[] }
  | { kind: 'blocked'; reason: string }

type Outcome =
  | { kind: 'write'; before: Buffer | null; mode: number | null; after: string; merged: boolean }
  | { kind: 'already' }
  | { kind: 'conflict'; reason: string }

/** Applies `fix` to the project at `root`, or writes nothing and says which files stand in the way. */
export async function applyFix(
  root: string,
  fix: StagedFix,
  options: ApplyFixOptions = {},
): Promise<ApplyReport> {
  const merge = options.merge ?? merge3
  const realRoot = await realpath(root)
  const caseInsensitive = isCaseInsensitiveFs(realRoot)
  const conflicts: ApplyConflict[] = []
  const errors: { path: string; message: string }[] = []
  const seen = new Set<string>()
  const writes: StagedFixFile[] = []
  const alreadyApplied: string[] = []

  for (const file of fix.files) {
    const refused = refusal(file.path, seen, caseInsensitive)
    seen.add(file.path)
    if (refused) {
      conflicts.push({ path: file.path, reason: refused })
      continue
    }
    try {
      const outcome = decide(file, await inspect(realRoot, file.path), merge)
      if (outcome.kind === 'conflict') conflicts.push({ path: file.path, reason: outcome.reason })
      else if (outcome.kind === 'already') alreadyApplied.push(file.path)
      else writes.push(file)
    } catch (error) {
      errors.push({ path: file.path, message: message(error) })
    }
  }
  if (conflicts.length > 0 || errors.length > 0) return failure(conflicts, errors, false)
  if (writes.length === 0) {
    // No journal is begun: completing an empty one would replace the undo data of an earlier apply.
    return success([], [], alreadyApplied, null)
  }

  // Looked at again right before journalling: the journal must hold what is really there, and the
  // user may have saved a file since it was first looked at.
  const planned: { file: StagedFixFile; spot: Spot; outcome: WriteOutcome }[] = []
  for (const file of writes) {
    try {
      const spot = await inspect(realRoot, file.path)
      const outcome = decide(file, spot, merge)
      if (outcome.kind === 'already') alreadyApplied.push(file.path)
      else if (outcome.kind === 'conflict')
        conflicts.push({ path: file.path, reason: outcome.reason })
      else planned.push({ file, spot, outcome })
    } catch (error) {
      errors.push({ path: file.path, message: message(error) })
    }
  }
  if (conflicts.length > 0 || errors.length > 0) return failure(conflicts, errors, false)
  // Every file turned out to hold the fix by now: as above, no journal is begun.
  if (planned.length === 0) return success([], [], alreadyApplied, null)

  const journal = await Journal.begin(root, fix.taskId, {
    ownWrites: options.ownWrites,
    clock: options.clock,
  })
  const dirs = [
    ...new Set(planned.flatMap((p) => (p.spot.kind === 'absent' ? p.spot.missingDirs : []))),
  ]
  // The whole fix is journalled in one write before any file is touched: one fsync, not one a file.
  try {
    await journal.recordAll(
      planned.map(({ file, outcome }) => ({
        path: file.path,
        before: outcome.before,
        after: outcome.after,
        mode: outcome.mode,
      })),
      dirs,
    )
  } catch (error) {
    return failure([], [{ path: planned[0]!.file.path, message: message(error) }], false)
  }
  try {
    for (const dir of dirs)
      await mkdir(join(realRoot, dir)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error
      })
  } catch (error) {
    return undoPartial(journal, [], [{ path: dirs[0]!, message: message(error) }], false)
  }
  const failures = await Promise.all(
    planned.map(({ file, outcome }) =>
      write(journal, { real: realRoot, given: root }, file, outcome, options),
    ),
  )
  planned.forEach((p, i) => {
    if (failures[i] !== null) errors.push({ path: p.file.path, message: message(failures[i]) })
  })
  if (errors.length > 0) return undoPartial(journal, [], errors, failures.includes(null))
  await journal.complete()
  const applied = planned.map((p) => p.file.path)
  const merged = planned.filter((p) => p.outcome.merged).map((p) => p.file.path)
  return success(applied, merged, alreadyApplied, journal.status)
}

type WriteOutcome = Extract<Outcome, { kind: 'write' }>

/**
 * Writes one journalled file, registered as Fixloop's own first, in the editor's way (temp file and
 * rename). Resolves to null once written, or to the failure: never rejects.
 */
function write(
  journal: Journal,
  roots: { real: string; given: string },
  file: StagedFixFile,
  outcome: WriteOutcome,
  options: ApplyFixOptions,
): Promise<unknown> {
  const abs = join(roots.real, ...file.path.split('/'))
  const hashAfter = contentHash(outcome.after)
  options.ownWrites?.register(abs, hashAfter)
  const given = join(roots.given, ...file.path.split('/'))
  if (given !== abs) options.ownWrites?.register(given, hashAfter)
  return atomicWriteFile(abs, outcome.after, {
    mode: outcome.mode ?? file.mode,
    tempPath: tempPathFor(journal.root, journal.taskId, file.path),
    fallbackTempPath: siblingTempPathFor(abs, journal.taskId),
  }).then(
    () => null,
    (error: unknown) => error ?? new Error('the write failed'),
  )
}

/** Why a path of the fix is not one to write at all, or null. */
function refusal(path: string, seen: Set<string>, caseInsensitive: boolean): string | null {
  if (!isSafeRelativePath(path)) return 'is not a plain project-relative path; refused'
  if (seen.has(path)) return 'appears twice in the fix; refused'
  const why = protectedReason(path, { caseInsensitive })
  if (why) return `is protected (${/ is protected \((.+)\)$/.exec(why)?.[1] ?? why}); refused`
  return null
}

/** Walks the path from the root with lstat: a link anywhere on the way is never followed. */
async function inspect(realRoot: string, rel: string): Promise<Spot> {
  const parts = rel.split('/')
  let current = realRoot
  for (let i = 0; i < parts.length; i++) {
    current = join(current, parts[i]!)
    const last = i === parts.length - 1
    const shown = parts.slice(0, i + 1).join('/')
    let st
    try {
      st = await lstat(current)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      // Everything below a missing folder is missing too; the folders among it get created.
      const missingDirs = parts.slice(i, -1).map((_, k) => parts.slice(0, i + k + 1).join('/'))
      return { kind: 'absent', missingDirs }
    }
    if (st.isSymbolicLink()) {
      return {
        kind: 'blocked',
        reason: last
          ? 'is a symbolic link in your tree (Fixloop does not follow links)'
          : `is inside ${shown}, a symbolic link in your tree (Fixloop does not follow links)`,
      }
    }
    if (!last && !st.isDirectory()) {
      return { kind: 'blocked', reason: `cannot be written: ${shown} is not a folder in your tree` }
    }
    if (last && !st.isFile()) {
      return {
        kind: 'blocked',
        reason: st.isDirectory()
          ? 'is a folder in your tree'
          : 'is not a regular file in your tree',
      }
    }
  }
  // O_NOFOLLOW: a link swapped in since the lstat fails the read instead of being followed.
  const handle = await open(current, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0))
  try {
    const st = await handle.stat()
    return { kind: 'file', bytes: await handle.readFile(), mode: Number(st.mode) & 0o7777 }
  } finally {
    await handle.close()
  }
}

/** What applying `file` to what the tree holds comes to. */
function decide(file: StagedFixFile, spot: Spot, merge: Merge3): Outcome {
  if (spot.kind === 'blocked') return { kind: 'conflict', reason: spot.reason }
  if (spot.kind === 'absent') {
    if (file.baseHash === null) {
      return { kind: 'write', before: null, mode: null, after: file.content, merged: false }
    }
    return { kind: 'conflict', reason: 'was deleted since the fix was made' }
  }
  const hash = contentHash(spot.bytes)
  if (hash === contentHash(file.content)) return { kind: 'already' }
  const write = (after: string, merged: boolean): Outcome => ({
    kind: 'write',
    before: spot.bytes,
    mode: spot.mode,
    after,
    merged,
  })
  if (hash === file.baseHash) return write(file.content, false)
  if (file.baseHash === null || file.baseContent === null) {
    return { kind: 'conflict', reason: 'was created in your tree too, with other content' }
  }
  const current = decodeUtf8(spot.bytes)
  if (current === null || current.includes('\0')) {
    return { kind: 'conflict', reason: 'changed since the fix was made and is not text to merge' }
  }
  const result = merge(file.baseContent, file.content, current)
  if (!result.clean) {
    return {
      kind: 'conflict',
      reason: `conflicts with your edit (${describeLines(result.conflicts, current)} changed on both sides)`,
    }
  }
  // The user made the fix's change themselves meanwhile: nothing is left to write.
  if (result.text === current) return { kind: 'already' }
  return write(result.text, true)
}

/** "line 3", "lines 3–5", "lines 3–5 and 9": where in the user's file the edits overlap. */
function describeLines(conflicts: readonly MergeConflict[], current: string): string {
  const lineCount = current.split('\n').length - (current.endsWith('\n') ? 1 : 0)
  const pieces = conflicts.map(({ theirs }) => {
    // An empty stretch (the user deleted what the fix changed) is named by the line it sits before.
    const from = Math.max(1, Math.min(theirs.line, lineCount))
    const to = theirs.line + theirs.count - 1
    return to > from ? `${from}–${to}` : `${from}`
  })
  const plural = pieces.length > 1 || pieces[0]!.includes('–')
  const list =
    pieces.length > 1 ? `${pieces.slice(0, -1).join(', ')} and ${pieces.at(-1)}` : pieces[0]
  return `${plural ? 'lines' : 'line'} ${list}`
}

/**
 * Puts back what was written (and the folders made) before the apply had to stop, and says so. Run
 * even when no file was written yet: a folder may have been made for the one that failed.
 */
async function undoPartial(
  journal: Journal,
  conflicts: ApplyConflict[],
  errors: { path: string; message: string }[],
  wroteAny: boolean,
): Promise<ApplyFailure> {
  try {
    const report = await journal.rollback()
    return failure(conflicts, errors, wroteAny, report.ok ? undefined : report.message)
  } catch (error) {
    return failure(conflicts, errors, wroteAny, message(error))
  }
}

function failure(
  conflicts: ApplyConflict[],
  errors: { path: string; message: string }[],
  started: boolean,
  rollbackTrouble?: string,
): ApplyFailure {
  const problems = [
    ...conflicts.map((c) => `${c.path} ${c.reason}`),
    ...errors.map((e) => `${e.path} could not be read or written (${e.message})`),
  ]
  let text = `Not applied: ${problems.join('; ')}.`
  if (rollbackTrouble === undefined) {
    text += started ? ' The files already written were put back.' : ' Nothing was written.'
  } else {
    text += ` Putting back the files already written did not fully succeed (${rollbackTrouble.replace(/\.$/, '')}); its journal stays open so the rollback can be run again.`
  }
  return { ok: false, conflicts, errors, message: text }
}

function success(
  applied: string[],
  merged: string[],
  alreadyApplied: string[],
  journalStatus: JournalStatus | null,
): ApplySuccess {
  const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`
  let text =
    applied.length === 0
      ? 'Nothing to apply: your files already hold the fix.'
      : `Applied ${files(applied.length)}${merged.length ? ` (${merged.length} merged with your edit)` : ''}.`
  if (applied.length > 0 && alreadyApplied.length > 0) {
    text += ` ${files(alreadyApplied.length)} already held the fix.`
  }
  return { ok: true, applied, merged, alreadyApplied, journalStatus, message: text }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
