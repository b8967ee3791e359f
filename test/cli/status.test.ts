/**
 * `fixloop status` on a project whose Fixloop died without stopping: it says "crashed", with the
 * time of the last heartbeat, whatever that heartbeat's age and however fresh the lock still is.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAnthropic } from '../support/fake-anthropic'
import type { FakeAnthropic } from '../support/fake-anthropic'
import { ensureCliBuilt, runCli, startCli } from '../support/cli-process'
import type { RunningCli } from '../support/cli-process'
import { createSampleProject } from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

let project: SampleProject
let fake: FakeAnthropic
const running: RunningCli[] = []
const others: ChildProcess[] = []

beforeAll(() => ensureCliBuilt())
beforeEach(async () => {
  project = createSampleProject('fixloop-status-')
  fake = await startFakeAnthropic()
})
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL')
    await r.exited
  }
  for (const child of others.splice(0)) child.kill('SIGKILL')
  await fake.close()
  project.remove()
})

const env = () => ({
  ANTHROPIC_API_KEY: 'sk-ant-api03-status-test-0123',
  ANTHROPIC_BASE_URL: fake.baseURL,
})
const stateFile = () => join(project.root, '.fixloop', 'state.json')
const lockDir = () => `${stateFile()}.lock`
const ownerFile = () => `${lockDir()}-owner.json`

interface Status {
  status: string
  pid: number | null
  note: string | null
  lastHeartbeat: string | null
}

function status(): Status {
  const r = runCli(['status', project.root, '--json'], env())
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as Status
}

/** Starts `fixloop watch`, waits until it has written a heartbeat, and kills it with SIGKILL. */
async function watchThenKill(): Promise<{ pid: number; heartbeat: string }> {
  const w = startCli(['watch', project.root, '--json'], env())
  running.push(w)
  await w.waitFor((e) => e.type === 'ready')
  await w.waitFor((e) => e.type === 'heartbeat')
  const pid = w.child.pid!
  expect(status()).toMatchObject({ status: 'running', pid })
  w.child.kill('SIGKILL')
  await w.exited
  const recorded = JSON.parse(readFileSync(stateFile(), 'utf8')).processes.orchestrator
  expect(recorded.status).toBe('running')
  return { pid, heartbeat: recorded.last_heartbeat as string }
}

describe('fixloop status after a crash', () => {
  it('calls a killed process crashed at once, while its lock is still fresh, with its last heartbeat', async () => {
    const { pid, heartbeat } = await watchThenKill()
    expect(status()).toEqual(
      expect.objectContaining({
        status: 'crashed',
        pid,
        lastHeartbeat: heartbeat,
        note: `pid ${pid} is not running`,
      }),
    )
    const human = runCli(['status', project.root], env()).stdout
    expect(human).toMatch(
      new RegExp(
        `Status: crashed · pid ${pid} is not running · last heartbeat ${heartbeat.replace(/[.]/g, '\\.')} \\(`,
      ),
    )
  }, 60_000)

  it('still calls it crashed, not stopped, once its lock has gone stale', async () => {
    const { pid, heartbeat } = await watchThenKill()
    // What 10 s later looks like: the lock is gone, the owner file and the state stay.
    rmSync(lockDir(), { recursive: true, force: true })
    expect(status()).toMatchObject({ status: 'crashed', pid, lastHeartbeat: heartbeat })
  }, 60_000)

  it('calls it crashed when its pid now belongs to another process', async () => {
    await watchThenKill()
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' })
    others.push(stranger)
    await new Promise((r) => stranger.once('spawn', r))
    const pid = stranger.pid!
    // Fixloop took the lock a minute ago and died; the kernel has since given its pid to `sleep`.
    const owner = JSON.parse(readFileSync(ownerFile(), 'utf8'))
    const lockTakenAt = new Date(Date.now() - 60_000).toISOString()
    writeFileSync(ownerFile(), JSON.stringify({ ...owner, pid, startedAt: lockTakenAt }))
    const state = JSON.parse(readFileSync(stateFile(), 'utf8'))
    state.processes.orchestrator.pid = pid
    writeFileSync(stateFile(), JSON.stringify(state))
    utimesSync(lockDir(), new Date(), new Date())
    const s = status()
    expect(s).toMatchObject({ status: 'crashed', pid })
    expect(s.note).toMatch(new RegExp(`pid ${pid} is now another process`))
  }, 60_000)
})
