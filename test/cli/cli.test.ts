import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { hang, say, startFakeAnthropic } from '../support/fake-anthropic'
import type { FakeAnthropic } from '../support/fake-anthropic'
import { ensureCliBuilt, runCli, startCli } from '../support/cli-process'
import type { RunningCli } from '../support/cli-process'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createSampleProject,
  editReply,
  planReply,
} from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

const KEY = 'sk-ant-api03-cli-test-0123456789'
let project: SampleProject
let fake: FakeAnthropic
const running: RunningCli[] = []

beforeAll(() => ensureCliBuilt())
beforeEach(async () => {
  project = createSampleProject('fixloop-cli-')
  project.write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 2, maxWaitSeconds: 1 }),
  )
  fake = await startFakeAnthropic()
})
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL')
    await r.exited
  }
  await fake.close()
  project.remove()
})

const env = () => ({
  ANTHROPIC_API_KEY: KEY,
  ANTHROPIC_BASE_URL: fake.baseURL,
  FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
})

function watch(extra: string[] = [], moreEnv: Record<string, string> = {}): RunningCli {
  const r = startCli(['watch', project.root, '--json', ...extra], { ...env(), ...moreEnv })
  running.push(r)
  return r
}

const plan = planReply
const edit = (from: string, to: string) => editReply(from, to)

describe('fixloop (the command)', () => {
  it('prints its version and help, and refuses an unknown command with exit 2', () => {
    const v = runCli(['--version'])
    expect(v.code).toBe(0)
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    expect(runCli(['watch', '--help']).stdout).toMatch(/Usage: fixloop watch/)
    const bad = runCli(['frobnicate'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown command 'frobnicate'/)
  })

  it('rejects an invalid variable at start, naming it and what is allowed', () => {
    const r = runCli(['watch', project.root], { ...env(), MAX_RETRIES: 'many' })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/MAX_RETRIES="many" is not allowed: use a whole number from 1 to 20/)
  })

  it('check: exit 0 on green, 1 on red, with no API call', () => {
    expect(runCli(['check', project.root, 'src/math.js'], env()).code).toBe(0)
    project.write('src/math.js', BROKEN_MATH)
    const red = runCli(['check', project.root, 'src/math.js'], env())
    expect(red.code).toBe(1)
    expect(red.stdout).toMatch(/Checks fail/)
    expect(fake.messageRequests()).toHaveLength(0)
  })

  it('check: runs in a shadow copy, so what the tests write stays out of the project', () => {
    project.write(
      'test/math.test.js',
      `${project.read('test/math.test.js')}\nimport { writeFileSync } from 'node:fs'\nwriteFileSync('report.json', '{}')\n`,
    )
    const before = project.treeHash()
    const r = runCli(['check', project.root, 'src/math.js'], env())
    expect(r.code).toBe(0)
    expect(existsSync(join(project.root, 'report.json'))).toBe(false)
    expect(project.treeHash()).toBe(before)
  })

  it('watch --json: fixes a change, shows heartbeat and health in status, stops cleanly on SIGTERM', async () => {
    const w = watch()
    const ready = await w.waitFor((e) => e.type === 'ready')
    expect(ready.projectRoot).toBe(project.root)
    fake.enqueue(plan(), edit('a - b', 'a + b'), say('Fixed.'))
    project.write('src/math.js', BROKEN_MATH)
    await w.waitFor((e) => e.type === 'change')
    const done = await w.waitFor((e) => e.type === 'task_completed')
    expect(done.outcome).toBe('fixed')
    expect(typeof done.taskId).toBe('string')
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
    await w.waitFor((e) => e.type === 'health')

    const status = runCli(['status', project.root, '--json'], env())
    expect(status.code).toBe(0)
    const s = JSON.parse(status.stdout) as Record<string, unknown>
    expect(s.status).toBe('running')
    expect(s.pid).toBe(w.child.pid)
    expect(typeof s.heartbeatAgeMs).toBe('number')
    expect((s.health as { status: string }).status).toMatch(/HEALTHY|DEGRADED/)
    expect((s.queues as Record<string, number>).completed).toBe(1)
    expect(s.stats).toMatchObject({ processed: 1, succeeded: 1, failed: 0 })

    // A second watcher on the same project refuses, naming the first.
    const second = runCli(['watch', project.root], env())
    expect(second.code).toBe(3)
    expect(second.stderr).toContain(`already running on ${project.root} (pid ${w.child.pid})`)

    w.child.kill('SIGTERM')
    const stopped = await w.waitFor((e) => e.type === 'stopped')
    expect((stopped.stats as { succeeded: number }).succeeded).toBe(1)
    expect((await w.exited).code).toBe(0)
    const after = JSON.parse(runCli(['status', project.root, '--json'], env()).stdout) as {
      status: string
    }
    expect(after.status).toBe('stopped')
    expect(w.stdout()).not.toContain(KEY)
  }, 60_000)

  it('after a crash mid-task, the tree is as it was and a restart runs the task again', async () => {
    const w = watch()
    await w.waitFor((e) => e.type === 'ready')
    fake.enqueue(plan(), edit('a - b', 'a * b'), hang())
    project.write('src/math.js', BROKEN_MATH)
    // Wait until the fixer's edit is made (in the shadow copy) and Claude is asked again, then kill.
    await expect.poll(() => fake.messageRequests().length, { timeout: 20_000 }).toBe(3)
    w.child.kill('SIGKILL')
    await w.exited
    expect(project.read('src/math.js')).toBe(BROKEN_MATH)

    fake.enqueue(plan(), edit('a - b', 'a + b'), say('Fixed.'))
    const again = watch()
    const done = await again.waitFor((e) => e.type === 'task_completed', 30_000)
    expect(done.outcome).toBe('fixed')
    expect(
      again.events.some(
        (e) =>
          e.type === 'log' && /interrupted task\(s\) returned to pending/.test(String(e.message)),
      ),
    ).toBe(true)
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
    const state = JSON.parse(readFileSync(join(project.root, '.fixloop', 'state.json'), 'utf8'))
    expect(state.queues.completed).toHaveLength(1)
    expect(state.queues.pending).toHaveLength(0)
  }, 60_000)

  it('SIGTERM mid-task: aborts after the shutdown timeout, tree untouched, task kept pending', async () => {
    const w = watch(['--shutdown-timeout', '1'])
    await w.waitFor((e) => e.type === 'ready')
    fake.enqueue(plan(), edit('a - b', 'a * b'), hang())
    project.write('src/math.js', BROKEN_MATH)
    await expect.poll(() => fake.messageRequests().length, { timeout: 20_000 }).toBe(3)
    w.child.kill('SIGTERM')
    await w.waitFor((e) => e.type === 'stopped', 20_000)
    expect((await w.exited).code).toBe(0)
    expect(project.read('src/math.js')).toBe(BROKEN_MATH)
    const state = JSON.parse(readFileSync(join(project.root, '.fixloop', 'state.json'), 'utf8'))
    expect(state.queues.pending).toHaveLength(1)
    expect(state.queues.in_progress).toHaveLength(0)
    expect(state.processes.orchestrator.status).toBe('stopped')
  }, 60_000)

  it('demo: replays the whole loop offline, says it is a replay, and ends fixed', () => {
    const r = runCli(['demo'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/a replay/)
    expect(r.stdout).toMatch(/Result: fixed/)
    expect(r.stdout).toMatch(/item\.price \* item\.quantity/)
  }, 60_000)

  it('watch --dashboard serves the UI on 127.0.0.1 behind the printed token', async () => {
    const w = watch(['--dashboard'])
    const event = await w.waitFor((e) => e.type === 'dashboard')
    const url = new URL(String(event.url))
    expect(url.hostname).toBe('127.0.0.1')
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="app">')
    const noToken = await fetch(`${url.origin}/`)
    expect(noToken.status).toBeGreaterThanOrEqual(400)
    w.child.kill('SIGTERM')
    expect((await w.exited).code).toBe(0)
  }, 60_000)
})
