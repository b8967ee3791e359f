/** Backoff between fix attempts: full jitter over an exponential ceiling. */
export const BACKOFF = Object.freeze({ baseMs: 1000, capMs: 60_000 })

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, attempt - 2))
  return Math.floor(random() * ceiling)
}
