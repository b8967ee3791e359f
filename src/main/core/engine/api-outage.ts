/**
 * An API outage is not a failed task. When Claude's API stays unavailable past the client's own
 * retries (529 overloaded, a long 429, 5xx, no network), the task goes back to pending and new work
 * waits here: until the server's retry-after, else a backoff that starts at 30 s and doubles to
 * 5 minutes while the outage lasts. The user hears of it once ("Claude API unavailable since …")
 * and once more when it is over; nothing is counted against the task, its files or the day.
 */
import type { Clock, Timer } from '../util/clock'

export const OUTAGE_FIRST_WAIT_MS = 30_000
export const OUTAGE_MAX_WAIT_MS = 5 * 60_000

export interface OutageState {
  since: number
  /** When work may be taken again. */
  until: number
  reason: string
  /** Deferrals in this outage. */
  deferrals: number
}

export class ApiOutage {
  #state: OutageState | null = null
  #timer: Timer | null = null

  constructor(
    private readonly clock: Clock,
    /** Called when the hold ends, to take work again. */
    private readonly wake: () => void,
  ) {}

  get state(): Readonly<OutageState> | null {
    return this.#state
  }

  /** True while new work must wait. */
  holding(): boolean {
    return this.#state !== null && this.clock.now() < this.#state.until
  }

  /**
   * A task was deferred by an outage. Returns true when this starts the outage (the moment to tell
   * the user), false while it goes on.
   */
  defer(reason: string, retryAfterMs: number | null): boolean {
    const now = this.clock.now()
    const first = this.#state === null
    const deferrals = (this.#state?.deferrals ?? 0) + 1
    const backoff = Math.min(OUTAGE_MAX_WAIT_MS, OUTAGE_FIRST_WAIT_MS * 2 ** (deferrals - 1))
    const wait =
      retryAfterMs !== null && retryAfterMs > 0
        ? Math.min(retryAfterMs, OUTAGE_MAX_WAIT_MS)
        : backoff
    this.#state = { since: this.#state?.since ?? now, until: now + wait, reason, deferrals }
    if (this.#timer) this.clock.clearTimeout(this.#timer)
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null
      this.wake()
    }, wait)
    this.#timer.unref?.()
    return first
  }

  /** The API answered: the outage, if any, is over. Returns how long it lasted, or null. */
  clear(): number | null {
    const state = this.#state
    if (!state) return null
    this.#state = null
    if (this.#timer) this.clock.clearTimeout(this.#timer)
    this.#timer = null
    return this.clock.now() - state.since
  }

  dispose(): void {
    if (this.#timer) this.clock.clearTimeout(this.#timer)
    this.#timer = null
  }
}
