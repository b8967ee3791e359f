import path from 'node:path'
import type { OwnWriteRegistry } from '../fix/editor-types'
import { systemClock, type Clock } from '../util/clock'

export interface OwnWritesOptions {
  /**
   * How long a registration stays live. It must outlast the longest a batch can be held (max wait plus
   * debounce), or a write could come back as a change.
   * @default 60_000
   */
  ttlMs?: number
  /** Registrations kept at most; the oldest go first. @default 10_000 */
  maxEntries?: number
  /** @default systemClock */
  clock?: Clock
}

interface Registration {
  hash: string
  expiresAt: number
}

/**
 * The hashes of the files Fixloop wrote itself. When a batch is formed, a changed file whose current
 * content has a live registered hash is dropped: Fixloop's own edits never create a task.
 *
 * A matching registration is kept until it expires rather than consumed at once, because one write
 * can reach the watcher as several events that land in different batches. A file seen with any other
 * content has been changed by someone else, and its registrations are cleared.
 */
export class OwnWrites implements OwnWriteRegistry {
  private readonly entries = new Map<string, Registration[]>()
  private readonly ttlMs: number
  private readonly maxEntries: number
  private readonly clock: Clock
  private count = 0

  constructor(options: OwnWritesOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000
    this.maxEntries = options.maxEntries ?? 10_000
    this.clock = options.clock ?? systemClock
    if (!(this.ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${this.ttlMs}`)
    if (!(this.maxEntries > 0))
      throw new RangeError(`maxEntries must be positive, got ${this.maxEntries}`)
  }

  register(absolutePath: string, hash: string): void {
    const key = path.resolve(absolutePath)
    const list = this.live(key)
    list.push({ hash, expiresAt: this.clock.now() + this.ttlMs })
    this.entries.set(key, list)
    this.count++
    // Paths never seen again would otherwise keep their expired registrations until evicted
    if (this.count % 1000 === 0) this.prune()
    if (this.count > this.maxEntries) this.evictOldest()
  }

  /** Whether a live registration exists for the path: only then is its content worth hashing. */
  has(absolutePath: string): boolean {
    const key = path.resolve(absolutePath)
    return this.live(key).length > 0
  }

  /**
   * Whether content with `hash` at the path is Fixloop's own write. A miss clears the path's
   * registrations: someone else has written it since.
   */
  isOwn(absolutePath: string, hash: string): boolean {
    const key = path.resolve(absolutePath)
    const list = this.live(key)
    if (list.some((entry) => entry.hash === hash)) return true
    this.count -= list.length
    this.entries.delete(key)
    return false
  }

  /** Live registrations, all paths together. */
  get size(): number {
    this.prune()
    return this.count
  }

  private live(key: string): Registration[] {
    const list = this.entries.get(key)
    if (!list) return []
    const now = this.clock.now()
    const kept = list.filter((entry) => entry.expiresAt > now)
    this.count -= list.length - kept.length
    if (kept.length === 0) this.entries.delete(key)
    else this.entries.set(key, kept)
    return kept
  }

  private prune(): void {
    for (const key of [...this.entries.keys()]) this.live(key)
  }

  private evictOldest(): void {
    this.prune()
    while (this.count > this.maxEntries) {
      // Map order is insertion order, and a path's list is in registration order
      const [key, list] = this.entries.entries().next().value as [string, Registration[]]
      list.shift()
      this.count--
      if (list.length === 0) this.entries.delete(key)
    }
  }
}
