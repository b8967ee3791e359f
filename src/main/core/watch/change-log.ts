import { systemClock, type Clock } from '../util/clock'

export interface ChangeLogOptions {
  /** How long a change is remembered, ms. @default 3_600_000 (an hour: longer than any check run) */
  ttlMs?: number
  /** Paths remembered at most; the least recently changed go first. @default 200_000 */
  maxEntries?: number
  /** @default systemClock */
  clock?: Clock
}

/**
 * When each path last changed, as the watcher saw it (repeats of an event not counted), at the
 * moment the event arrived rather than when its window closed. The engine asks it whether a file
 * has been quiet long enough to send a fix, and whether it changed after a task took its copy.
 * It outlives a watcher restarted for new settings.
 */
export class ChangeLog {
  /** Insertion order is change order: a change moves its path to the end. */
  private readonly times = new Map<string, number>()
  private readonly waiters = new Set<{ rels: ReadonlySet<string>; wake: (rel: string) => void }>()
  private readonly ttlMs: number
  private readonly maxEntries: number
  private readonly clock: Clock

  constructor(options: ChangeLogOptions = {}) {
    this.ttlMs = options.ttlMs ?? 3_600_000
    this.maxEntries = options.maxEntries ?? 200_000
    this.clock = options.clock ?? systemClock
  }

  /** `rel` changed at `at` (clock ms). */
  note(rel: string, at: number): void {
    const latest = Math.max(at, this.times.get(rel) ?? -Infinity)
    this.times.delete(rel)
    this.times.set(rel, latest)
    for (const [key, when] of this.times) {
      if (this.times.size <= this.maxEntries && when > this.clock.now() - this.ttlMs) break
      this.times.delete(key)
    }
    for (const waiter of [...this.waiters]) if (waiter.rels.has(rel)) waiter.wake(rel)
  }

  /** When `rel` last changed (clock ms), or null when it has not within the ttl. */
  lastChangeAt(rel: string): number | null {
    const at = this.times.get(rel)
    if (at === undefined) return null
    return at > this.clock.now() - this.ttlMs ? at : null
  }

  /**
   * Resolves with the first of `rels` to change from now on; rejects with the signal's reason when
   * `signal` is aborted first.
   */
  nextChange(rels: readonly string[], signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason)
      const waiter = {
        rels: new Set(rels),
        wake: (rel: string) => {
          done()
          resolve(rel)
        },
      }
      const onAbort = () => {
        done()
        reject(signal.reason)
      }
      const done = () => {
        this.waiters.delete(waiter)
        signal.removeEventListener('abort', onAbort)
      }
      this.waiters.add(waiter)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  get size(): number {
    return this.times.size
  }
}
