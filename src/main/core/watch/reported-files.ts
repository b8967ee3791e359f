import type { Stats } from 'node:fs'
import { systemClock, type Clock } from '../util/clock'

export interface ReportedFilesOptions {
  /** How long a reported state is remembered, ms. @default 30_000 */
  ttlMs?: number
  /** States remembered at most; the oldest go first. @default 200_000 */
  maxEntries?: number
  /** @default systemClock */
  clock?: Clock
}

/**
 * The state (inode, size, mtime; or gone) each file had when it was last reported. A native backend
 * can deliver an event well after the change, into the next window (its own batching, a busy machine);
 * a file still in the state it was reported in is not a new change, so it is not reported twice.
 */
export class ReportedFiles {
  private readonly states = new Map<string, { state: string; expiresAt: number }>()
  private readonly ttlMs: number
  private readonly maxEntries: number
  private readonly clock: Clock

  constructor(options: ReportedFilesOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000
    this.maxEntries = options.maxEntries ?? 200_000
    this.clock = options.clock ?? systemClock
  }

  /** Whether `rel` is still as it was reported; `stats` null means it does not exist. */
  unchanged(rel: string, stats: Stats | null): boolean {
    const known = this.states.get(rel)
    if (!known) return false
    if (known.expiresAt <= this.clock.now()) {
      this.states.delete(rel)
      return false
    }
    return known.state === fileState(stats)
  }

  remember(rel: string, stats: Stats | null): void {
    const now = this.clock.now()
    this.states.delete(rel)
    this.states.set(rel, { state: fileState(stats), expiresAt: now + this.ttlMs })
    // Insertion order is expiry order (one ttl for all), so the expired are all at the head
    for (const [key, entry] of this.states) {
      if (entry.expiresAt > now && this.states.size <= this.maxEntries) break
      this.states.delete(key)
    }
  }

  get size(): number {
    return this.states.size
  }

  clear(): void {
    this.states.clear()
  }
}

/** A path's state as far as an lstat tells (inode, size, mtime), or `gone`: equal states, no change. */
export function fileState(stats: Stats | null): string {
  return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : 'gone'
}
