/**
 * Reading the state file and deciding what it is: missing, current, the seed's format, or unusable.
 * Pure apart from the read itself, so `StateStore.peek` and `StateStore.open` judge a file alike.
 */
import { copyFile, readFile, rename, stat } from 'node:fs/promises'
import { checkInvariants } from '../queue/invariants'
import type { QueueLimits } from '../queue/limits'
import { isCode } from './atomic-write'
import { isSeedFormat, migrateSeed } from './migrate-seed'
import { STATE_VERSION, StateFile } from './schema'

export type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'current'; state: StateFile }
  | { kind: 'seed'; state: StateFile; from: string; tasks: number; merged: number; dropped: number }
  | { kind: 'unusable'; reason: string }

export interface InterpretContext {
  projectRoot: string
  now: string
}

/** Reads `file`. Only a missing file is expected; any other read error is thrown as it is. */
export async function loadStateFile(file: string, ctx: InterpretContext): Promise<LoadOutcome> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (isCode(error, 'ENOENT')) return { kind: 'missing' }
    throw error
  }
  return interpretState(text, ctx)
}

export function interpretState(text: string, ctx: InterpretContext): LoadOutcome {
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
    return {
      kind: 'unusable',
      reason: truncated
        ? `the file is cut short (${(error as Error).message})`
        : `the file is not valid JSON (${(error as Error).message})`,
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'unusable', reason: 'the file does not hold a JSON object' }
  }
  const obj = raw as Record<string, unknown>

  if (isSeedFormat(obj)) {
    const { state, ...counts } = migrateSeed(obj, ctx)
    // History over the limits is no sign of damage: the first write trims it.
    const problem = validate(state, false)
    if (problem)
      return { kind: 'unusable', reason: `the seed-format file could not be migrated: ${problem}` }
    return { kind: 'seed', state, from: String(obj.version ?? 'unversioned'), ...counts }
  }
  if (typeof obj.version === 'number' && obj.version > STATE_VERSION) {
    return {
      kind: 'unusable',
      reason: `it was written by a newer Fixloop (state version ${obj.version}; this one reads ${STATE_VERSION})`,
    }
  }
  if (obj.version !== STATE_VERSION) {
    return { kind: 'unusable', reason: `unknown state version ${JSON.stringify(obj.version)}` }
  }
  const parsed = StateFile.safeParse(obj)
  if (!parsed.success) {
    const issues = parsed.error.issues
    const first = issues[0]
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
    return {
      kind: 'unusable',
      reason: `it does not match the state schema: ${first?.path.join('.') || '(root)'}: ${first?.message}${more}`,
    }
  }
  const problem = invariantProblem(parsed.data, false)
  if (problem) return { kind: 'unusable', reason: `its queues are inconsistent: ${problem}` }
  return { kind: 'current', state: parsed.data }
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
