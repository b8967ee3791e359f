import { setImmediate as yieldToLoop } from 'node:timers/promises'

/**
 * Long syncs run synchronous file calls in slices (fewer round trips through the thread pool than
 * async calls, measured faster here) and give the event loop a turn between slices, so the watcher,
 * the UI bridge and timers keep running. The signal is checked at every turn.
 */
export class Pacer {
  readonly #signal: AbortSignal | undefined
  readonly #sliceMs: number
  #sliceStart = performance.now()

  /** @param sliceMs how long one synchronous slice may run. @default 10 */
  constructor(signal?: AbortSignal, sliceMs = 10) {
    this.#signal = signal
    this.#sliceMs = sliceMs
    signal?.throwIfAborted()
  }

  /** A promise to await when the slice is used up, else null (no microtask for the common case). */
  due(): Promise<void> | null {
    if (performance.now() - this.#sliceStart < this.#sliceMs) return null
    return this.turn()
  }

  private async turn(): Promise<void> {
    await yieldToLoop()
    this.#signal?.throwIfAborted()
    this.#sliceStart = performance.now()
  }
}
