/**
 * The gate's quiet wait on a manual clock, against the watcher's real change log: a red task goes
 * on only once its files have been quiet for the fix debounce, never with a copy a newer change
 * made stale, and pause or shutdown end the wait.
 */
import { describe, expect, it } from 'vitest'
import {
  waitUntilQuiet,
  type QuietResult,
  type QuietWaitOptions,
} from '../../../../src/main/core/engine/pipeline/quiet-wait'
import { ChangeLog } from '../../../../src/main/core/watch/change-log'
import { ManualClock } from '../../../support/manual-clock'

const QUIET_MS = 2000

function setup() {
  const clock = new ManualClock()
  const changes = new ChangeLog({ clock })
  const task = new AbortController()
  const intake = new AbortController()
  const t0 = clock.now()
  /** Starts a wait for the files; `result()` is its answer so far. */
  const wait = (o: Partial<QuietWaitOptions> = {}) => {
    let answer: QuietResult | null = null
    const done = waitUntilQuiet({
      files: ['src/a.js', 'src/b.js'],
      since: clock.now(),
      quietMs: QUIET_MS,
      changes,
      clock,
      signal: task.signal,
      hold: intake.signal,
      ...o,
    }).then((r) => (answer = r))
    return { done, result: () => answer }
  }
  return { clock, changes, task, intake, t0, wait }
}

/** Lets promise callbacks run (the wait resolves through a few). */
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('waitUntilQuiet', () => {
  it('goes on at once when the files have been quiet long enough, or never changed', async () => {
    const { clock, changes, wait } = setup()
    changes.note('src/a.js', clock.now())
    clock.advance(QUIET_MS)
    const w = wait()
    await w.done
    expect(w.result()).toEqual({ kind: 'quiet', waitedMs: 0 })
    const never = wait({ files: ['src/other.js'] })
    await never.done
    expect(never.result()).toEqual({ kind: 'quiet', waitedMs: 0 })
  })

  it('waits until the last change of any file is the quiet time old', async () => {
    const { clock, changes, wait, t0 } = setup()
    changes.note('src/a.js', t0)
    clock.advance(300)
    changes.note('src/b.js', t0 + 300)
    clock.advance(500)
    const w = wait()
    clock.advance(QUIET_MS - 501)
    await settle()
    expect(w.result()).toBeNull()
    clock.advance(1)
    await settle()
    expect(w.result()).toEqual({ kind: 'quiet', waitedMs: QUIET_MS - 500 })
  })

  it('ends the wait at once when a file changes during it', async () => {
    const { clock, changes, wait, t0 } = setup()
    changes.note('src/a.js', t0)
    clock.advance(500)
    const w = wait()
    clock.advance(200)
    await settle()
    expect(w.result()).toBeNull()
    changes.note('src/b.js', clock.now())
    await settle()
    expect(w.result()).toEqual({ kind: 'changed', file: 'src/b.js', at: t0 + 700 })
  })

  it('calls a copy stale when a file changed after it was taken, before the wait began', async () => {
    const { clock, changes, wait, t0 } = setup()
    changes.note('src/a.js', t0 + 100)
    clock.advance(QUIET_MS * 2)
    // The task took its copy at t0; the change at t0 + 100 is not in it, quiet or not
    const w = wait({ since: t0 })
    await w.done
    expect(w.result()).toEqual({ kind: 'changed', file: 'src/a.js', at: t0 + 100 })
  })

  it('is called off by pause or stop while it waits, but does not hold a task that is quiet', async () => {
    const { clock, changes, wait, intake, t0 } = setup()
    changes.note('src/a.js', t0)
    clock.advance(100)
    const w = wait()
    await settle()
    intake.abort(new Error('Paused by the user'))
    await settle()
    expect(w.result()).toEqual({ kind: 'held' })
    clock.advance(QUIET_MS)
    const quiet = wait()
    await quiet.done
    expect(quiet.result()).toEqual({ kind: 'quiet', waitedMs: 0 })
  })

  it("ends when the task's own signal is aborted", async () => {
    const { clock, changes, wait, task, t0 } = setup()
    changes.note('src/a.js', t0)
    const w = wait()
    task.abort(new Error('cancelled'))
    await settle()
    expect(w.result()).toEqual({ kind: 'aborted' })
    clock.advance(QUIET_MS)
    await settle()
    expect(w.result()).toEqual({ kind: 'aborted' })
  })
})
