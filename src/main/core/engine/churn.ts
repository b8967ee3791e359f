/**
 * A burst of saves is one task, not one per batch. A file is in a burst when its changes kept the
 * watcher's window open to its longest wait (`max-wait`), or when a new batch for it comes within
 * the hold time of the last one. The pending task for a file in a burst is held — the changes merge
 * into it meanwhile — until the burst is over: the hold time after its last batch, and after a
 * `max-wait` batch also the window that is surely open behind it. It then runs once, on the final
 * content. A single save, or saves further apart, runs at once as before; a task already running is
 * not disturbed (the burst then costs it and one follow-up at most).
 */
import type { Task } from '../../../shared/domain'
import type { Clock, Timer } from '../util/clock'
import type { WindowCloseReason } from '../watch/change-batcher'
import { watchWindow } from './project-watcher'

export interface BurstTimes {
  /** Quiet time after a file's last batch before its held task runs. */
  holdMs: number
  /** The watcher's longest window. */
  maxWaitMs: number
}

export class Churn {
  /** Per file: its last batch, and until when a task on it waits (0: it does not). */
  readonly #files = new Map<string, { lastAt: number; holdUntil: number }>()
  #timer: Timer | null = null

  constructor(
    private readonly clock: Clock,
    /** Called when a held task may run. */
    private readonly wake: () => void,
  ) {}

  /** A batch of changes to `files` arrived, its window closed for `reason`. */
  noteBatch(
    files: readonly string[],
    reason: WindowCloseReason | undefined,
    times: BurstTimes,
  ): void {
    const now = this.clock.now()
    for (const file of files) {
      const known = this.#files.get(file)
      const again = !!known && now - known.lastAt < times.holdMs
      const holdUntil =
        reason === 'max-wait'
          ? now + times.maxWaitMs + times.holdMs
          : again
            ? Math.max(known.holdUntil, now + times.holdMs)
            : 0
      this.#files.set(file, { lastAt: now, holdUntil })
    }
    // Files quiet for long are forgotten: the map stays as small as what is being edited.
    const stale = 10 * (times.holdMs + times.maxWaitMs)
    for (const [file, f] of this.#files) if (now - f.lastAt > stale) this.#files.delete(file)
  }

  /**
   * The files of pending tasks that must wait for a burst to end; when there are any, `wake` is
   * called as the first of them may run.
   */
  heldFiles(pending: readonly Task[]): string[] {
    const now = this.clock.now()
    let wakeAt = Infinity
    const held: string[] = []
    for (const task of pending) {
      const until = Math.max(0, ...task.files.map((f) => this.#files.get(f)?.holdUntil ?? 0))
      if (until <= now) continue
      held.push(...task.files)
      wakeAt = Math.min(wakeAt, until)
    }
    if (this.#timer) this.clock.clearTimeout(this.#timer)
    this.#timer = null
    if (wakeAt < Infinity) {
      this.#timer = this.clock.setTimeout(() => {
        this.#timer = null
        this.wake()
      }, wakeAt - now)
      this.#timer.unref?.()
    }
    return held
  }

  dispose(): void {
    if (this.#timer) this.clock.clearTimeout(this.#timer)
    this.#timer = null
  }
}

/**
 * The burst times for these settings: hold at least 1 s, or twice the watcher's window. The hold
 * follows the check window, not the fix debounce: a save a few seconds after the last one is
 * checked at once (the gate waits out the fix debounce before anything is sent to Claude), while
 * a machine's writes, less than a second apart, still make one task.
 */
export function burstTimes(settings: {
  checkDebounceSeconds: number
  debounceSeconds: number
  maxWaitSeconds: number
}): BurstTimes {
  const window = watchWindow(settings)
  return { holdMs: Math.max(1000, window.debounceMs * 2), maxWaitMs: window.maxWaitMs }
}
