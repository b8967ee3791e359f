import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createQuitGuard } from '../../src/main/app/quit-logic'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

function event() {
  const e = { prevented: 0, preventDefault: () => void e.prevented++ }
  return e
}

describe('createQuitGuard', () => {
  it('holds the first quit until the engine has stopped, then quits once', async () => {
    let release!: () => void
    const stopped = new Promise<void>((r) => (release = r))
    const quit = vi.fn()
    const guard = createQuitGuard({ stop: () => stopped, quit })
    const first = event()
    guard.onBeforeQuit(first)
    expect(first.prevented).toBe(1)
    expect(guard.phase).toBe('stopping')
    // Asking again while stopping changes nothing.
    const again = event()
    guard.onBeforeQuit(again)
    expect(again.prevented).toBe(1)
    expect(quit).not.toHaveBeenCalled()
    release()
    await vi.runAllTimersAsync()
    expect(quit).toHaveBeenCalledTimes(1)
    expect(guard.phase).toBe('done')
    // The quit that follows goes through.
    const last = event()
    guard.onBeforeQuit(last)
    expect(last.prevented).toBe(0)
  })

  it('quits anyway when the engine does not stop in time', async () => {
    const quit = vi.fn()
    const problems: string[] = []
    const guard = createQuitGuard({
      stop: () => new Promise(() => undefined),
      quit,
      timeoutMs: 5000,
      onProblem: (m) => problems.push(m),
    })
    guard.onBeforeQuit(event())
    await vi.advanceTimersByTimeAsync(4999)
    expect(quit).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(quit).toHaveBeenCalledTimes(1)
    expect(problems[0]).toMatch(/did not stop within 5 s/)
  })

  it('quits when stopping fails, and says so', async () => {
    const quit = vi.fn()
    const problems: string[] = []
    const guard = createQuitGuard({
      stop: () => Promise.reject(new Error('lock lost')),
      quit,
      onProblem: (m) => problems.push(m),
    })
    guard.onBeforeQuit(event())
    await vi.runAllTimersAsync()
    expect(quit).toHaveBeenCalledTimes(1)
    expect(problems).toEqual(['The engine did not stop cleanly: lock lost'])
  })
})
