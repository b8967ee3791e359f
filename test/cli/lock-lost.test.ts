/**
 * The state lock deleted under a running `fixloop watch`: it pauses with a clear message and stays
 * alive — no uncaught exception from the lock, ever — and still stops cleanly.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { ensureCliBuilt, startCli } from '../support/cli-process'
import type { RunningCli } from '../support/cli-process'
import { createSampleProject } from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

let project: SampleProject
let cli: RunningCli | null = null

beforeAll(() => ensureCliBuilt())
beforeEach(() => {
  project = createSampleProject('fixloop-lock-lost-')
})
afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL')
  await cli?.exited
  cli = null
  project.remove()
})

it('a deleted lock pauses the engine with the reason; it stays alive and stops cleanly', async () => {
  cli = startCli(['watch', project.root, '--json'], { FILE_WATCH_DEBOUNCE_SECONDS: '0.1' })
  await cli.waitFor((e) => e.type === 'ready')
  rmSync(join(project.root, '.fixloop/state.json.lock'), { recursive: true, force: true })
  const lost = await cli.waitFor(
    (e) => e.type === 'log' && /lock/i.test(String(e.message)) && e.level === 'error',
    30_000,
  )
  expect(String(lost.message)).toMatch(/lost its lock|lock was lost|lock.*lost/i)
  // The crash came about 5 s after the loss (the next lock refresh and heartbeat): wait past it.
  await new Promise((r) => setTimeout(r, 8000))
  expect(cli.child.exitCode).toBeNull()
  expect(cli.stderr()).not.toMatch(/StateCompromisedError|Unhandled|uncaught/i)
  cli.child.kill('SIGTERM')
  const exit = await cli.exited
  expect(cli.stderr()).not.toMatch(/StateCompromisedError|Unhandled|uncaught/i)
  expect(exit.signal).toBeNull()
  expect(cli.events.some((e) => e.type === 'stopped')).toBe(true)
}, 60_000)
