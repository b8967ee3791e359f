import type { EscalationMemory, EscalationMemoryEntry } from '../escalate'
import type { StateFile } from '../state'

/** The escalation ladder's memory (per fingerprint: last deliveries, the GitHub issue), kept in state. */
export function stateEscalationMemory(
  read: () => StateFile | null,
  write: (fn: (draft: StateFile) => void) => Promise<void>,
): EscalationMemory {
  return {
    get: (fingerprint) => {
      const memo = read()?.escalations[fingerprint]
      return memo ? (structuredClone(memo) as EscalationMemoryEntry) : undefined
    },
    set: (fingerprint, entry) =>
      write((s) => {
        s.escalations[fingerprint] = structuredClone(entry)
      }),
  }
}
