/**
 * An API outage is not a failed task: a 529 storm that outlasts the client's retries sends the task
 * back to pending, uncounted, holds new work, tells the user once, and the task is fixed when the
 * API returns. Ten minutes of storm, on a manual clock; the requests are real HTTP to the h.fake.
 */
import { expect, it } from 'vitest'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { ApiOutage, OUTAGE_MAX_WAIT_MS } from '../../../src/main/core/engine/api-outage'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import type { Task } from '../../../src/shared/domain'
import { finished, next } from '../../support/engine-events'
import { overloaded } from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'
import { ManualClock } from '../../support/manual-clock'
import {
  BROKEN_MATH,
  GOOD_MATH,
  editReply,
  finishReply,
  planReply,
} from '../../support/sample-project'
import { API_KEY, useEngineHarness } from '../../support/engine-harness'

const h = useEngineHarness()

it('a 10-minute 529 storm: no attempt spent, nothing escalated, one notice; fixed when the API returns', async () => {
  // No fix debounce: on the manual clock the gate would wait for the saved file to be quiet forever
  h.project.write(
    'fixloop.config.json',
    JSON.stringify({
      flakyReruns: 0,
      maxRetries: 2,
      maxWaitSeconds: 1,
      breakerThreshold: 1,
      debounceSeconds: 0,
    }),
  )
  const clock = new ManualClock()
  const stormEnds = clock.now() + 10 * 60_000
  const { clock: instant } = instantClock()
  const client = createClaudeClient({
    apiKey: API_KEY,
    baseURL: h.fake.baseURL,
    clock: instant,
    random: () => 0,
  })
  const e = new Orchestrator({
    config: loadConfig({
      dir: h.project.root,
      env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: h.fake.baseURL },
    }),
    claudeClient: client,
    clock,
    random: () => 0,
  })
  h.engine = e
  const notices: string[] = []
  e.on('notice', (n) => notices.push(n.title))
  let fixing = false
  h.fake.respondWith(() => {
    if (clock.now() < stormEnds) return overloaded()
    if (!fixing) {
      fixing = true
      h.fake.enqueue(editReply('a - b', 'a + b'), finishReply())
      return planReply()
    }
    throw new Error('unexpected request')
  })
  await e.start()

  const deferred = () =>
    next(e, 'task_updated', (t) => t.status === 'pending' && t.detection.length > 0, 20_000)
  h.project.write('src/math.js', BROKEN_MATH)
  let pending: Promise<Task> = deferred()
  await e.enqueueChange({ files: ['src/math.js'], deleted: [], kind: 'file_change' })
  let deferrals = 0
  const requestsDuringStorm: number[] = []
  while (clock.now() < stormEnds) {
    const task = await pending
    deferrals++
    expect(task.attempts).toHaveLength(0)
    expect(task.escalations).toHaveLength(0)
    requestsDuringStorm.push(h.fake.messageRequests().length)
    const outage = e.snapshot().apiOutage
    expect(outage).not.toBeNull()
    const wait = Date.parse(outage!.retryAt) - clock.now()
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(OUTAGE_MAX_WAIT_MS)
    if (clock.now() + wait >= stormEnds) {
      const done = finished(e)
      clock.advance(wait)
      const fixed = await done
      expect(fixed.outcome).toBe('fixed')
      expect(fixed.attempts).toHaveLength(1)
      expect(fixed.escalations).toHaveLength(0)
      break
    }
    pending = deferred()
    clock.advance(wait)
  }
  expect(clock.now()).toBeGreaterThanOrEqual(stormEnds)
  // Backoff 30 s, 60 s, 120 s, 240 s, 300 s: five deferrals cover ten minutes.
  expect(deferrals).toBe(5)
  expect(h.project.read('src/math.js')).toBe(GOOD_MATH)
  expect(notices.filter((t) => t === 'Claude API unavailable')).toHaveLength(1)
  expect(notices.filter((t) => t === 'Claude API available again')).toHaveLength(1)
  const snap = e.snapshot()
  expect(snap.apiOutage).toBeNull()
  expect(snap.stats.failed).toBe(0)
  expect(snap.stats.escalated).toBe(0)
  // A breaker threshold of 1 would have opened on one counted failure.
  expect(snap.breakers.filter((b) => b.state !== 'closed')).toHaveLength(0)
  expect(e.status).toBe('running')
})

it('holds until the server’s retry-after, else backs off 30 s doubling to 5 min', () => {
  const clock = new ManualClock()
  let woken = 0
  const outage = new ApiOutage(clock, () => woken++)
  expect(outage.defer('529 overloaded', null)).toBe(true)
  expect(outage.state!.until - clock.now()).toBe(30_000)
  expect(outage.holding()).toBe(true)
  clock.advance(30_000)
  expect(woken).toBe(1)
  expect(outage.holding()).toBe(false)
  expect(outage.defer('529 overloaded', null)).toBe(false)
  expect(outage.state!.until - clock.now()).toBe(60_000)
  expect(outage.defer('429', 12_000)).toBe(false)
  expect(outage.state!.until - clock.now()).toBe(12_000)
  for (let i = 0; i < 6; i++) outage.defer('529', null)
  expect(outage.state!.until - clock.now()).toBe(OUTAGE_MAX_WAIT_MS)
  const since = outage.state!.since
  clock.advance(1000)
  expect(outage.clear()).toBe(clock.now() - since)
  expect(outage.state).toBeNull()
  expect(outage.clear()).toBeNull()
})
