import type { Clock, Timer } from '../../src/main/core/util/clock'

/** A clock whose time moves only when the test says so; timers fire in order as it advances. */
export class ManualClock implements Clock {
  #now: number
  #timers: { at: number; fn: () => void; id: number }[] = []
  #ids = 0

  constructor(start = Date.parse('2026-11-26T10:00:00Z')) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = ++this.#ids
    this.#timers.push({ at: this.#now + Math.max(0, ms), fn, id })
    return { id, unref: () => undefined } as Timer
  }

  clearTimeout(timer: Timer): void {
    const id = (timer as { id?: number }).id
    this.#timers = this.#timers.filter((t) => t.id !== id)
  }

  /** Moves time forward, firing each due timer at its own moment. */
  advance(ms: number): void {
    const end = this.#now + ms
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id)
      const next = this.#timers[0]
      if (!next || next.at > end) break
      this.#timers.shift()
      this.#now = next.at
      next.fn()
    }
    this.#now = end
  }
}
