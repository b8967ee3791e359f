import type { Clock, Timer } from '../../../src/main/core/util/clock'

/**
 * A clock whose timers fire on the next turn of the event loop and which records every delay asked
 * for: backoff logic runs at full speed against a real HTTP server, and the test reads the waits.
 */
export function instantClock(start = Date.now()): { clock: Clock; delays: number[] } {
  const delays: number[] = []
  const clock: Clock = {
    now: () => start,
    setTimeout(fn: () => void, ms: number): Timer {
      delays.push(ms)
      return setTimeout(fn, 0)
    },
    clearTimeout(timer: Timer) {
      clearTimeout(timer as ReturnType<typeof setTimeout>)
    },
  }
  return { clock, delays }
}
