/**
 * SIGTERM while the only thing left to wait for is a retry sleep (an unref'd timer) must still shut
 * down properly: the task aborted and back to pending, `stopped` printed, the lock released.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { overloaded, startFakeAnthropic } from '../support/fake-anthropic'
import type { FakeAnthropic } from '../support/fake-anthropic'
import { ensureCliBuilt, startCli } from '../support/cli-process'
import type { RunningCli } from '../support/cli-process'
import { BROKEN_MATH, createSampleProject } from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

let project: SampleProject
let fake: FakeAnthropic
let cli: RunningCli | null = null

beforeAll(() => ensureCliBuilt())
beforeEach(async () => {
  project = createSampleProject('fixloop-shutdown-')
  project.write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 2, maxWaitSeconds: 1 }),
  )
  fake = await startFakeAnthropic()
})
afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL')
  await cli?.exited
  cli = null
  await fake.close()
  project.remove()
})

it('SIGTERM during a retry wait aborts the task, puts it back to pending and releases the lock', async () => {
  // 529 with retry-after 20 s: the client sleeps (unref'd) before trying again.
  fake.respondWith(() => overloaded(20))
  cli = startCli(['watch', project.root, '--json', '--shutdown-timeout', '1'], {
    ANTHROPIC_API_KEY: 'sk-ant-api03-shutdown-test-0123456789',
    ANTHROPIC_BASE_URL: fake.baseURL,
    FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
  })
  await cli.waitFor((e) => e.type === 'ready')
  project.write('src/math.js', BROKEN_MATH)
  await cli.waitFor((e) => e.type === 'task_updated' && e.phase === 'fix', 30_000)
  // The first 529 has come back by now, and the client sleeps its 20 s.
  await expect.poll(() => fake.messageRequests().length, { timeout: 10_000 }).toBeGreaterThan(0)
  await new Promise((r) => setTimeout(r, 300))
  const started = Date.now()
  cli.child.kill('SIGTERM')
  const exit = await cli.exited
  expect(exit.code).toBe(0)
  // It waited for the shutdown timeout (1 s) and the abort, instead of vanishing at once.
  expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  expect(cli.events.some((e) => e.type === 'stopped')).toBe(true)
  const state = JSON.parse(readFileSync(join(project.root, '.fixloop/state.json'), 'utf8')) as {
    queues: { pending: unknown[]; in_progress: unknown[] }
    processes: { orchestrator: { status: string } }
  }
  expect(state.queues.in_progress).toHaveLength(0)
  expect(state.queues.pending).toHaveLength(1)
  expect(state.processes.orchestrator.status).toBe('stopped')
  expect(existsSync(join(project.root, '.fixloop/state.json.lock'))).toBe(false)
  expect(project.read('src/math.js')).toBe(BROKEN_MATH)
}, 60_000)
