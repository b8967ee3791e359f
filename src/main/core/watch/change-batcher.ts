import type { Clock, Timer } from '../util/clock'

export type ChangeType = 'create' | 'update' | 'delete'

/** What is known of one path within a window: duplicate events collapse into this. */
export interface PendingChange {
  /** The last event's type: `delete` followed by `create` (an atomic save) ends as `create`. */
  type: ChangeType
  /** When the first event for the path arrived (clock ms). */
  firstAt: number
  /** When the last event for the path arrived (clock ms). */
  lastAt: number
  /**
   * What the path looked like after its last event (see `fileState`), when the caller knew; an
   * event that finds it unchanged is a repeat.
   */
  state?: string
}

export type WindowCloseReason = 'quiet' | 'max-wait' | 'flush'

export interface ClosedWindow {
  changes: Map<string, PendingChange>
  /** When the window closed: quiet since `debounceMs`, or held `maxWaitMs`, or flushed (clock ms). */
  closedAt: number
  reason: WindowCloseReason
}

export interface ChangeBatcherOptions {
  /** Quiet time after the last change before the window closes. */
  debounceMs: number
  /** Longest a window stays open while changes keep coming; raised to `debounceMs` if lower. */
  maxWaitMs: number
  clock: Clock
  onClose(window: ClosedWindow): void
}

/**
 * Debounce with a maximum wait: a window opens with the first change, closes after `debounceMs` of
 * quiet, and closes anyway `maxWaitMs` after it opened, so continuous saving cannot starve it.
 * One timer at a time; events only move a deadline, they do not re-arm the timer.
 *
 * A repeat is no change: @parcel/watcher delivers some events twice (about 50 ms apart, on roughly
 * one save in six), and a repeat must neither hold the window open longer nor open a new one. An
 * event whose type and `state` are those of the path's last event, in this window or the one just
 * closed, is dropped.
 */
export class ChangeBatcher {
  private changes = new Map<string, PendingChange>()
  /** The window closed last: its paths' last events, to recognise a repeat arriving after it. */
  private closed = new Map<string, PendingChange>()
  private openedAt = 0
  private lastAt = 0
  private timer: Timer | null = null
  private readonly debounceMs: number
  private readonly maxWaitMs: number

  constructor(private readonly options: ChangeBatcherOptions) {
    if (!(options.debounceMs >= 0))
      throw new RangeError(`debounceMs must be >= 0, got ${options.debounceMs}`)
    if (!(options.maxWaitMs >= 0))
      throw new RangeError(`maxWaitMs must be >= 0, got ${options.maxWaitMs}`)
    this.debounceMs = options.debounceMs
    this.maxWaitMs = Math.max(options.maxWaitMs, options.debounceMs)
  }

  get size(): number {
    return this.changes.size
  }

  /**
   * An event for `relPath` that arrived at `at`; `state` is what the path looked like after it
   * (unknown: the event counts). Returns false for a repeat, which changes nothing.
   */
  add(relPath: string, type: ChangeType, at = this.options.clock.now(), state?: string): boolean {
    const known = this.changes.get(relPath)
    const last = known ?? this.closed.get(relPath)
    if (state !== undefined && last?.type === type && last.state === state) return false
    if (this.changes.size === 0) this.openedAt = at
    this.lastAt = Math.max(this.lastAt, at)
    if (known) {
      known.type = type
      known.lastAt = Math.max(known.lastAt, at)
      known.state = state
    } else {
      this.changes.set(relPath, { type, firstAt: at, lastAt: at, state })
    }
    if (!this.timer) this.arm(this.deadline() - this.options.clock.now())
    return true
  }

  /** Puts back changes held over from a closed window (keeping their times). */
  restore(changes: Map<string, PendingChange>): void {
    for (const [relPath, change] of changes) {
      if (this.changes.size === 0) this.openedAt = change.firstAt
      this.lastAt = Math.max(this.lastAt, change.lastAt)
      if (!this.changes.has(relPath)) this.changes.set(relPath, { ...change })
    }
    if (this.changes.size > 0 && !this.timer) this.arm(this.deadline() - this.options.clock.now())
  }

  /** Closes the window now, if anything is pending. */
  flush(): void {
    this.close(this.options.clock.now(), 'flush')
  }

  /** Drops what is pending, the memory of the last window and the timer. */
  clear(): void {
    this.disarm()
    this.changes = new Map()
    this.closed = new Map()
  }

  private deadline(): number {
    return Math.min(this.lastAt + this.debounceMs, this.openedAt + this.maxWaitMs)
  }

  private arm(ms: number): void {
    this.timer = this.options.clock.setTimeout(() => this.onTimer(), Math.max(0, ms))
    this.timer.unref?.()
  }

  private disarm(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private onTimer(confirming = false): void {
    this.timer = null
    if (this.changes.size === 0) return
    const now = this.options.clock.now()
    const quietAt = this.lastAt + this.debounceMs
    const maxAt = this.openedAt + this.maxWaitMs
    const due = Math.min(quietAt, maxAt)
    if (now < due) return this.arm(due - now)
    if (!confirming && quietAt <= maxAt) {
      // Timers run before I/O callbacks in an event-loop turn: on a busy process, events that arrived
      // in time may still be queued. Look once more after they have run before calling it quiet.
      this.timer = this.options.clock.setTimeout(() => this.onTimer(true), 0)
      this.timer.unref?.()
      return
    }
    this.close(due, quietAt <= maxAt ? 'quiet' : 'max-wait')
  }

  private close(closedAt: number, reason: WindowCloseReason): void {
    this.disarm()
    if (this.changes.size === 0) return
    const changes = this.changes
    this.changes = new Map()
    this.closed = changes
    this.lastAt = 0
    this.options.onClose({ changes, closedAt, reason })
  }
}
