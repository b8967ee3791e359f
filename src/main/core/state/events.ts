/**
 * What the state store reports outward. The shells turn these into log lines and notices; nothing
 * inside the core listens to them (it calls methods instead).
 */
import type { Task } from '../../../shared/domain'
import type { SalvageReport } from './salvage-notes'

export interface StateEvents {
  /** No state file existed; a fresh one was written. */
  created: { file: string }
  /**
   * The file did not parse or failed validation; the original is kept at `movedTo`. When it parsed,
   * what was valid in it was kept, entry by entry (`salvaged`: counts and every drop and repair);
   * otherwise (`salvaged` absent) a fresh state started.
   */
  corrupt: { file: string; movedTo: string; reason: string; salvaged?: SalvageReport }
  /** A file in the seed's format (version "1.0.0") was converted. The original is kept at `backup`. */
  migrated: {
    file: string
    from: string
    tasks: number
    merged: number
    dropped: number
    backup: string
  }
  /**
   * Tasks found in progress at start-up went back to pending. `merged` lists ids folded into an
   * earlier pending task on the same file (they no longer exist on their own).
   */
  /** Tasks found in progress at start: returned to pending, or (`held`) held for review. */
  recovered: { tasks: Pick<Task, 'id' | 'files'>[]; merged: string[]; held: string[] }
  /** The lock of a process that no longer exists was taken over. */
  'lock-taken-over': { lockFile: string; previousPid: number }
  /**
   * The lock was lost (deleted, or taken over by another process). The store stopped writing and
   * re-read the file; `reloaded` says whether `store.state` now shows what is on disk.
   */
  compromised: { reason: string; message: string; reloaded: boolean }
  /**
   * Some tasks' records were missing or unreadable in their files (`<state dir>/tasks/<id>.json`):
   * those tasks are kept, with an empty record (no check output, attempts or diff).
   */
  'records-lost': { file: string; ids: string[] }
  /**
   * A write reached the disk. `stateFile`: whether `state.json` was rewritten (`generation` and
   * `bytes` are its own; a write that only changes tasks' records leaves them as they were);
   * `taskFiles`: how many task records were written; `inPlace`: only the heartbeat was updated,
   * in place.
   */
  written: {
    generation: number
    bytes: number
    durationMs: number
    stateFile?: boolean
    taskFiles?: number
    inPlace?: boolean
    /** What the write changed in `state.json`: section names, `queues.<name>`, `task:<id>`. */
    changed?: string[]
  }
}

export type StateEventName = keyof StateEvents

export type StateEventListener = <K extends StateEventName>(
  name: K,
  payload: StateEvents[K],
) => void

type Listener<K extends StateEventName> = (payload: StateEvents[K]) => void

/**
 * A tiny typed emitter. A listener that throws must not break a write or, inside a lock timer,
 * crash the process, so its error becomes a process warning.
 */
export class StateEmitter {
  private readonly listeners = new Map<StateEventName, Set<(payload: never) => void>>()

  constructor(private readonly sink?: StateEventListener) {}

  /** Subscribes; returns the unsubscribe function. */
  on<K extends StateEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name)
    if (!set) this.listeners.set(name, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  emit<K extends StateEventName>(name: K, payload: StateEvents[K]): void {
    guard(() => this.sink?.(name, payload))
    for (const listener of this.listeners.get(name) ?? []) {
      guard(() => (listener as Listener<K>)(payload))
    }
  }
}

function guard(fn: () => void): void {
  try {
    fn()
  } catch (error) {
    process.emitWarning(`A state event listener threw: ${String(error)}`, 'FixloopStateWarning')
  }
}
