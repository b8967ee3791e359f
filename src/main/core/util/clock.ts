/**
 * Time comes in through this interface so that heartbeats, debounce, backoff and breaker windows can be
 * tested with fake timers. The real clock is the default everywhere.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): Timer
  clearTimeout(timer: Timer): void
}

export interface Timer {
  unref?(): unknown
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. The timer is unref'ed. */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    timer.unref?.()
    function onAbort() {
      clock.clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export const isoNow = (clock: Clock = systemClock): string => new Date(clock.now()).toISOString()

/**
 * Calls `fn` every `ms` on `clock` (first call after `ms`), with unref'ed timers, until the returned
 * disposer is called.
 */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let timer: Timer | null = null
  let stopped = false
  const schedule = () => {
    timer = clock.setTimeout(tick, ms)
    timer.unref?.()
  }
  const tick = () => {
    if (stopped) return
    fn()
    if (!stopped) schedule()
  }
  schedule()
  return () => {
    stopped = true
    if (timer) clock.clearTimeout(timer)
  }
}
