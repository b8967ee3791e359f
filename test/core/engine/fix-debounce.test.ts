/**
 * Fast feedback, patient fixing: the related checks run after the short check window, a red task
 * goes to Claude only once its file has been quiet for the fix debounce, and a task whose file
 * changed meanwhile never reaches Claude with its stale result. A real project, real checks, a
 * real watcher and the fake Messages API.
 */
import { expect, it } from 'vitest'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import type { Task } from '../../../src/shared/domain'
import { API_KEY, useEngineHarness } from '../../support/engine-harness'
import { finished, next } from '../../support/engine-events'
import { say } from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'
import { BROKEN_MATH, editReply, planReply } from '../../support/sample-project'

const h = useEngineHarness()

/** An engine with the default check window (0.3 s) and a fix debounce of `debounceSeconds`. */
function engine(debounceSeconds: number): Orchestrator {
  h.project.write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 2, maxWaitSeconds: 1, debounceSeconds }),
  )
  h.engine = new Orchestrator({
    config: loadConfig({
      dir: h.project.root,
      env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: h.fake.baseURL },
    }),
    claudeClient: createClaudeClient({
      apiKey: API_KEY,
      baseURL: h.fake.baseURL,
      clock: instantClock().clock,
      random: () => 0,
    }),
    random: () => 0,
  })
  return h.engine
}

const fixReplies = () => [planReply(), editReply('a - b', 'a + b'), say('Fixed: add() adds.')]

/** The task's red detection, as it reaches the gate. */
const atGate = (e: Orchestrator) => next(e, 'task_updated', (t) => t.phase === 'gate')

it('shows a red save after the check window, and asks Claude only after the fix debounce', async () => {
  const e = engine(1.5)
  await e.start()
  h.fake.enqueue(...fixReplies())
  const changed = next(e, 'change')
  const red = atGate(e)
  const done = finished(e)
  const saved = Date.now()
  h.project.write('src/math.js', BROKEN_MATH)
  await changed
  const checkedAt = Date.now()
  await red
  const redAt = Date.now()
  const task = await done
  expect(task.outcome).toBe('fixed')
  // The window closed after the check debounce (0.3 s), not after the fix debounce (1.5 s)
  expect(checkedAt - saved).toBeGreaterThanOrEqual(250)
  expect(checkedAt - saved).toBeLessThan(1200)
  const askedAt = h.fake.messageRequests()[0]?.at ?? Infinity
  expect(redAt).toBeLessThan(askedAt)
  expect(askedAt - saved).toBeGreaterThanOrEqual(1500)
})

it('never sends a red result to Claude once the file changed again; the newer change is fixed', async () => {
  const e = engine(3)
  await e.start()
  const red = atGate(e)
  h.project.write('src/math.js', BROKEN_MATH)
  const first = await red
  const firstEnd = next(e, 'task_completed', (t) => t.id === first.id)
  h.fake.enqueue(...fixReplies())
  const fixed = next(e, 'task_completed', (t) => t.id !== first.id && t.outcome === 'fixed')
  const resaved = Date.now()
  h.project.write('src/math.js', `${BROKEN_MATH}// saved again\n`)
  const stale: Task = await firstEnd
  // Ended at once, unsent and uncounted: no request, no attempt, no breaker
  expect(stale.outcome).toBe('detected')
  expect(stale.failureReason).toMatch(/src\/math\.js changed again/)
  expect(stale.attempts).toHaveLength(0)
  expect(stale.usage.requests).toBe(0)
  expect(h.fake.messageRequests()).toHaveLength(0)
  expect(e.snapshot().breakers).toEqual([])
  // The newer change was checked again and went to Claude once quiet, with the newer content
  const task = await fixed
  expect(task.files).toEqual(['src/math.js'])
  expect(h.fake.messageRequests()[0]!.at - resaved).toBeGreaterThanOrEqual(3000)
  expect(JSON.stringify(h.fake.messageBodies()[0])).toContain('// saved again')
  expect(h.project.read('src/math.js')).toContain('a + b')
}, 30_000)

it('pausing during the wait sends the task back to pending unsent; resuming fixes it', async () => {
  const e = engine(2)
  await e.start()
  const red = atGate(e)
  h.project.write('src/math.js', BROKEN_MATH)
  const waiting = await red
  const back = next(e, 'task_updated', (t) => t.id === waiting.id && t.status === 'pending')
  e.pause()
  const pending = await back
  expect(pending.attempts).toHaveLength(0)
  expect(h.fake.messageRequests()).toHaveLength(0)
  expect(e.snapshot().stats.processed).toBe(0)
  h.fake.enqueue(...fixReplies())
  const done = next(e, 'task_completed', (t) => t.id === waiting.id)
  e.resume()
  expect((await done).outcome).toBe('fixed')
  expect(h.fake.messageRequests().length).toBeGreaterThan(0)
}, 30_000)

it('stopping during the wait leaves the task pending for the next start, unsent', async () => {
  const e = engine(5)
  await e.start()
  const red = atGate(e)
  h.project.write('src/math.js', BROKEN_MATH)
  const waiting = await red
  const stopped = Date.now()
  await e.stop()
  // Not held until the debounce (5 s) is over, nor until the shutdown timeout
  expect(Date.now() - stopped).toBeLessThan(3000)
  expect(h.fake.messageRequests()).toHaveLength(0)
  const state = JSON.parse(h.project.read('.fixloop/state.json')) as {
    queues: { pending: Task[]; in_progress: Task[] }
  }
  expect(state.queues.in_progress).toEqual([])
  expect(state.queues.pending.map((t) => t.id)).toEqual([waiting.id])
}, 30_000)
