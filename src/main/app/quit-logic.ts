/**
 * A graceful quit: the first `before-quit` is held while the engine stops (a running task finishes
 * or is rolled back, the state file is written, the project lock released), then the app quits for
 * real. A stop that hangs cannot keep the app alive: after `timeoutMs` it quits anyway.
 */
import type { Clock } from '../core/util/clock'
import { systemClock } from '../core/util/clock'

export interface QuitGuardOptions {
  /** Stops the engine (`controller.stop()`). */
  stop: () => Promise<unknown>
  /** Quits the app again once stopped (`app.quit()`). */
  quit: () => void
  /** Told when the stop failed or timed out. */
  onProblem?: (message: string) => void
  /**
   * Longest wait for the stop. The engine gives a running task 30 s before aborting it.
   * @default 40 s
   */
  timeoutMs?: number
  /** @default systemClock */
  clock?: Clock
}

export type QuitPhase = 'running' | 'stopping' | 'done'

export interface QuitGuard {
  /** The `before-quit` listener. */
  onBeforeQuit(event: { preventDefault(): void }): void
  readonly phase: QuitPhase
}

export function createQuitGuard(options: QuitGuardOptions): QuitGuard {
  const clock = options.clock ?? systemClock
  const timeoutMs = options.timeoutMs ?? 40_000
  let phase: QuitPhase = 'running'

  const finish = () => {
    if (phase === 'done') return
    phase = 'done'
    options.quit()
  }

  return {
    get phase() {
      return phase
    },
    onBeforeQuit(event) {
      if (phase === 'done') return
      event.preventDefault()
      if (phase === 'stopping') return
      phase = 'stopping'
      const timer = clock.setTimeout(() => {
        options.onProblem?.(
          `The engine did not stop within ${timeoutMs / 1000} s; quitting anyway.`,
        )
        finish()
      }, timeoutMs)
      options
        .stop()
        .catch((error: unknown) =>
          options.onProblem?.(
            `The engine did not stop cleanly: ${(error as Error)?.message ?? String(error)}`,
          ),
        )
        .finally(() => {
          clock.clearTimeout(timer)
          finish()
        })
    },
  }
}
