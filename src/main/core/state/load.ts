/**
 * Reading the state file and deciding what it is: missing, current, the seed's format, damaged but
 * salvageable, or unusable. Pure apart from the read itself, so `StateStore.peek` and
 * `StateStore.open` judge a file alike.
 *
 * A valid file costs one parse and one schema check; only a file that fails them is salvaged, entry
 * by entry (salvage.ts).
 */
import { constants } from 'node:fs'
import { copyFile, open, rename, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { checkInvariants } from '../queue/invariants'
import type { QueueLimits } from '../queue/limits'
import { isCode } from './atomic-write'
import { hasVersion2Keys, isSeedFormat, migrateSeed } from './migrate-seed'
import { salvageState } from './salvage'
import { show } from './salvage-notes'
import type { SalvageReport } from './salvage-notes'
import { STATE_LIMITS, STATE_VERSION, StateFile } from './schema'
import { attachRecords, fillStubs, tasksDirFor } from './task-details'

export type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'current'; state: StateFile; lostRecords?: string[] }
  | { kind: 'seed'; state: StateFile; from: string; tasks: number; merged: number; dropped: number }
  /** The file parsed but was damaged: `state` is what was valid in it, `report` says what was not. */
  | {
      kind: 'salvaged'
      state: StateFile
      reason: string
      report: SalvageReport
      lostRecords?: string[]
    }
  | { kind: 'unusable'; reason: string }

export interface InterpretContext {
  projectRoot: string
  now: string
}

/** Appended to the reason when not even the spend and breakers could be read. */
const NOTHING_KEPT = '; nothing in it could be kept'

/**
 * Reads `file`. Only a missing file is expected; any other read error is thrown as it is. A file
 * over STATE_LIMITS.fileBytes, or anything but a regular file, is not read at all.
 */
export async function loadStateFile(file: string, ctx: InterpretContext): Promise<LoadOutcome> {
  let text: string
  try {
    // Non-blocking, so a FIFO put in its place cannot hang the start; reads of a file never block.
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
    try {
      const info = await handle.stat()
      const size = info.size
      if (!info.isFile()) {
        return {
          kind: 'unusable',
          reason: `it is not a regular file (a folder, a pipe or a device)${NOTHING_KEPT}`,
        }
      }
      if (size > STATE_LIMITS.fileBytes) {
        const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`
        return {
          kind: 'unusable',
          reason: `the file is ${mib(size)}, more than a state file can be (${mib(STATE_LIMITS.fileBytes)}); it was not read${NOTHING_KEPT}`,
        }
      }
      text = await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (isCode(error, 'ENOENT')) return { kind: 'missing' }
    throw error
  }
  const parsed = parseStateText(text)
  if ('kind' in parsed) return parsed
  const raw = parsed.raw
  // Stub tasks get their record from their own file before anything judges them, so that salvage
  // sees whole tasks (it rebuilds spend from their attempts).
  const stubs = !isSeedFormat(raw) ? fillStubs(raw) : []
  const lost = await attachRecords(raw, tasksDirFor(file), stubs)
  const outcome = interpretRaw(raw, ctx)
  if (lost.length && (outcome.kind === 'current' || outcome.kind === 'salvaged'))
    return { ...outcome, lostRecords: lost }
  return outcome
}

/**
 * The state as its files hold it (`state.json` with each task's record from its own file), for
 * readers that must see exactly what is on disk (tests, tools). Throws unless the files hold a
 * current, valid state whose records are all there.
 */
export async function readStateFiles(file: string): Promise<StateFile> {
  const outcome = await loadStateFile(file, {
    projectRoot: dirname(file),
    now: new Date().toISOString(),
  })
  if (outcome.kind !== 'current') {
    const why = 'reason' in outcome ? `: ${outcome.reason}` : ''
    throw new Error(`${file} does not hold a current state (${outcome.kind}${why})`)
  }
  if (outcome.lostRecords?.length)
    throw new Error(`${file}: the records of ${outcome.lostRecords.join(', ')} are missing`)
  return outcome.state
}

/** Judges the text of a state file whose tasks' records are all inline. */
export function interpretState(text: string, ctx: InterpretContext): LoadOutcome {
  const parsed = parseStateText(text)
  return 'kind' in parsed ? parsed : interpretRaw(parsed.raw, ctx)
}

function parseStateText(text: string): LoadOutcome | { raw: Record<string, unknown> } {
  if (text.trim() === '') return { kind: 'unusable', reason: 'the file is empty' }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    // V8 says "Unexpected end of JSON input", or names a position: at the very end means cut short.
    const at = /at position (\d+)/.exec(String(error))
    const truncated =
      /end of (JSON )?input/i.test(String(error)) ||
      (at !== null && Number(at[1]) >= text.trimEnd().length)
    const what = truncated ? 'is cut short' : 'is not valid JSON'
    return {
      kind: 'unusable',
      reason: `the file ${what} (${(error as Error).message})${NOTHING_KEPT}`,
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'unusable', reason: `the file does not hold a JSON object${NOTHING_KEPT}` }
  }
  return { raw: raw as Record<string, unknown> }
}

function interpretRaw(obj: Record<string, unknown>, ctx: InterpretContext): LoadOutcome {
  if (isSeedFormat(obj)) {
    const { state, ...counts } = migrateSeed(obj, ctx)
    // History over the limits is no sign of damage: the first write trims it.
    const problem = validate(state, false)
    if (problem)
      return { kind: 'unusable', reason: `the seed-format file could not be migrated: ${problem}` }
    return { kind: 'seed', state, from: String(obj.version ?? 'unversioned'), ...counts }
  }
  let reason: string
  if (obj.version === STATE_VERSION) {
    // The fast path: one schema check (the invariants check each task against its own schema).
    const parsed = StateFile.safeParse(obj)
    if (parsed.success) {
      const problem = invariantProblem(parsed.data, false)
      if (!problem) return { kind: 'current', state: parsed.data }
      reason = `its queues are inconsistent: ${problem}`
    } else {
      const issues = parsed.error.issues
      const first = issues[0]
      const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
      reason = `it does not match the state schema: ${first?.path.join('.') || '(root)'}: ${first?.message}${more}`
    }
  } else if (typeof obj.version === 'number' && obj.version > STATE_VERSION) {
    reason = `it was written by a newer Fixloop (state version ${obj.version}; this one reads ${STATE_VERSION})`
  } else if (hasVersion2Keys(obj)) {
    reason =
      obj.version === undefined
        ? 'it has no version field'
        : `unknown state version ${show(obj.version)}`
  } else {
    return { kind: 'unusable', reason: `unknown state version ${show(obj.version)}${NOTHING_KEPT}` }
  }
  const salvaged = salvageState(obj, ctx.now)
  if (!salvaged) return { kind: 'unusable', reason: reason + NOTHING_KEPT }
  return { kind: 'salvaged', reason, ...salvaged }
}

/** The first thing wrong with a state, or null. */
export function validate(state: StateFile, queueLimits: QueueLimits | false): string | null {
  const parsed = StateFile.safeParse(state)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    return `${first?.path.join('.') || '(root)'}: ${first?.message}`
  }
  return invariantProblem(state, queueLimits)
}

function invariantProblem(state: StateFile, queueLimits: QueueLimits | false): string | null {
  const violations = checkInvariants(state.queues, { limits: queueLimits })
  if (violations.length === 0) return null
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : ''
  return violations[0] + more
}

/** `state.json.corrupt-2025-10-05T14-32-15-123Z` (no colons, so Windows accepts the name). */
export async function moveAside(file: string, label: string, nowIso: string): Promise<string> {
  const target = await freeName(`${file}.${label}-${nowIso.replaceAll(':', '-').replace('.', '-')}`)
  await rename(file, target)
  return target
}

export async function copyAside(file: string, label: string, nowIso: string): Promise<string> {
  const target = await freeName(`${file}.${label}-${nowIso.replaceAll(':', '-').replace('.', '-')}`)
  await copyFile(file, target)
  return target
}

async function freeName(base: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`
    const taken = await stat(candidate).then(
      () => true,
      () => false,
    )
    if (!taken) return candidate
  }
}
