/** The identity of a written state, as the crash test compares it: which task is in which queue. */
import type { Queues } from '../../../src/shared/domain'
import type { StateFile } from '../../../src/main/core/state'

export interface Summary {
  generation: number
  seq: number
  pending: string[]
  in_progress: string[]
  completed: string[]
  failed: string[]
}

export function summarise(state: Pick<StateFile, 'generation' | 'seq' | 'queues'>): Summary {
  const ids = (name: keyof Queues) => state.queues[name].map((t) => t.id)
  return {
    generation: state.generation,
    seq: state.seq,
    pending: ids('pending'),
    in_progress: ids('in_progress'),
    completed: ids('completed'),
    failed: ids('failed'),
  }
}
