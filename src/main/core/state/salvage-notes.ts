/**
 * What a salvage of a damaged state file kept, dropped and repaired, in words a user can act on.
 * Each note names the place in the file (`queues.pending[3]`, `spend.2025-10-05`) and the value
 * that was wrong, so "nothing is silently dropped" holds entry by entry.
 */
import type { z } from 'zod'

/** How many entries of one part of the file there were, and how many were kept. */
export interface SalvageCount {
  found: number
  kept: number
}

export interface SalvageReport {
  counts: {
    tasks: SalvageCount
    history: SalvageCount
    testResults: SalvageCount
    breakers: SalvageCount
    spendDays: SalvageCount
    escalations: SalvageCount
  }
  /** Entries left out, each with where it was and why. Capped; the last line then says how many more. */
  dropped: string[]
  /** Values replaced and entries moved, each with what it was and what it became. Capped likewise. */
  repaired: string[]
  /** How many notes of each kind there were, listed or not. */
  totals: { dropped: number; repaired: number }
}

/** More notes than this (a history of a million broken entries) are counted, not listed. */
export const MAX_NOTES = 200

export class SalvageNotes {
  private readonly lists = { dropped: [] as string[], repaired: [] as string[] }
  private readonly over = { dropped: 0, repaired: 0 }

  drop(where: string, why: string): void {
    this.add('dropped', `${where}: ${why}`)
  }

  repair(where: string, what: string): void {
    this.add('repaired', `${where}: ${what}`)
  }

  /** The notes, each list ending in "… and N more" when it was capped. */
  lines(): Pick<SalvageReport, 'dropped' | 'repaired' | 'totals'> {
    const out = (k: 'dropped' | 'repaired') =>
      this.over[k] > 0 ? [...this.lists[k], `… and ${this.over[k]} more`] : [...this.lists[k]]
    const total = (k: 'dropped' | 'repaired') => this.lists[k].length + this.over[k]
    return {
      dropped: out('dropped'),
      repaired: out('repaired'),
      totals: { dropped: total('dropped'), repaired: total('repaired') },
    }
  }

  private add(kind: 'dropped' | 'repaired', line: string): void {
    if (this.lists[kind].length < MAX_NOTES) this.lists[kind].push(line)
    else this.over[kind]++
  }
}

/**
 * A short, bounded rendering of a value found in the file: never the whole of a huge string or
 * object, which is what a damaged file may hold.
 */
export function show(value: unknown): string {
  if (value === undefined) return 'missing'
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (typeof value === 'object' && value !== null) return 'an object'
  if (typeof value === 'string') {
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value)
  }
  return String(value)
}

/** The first thing zod found wrong, as `path: message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const path = issue.path.map(String).join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}

/**
 * For the log: what was kept, then every drop and repair (as capped in the report).
 * "Kept 48 of 50 tasks, all 100 history entries, …. Dropped: …. Repaired: …."
 */
export function describeSalvage(report: SalvageReport): string {
  const sentences = [`Kept ${describeKept(report)}.`]
  if (report.dropped.length > 0) sentences.push(`Dropped: ${report.dropped.join('; ')}.`)
  if (report.repaired.length > 0) sentences.push(`Repaired: ${report.repaired.join('; ')}.`)
  return sentences.join(' ')
}

/** For `fixloop status`, which does not repair: what the next start keeps, and how much it drops. */
export function describeSalvageBrief(report: SalvageReport): string {
  const { dropped, repaired } = report.totals
  return `the next start keeps ${describeKept(report)} (${dropped} dropped, ${repaired} repaired)`
}

function describeKept(report: SalvageReport): string {
  const c = report.counts
  const part = (n: SalvageCount, one: string, many: string) => {
    if (n.found === 0 && n.kept === 0) return null
    const noun = Math.max(n.found, n.kept) === 1 ? one : many
    if (n.found === 0) return `${n.kept} ${noun} (rebuilt)`
    return n.found === n.kept ? `${n.kept} ${noun}` : `${n.kept} of ${n.found} ${noun}`
  }
  const kept = [
    part(c.tasks, 'task', 'tasks'),
    part(c.history, 'history entry', 'history entries'),
    part(c.testResults, 'test result', 'test results'),
    part(c.breakers, 'breaker', 'breakers'),
    part(c.spendDays, 'day of spend', 'days of spend'),
    part(c.escalations, 'escalation memo', 'escalation memos'),
  ].filter((p) => p !== null)
  return kept.length > 0 ? kept.join(', ') : 'nothing'
}
