/**
 * A burst of saves is one task: 100 writes/s from another process for 4 s gives one task (or the one
 * running and one follow-up), not one per batch; a single save still runs at once.
 */
import { spawn } from 'node:child_process'
import { expect, it } from 'vitest'
import { Churn, burstTimes } from '../../../src/main/core/engine/churn'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import type { Task } from '../../../src/shared/domain'
import { useEngineHarness } from '../../support/engine-harness'
import { finished } from '../../support/engine-events'
import { ManualClock } from '../../support/manual-clock'
import { BROKEN_MATH, GOOD_MATH } from '../../support/sample-project'

const h = useEngineHarness()

function engine(settings: Record<string, unknown>) {
  h.project.write('fixloop.config.json', JSON.stringify({ flakyReruns: 0, ...settings }))
  h.engine = new Orchestrator({ config: loadConfig({ dir: h.project.root, env: {} }) })
  return h.engine
}

/** Another process rewrites `path` every 10 ms for `ms`, alternating two contents, ending on `last`. */
function churn(path: string, ms: number, last: string): Promise<void> {
  const code = `const fs = require('fs'); const t0 = Date.now(); let i = 0
    const f = () => {
      if (Date.now() - t0 > ${ms}) { fs.writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(last)}); return }
      fs.writeFileSync(${JSON.stringify(path)}, (i++ % 2 ? ${JSON.stringify(BROKEN_MATH)} : ${JSON.stringify(GOOD_MATH)}) + '// ' + i + '\\n')
      setTimeout(f, 10)
    }
    f()`
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' })
  return new Promise((resolve) => child.on('exit', () => resolve()))
}

for (const [name, settings] of [
  ['a short debounce', { debounceSeconds: 0.5, maxWaitSeconds: 1 }],
  ['no debounce at all', { debounceSeconds: 0, maxWaitSeconds: 1 }],
] as const) {
  it(`100 saves a second for 4 s is one task, or one and a follow-up (${name})`, async () => {
    const e = engine(settings)
    const created: Task[] = []
    e.on('task_created', (t) => created.push(t))
    await e.start()
    await churn(`${h.project.root}/src/math.js`, 4000, `${GOOD_MATH}// final\n`)
    // The burst is over once the hold after the last batch has passed and the last task ended.
    await expect
      .poll(() => e.snapshot().queues.pending.length + e.snapshot().queues.in_progress.length, {
        timeout: 20_000,
        interval: 200,
      })
      .toBe(0)
    await new Promise((r) => setTimeout(r, 500))
    expect(created.length).toBeGreaterThanOrEqual(1)
    expect(created.length).toBeLessThanOrEqual(2)
    expect(e.snapshot().stats.processed).toBe(created.length)
  }, 40_000)
}

it('a single save runs at once, without waiting for a burst to end', async () => {
  const e = engine({ debounceSeconds: 0.1 })
  await e.start()
  const t0 = Date.now()
  const done = finished(e)
  h.project.write('src/math.js', `${GOOD_MATH}// one save\n`)
  expect((await done).outcome).toBe('no_fix_needed')
  expect(Date.now() - t0).toBeLessThan(1800)
})

it('holds a task only while its file is in a burst, and wakes the queue when the burst ends', () => {
  const clock = new ManualClock()
  let woken = 0
  const churn = new Churn(clock, () => woken++)
  const times = { holdMs: 2000, maxWaitMs: 10_000 }
  const task = { files: ['src/a.js'] } as Task
  churn.noteBatch(['src/a.js'], 'quiet', times)
  expect(churn.heldFiles([task])).toEqual([])
  clock.advance(1000)
  churn.noteBatch(['src/a.js'], 'quiet', times)
  expect(churn.heldFiles([task])).toEqual(['src/a.js'])
  clock.advance(2000)
  expect(woken).toBe(1)
  expect(churn.heldFiles([task])).toEqual([])
  // A window held open to its longest wait means the saves have not stopped: hold past the next one.
  clock.advance(60_000)
  churn.noteBatch(['src/a.js'], 'max-wait', times)
  clock.advance(11_000)
  expect(churn.heldFiles([task])).toEqual(['src/a.js'])
  clock.advance(1000)
  expect(churn.heldFiles([task])).toEqual([])
})

it('follows the check window, not the fix debounce: saves seconds apart are no burst', () => {
  const times = burstTimes({ checkDebounceSeconds: 0.3, debounceSeconds: 2, maxWaitSeconds: 10 })
  expect(times).toEqual({ holdMs: 1000, maxWaitMs: 10_000 })
  // The check window is capped by the fix debounce, and a long one holds for twice its length
  expect(burstTimes({ checkDebounceSeconds: 5, debounceSeconds: 0, maxWaitSeconds: 1 })).toEqual({
    holdMs: 1000,
    maxWaitMs: 1000,
  })
  expect(burstTimes({ checkDebounceSeconds: 3, debounceSeconds: 4, maxWaitSeconds: 1 })).toEqual({
    holdMs: 6000,
    maxWaitMs: 3000,
  })
  const clock = new ManualClock()
  const churn = new Churn(clock, () => undefined)
  const task = { files: ['src/a.js'] } as Task
  churn.noteBatch(['src/a.js'], 'quiet', times)
  clock.advance(1500)
  // A second save 1.5 s after the first is checked at once (the gate waits out the fix debounce)
  churn.noteBatch(['src/a.js'], 'quiet', times)
  expect(churn.heldFiles([task])).toEqual([])
  clock.advance(400)
  churn.noteBatch(['src/a.js'], 'quiet', times)
  expect(churn.heldFiles([task])).toEqual(['src/a.js'])
  churn.dispose()
})
