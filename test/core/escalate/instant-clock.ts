/**
 * A Clock for backoff tests: every timer fires on the next turn of the event loop and moves `now`
 * forward by its delay, and every delay is recorded. Real I/O (local HTTP servers) still runs.
 */
import type { Clock, Timer } from '../../../src/main/core/util/clock'

export interface InstantClock extends Clock {
  /** Delays asked of setTimeout, in order. */
  readonly sleeps: number[]
  advance(ms: number): void
}

export function instantClock(start = Date.parse('2026-03-01T10:05:00.000Z')): InstantClock {
  let now = start
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms
    },
    setTimeout: (fn, ms) => {
      sleeps.push(ms)
      return setImmediate(() => {
        now += ms
        fn()
      })
    },
    clearTimeout: (timer: Timer) => clearImmediate(timer as ReturnType<typeof setImmediate>),
  }
}
