/**
 * The in-process escalation memory: a bounded map, for tests, for the CLI without a state file, and
 * as a model of what the orchestrator's state-backed store must do.
 */
import type { EscalationMemory, EscalationMemoryEntry } from './types'

export interface InMemoryEscalationMemoryOptions {
  /** Entries to start from (e.g. read from the state file). @default {} */
  initial?: Record<string, EscalationMemoryEntry>
  /** Fingerprints kept; the least recently written are dropped first. @default 200 */
  maxEntries?: number
  /** Called after every write with the whole map, to persist it. */
  onChange?: (entries: Record<string, EscalationMemoryEntry>) => void
}

export interface InMemoryEscalationMemory extends EscalationMemory {
  get(fingerprint: string): EscalationMemoryEntry | undefined
  set(fingerprint: string, entry: EscalationMemoryEntry): void
  /** A copy of every entry, oldest write first. */
  entries(): Record<string, EscalationMemoryEntry>
}

export const emptyMemoryEntry = (): EscalationMemoryEntry => ({
  lastAt: {},
  githubIssue: null,
  githubIssueUrl: null,
})

const copy = (entry: EscalationMemoryEntry): EscalationMemoryEntry => ({
  ...entry,
  lastAt: { ...entry.lastAt },
})

export function createInMemoryEscalationMemory(
  options: InMemoryEscalationMemoryOptions = {},
): InMemoryEscalationMemory {
  const { maxEntries = 200, onChange } = options
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`)
  }
  // Map keeps insertion order; re-inserting on write makes it least-recently-written order.
  const map = new Map<string, EscalationMemoryEntry>(
    Object.entries(options.initial ?? {}).map(([fp, entry]) => [fp, copy(entry)]),
  )
  const entries = () => Object.fromEntries([...map].map(([fp, entry]) => [fp, copy(entry)]))
  return {
    get: (fingerprint) => {
      const entry = map.get(fingerprint)
      return entry && copy(entry)
    },
    set: (fingerprint, entry) => {
      map.delete(fingerprint)
      map.set(fingerprint, copy(entry))
      while (map.size > maxEntries) map.delete(map.keys().next().value as string)
      onChange?.(entries())
    },
    entries,
  }
}
