import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { backoffDelay } from '../../../src/main/core/engine/pipeline/backoff'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { finished, next } from '../../support/engine-events'
import {
  callTools,
  say,
  serverError,
  startFakeAnthropic,
  toolUse,
  unauthorized,
} from '../../support/fake-anthropic'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import { instantClock } from '../../support/fake-anthropic/instant-clock'
import { ManualClock } from '../../support/manual-clock'
import type { FakeAnthropic } from '../../support/fake-anthropic'
import { startFakeGithub } from '../../support/fake-github'
import type { FakeGithub } from '../../support/fake-github'
import { startWebhookReceiver } from '../../support/webhook-receiver'
import type { WebhookReceiver } from '../../support/webhook-receiver'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createSampleProject,
  editReply,
  isPlanRequest,
  planReply,
} from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'

const API_KEY = 'sk-ant-api03-test-key-0123456789'

let project: SampleProject
let fake: FakeAnthropic
let engine: Orchestrator | null = null

beforeEach(async () => {
  project = createSampleProject()
  fake = await startFakeAnthropic()
})

afterEach(async () => {
  await engine?.stop()
  engine = null
  await fake.close()
  project.remove()
})

function makeEngine(extraEnv: Record<string, string> = {}, settings: Record<string, unknown> = {}) {
  project.write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 2, maxWaitSeconds: 1, ...settings }),
  )
  const config = loadConfig({
    dir: project.root,
    env: {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: fake.baseURL,
      FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
      ...extraEnv,
    },
  })
  engine = new Orchestrator({ config, random: () => 0 })
  return engine
}

const plan = planReply
const edit = (oldStr: string, newStr: string) => editReply(oldStr, newStr)

describe('Orchestrator', () => {
  it('fixes a broken change for real: detect → plan → edit → verify → completed', async () => {
    const e = makeEngine()
    await e.start()
    fake.enqueue(plan(), edit('a - b', 'a + b'), say('Fixed: add() adds again.'))
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.status).toBe('completed')
    expect(task.outcome).toBe('fixed')
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
    expect(task.plan?.rootCause).toMatch(/subtracts/)
    expect(task.diff).toContain('+  return a + b')
    expect(task.attempts).toHaveLength(1)
    expect(task.attempts[0]?.checks.every((c) => c.passed)).toBe(true)
    expect(task.usage.requests).toBe(3)
    expect(task.detection.some((c) => !c.passed)).toBe(true)
    // The fixer's own write never becomes a task.
    const extra = next(e, 'task_created', () => true, 1500).then(
      () => 'created',
      () => 'none',
    )
    expect(await extra).toBe('none')
    expect(e.snapshot().stats.succeeded).toBe(1)
  })

  it('makes no API call when the change leaves the checks green', async () => {
    const e = makeEngine()
    await e.start()
    const done = finished(e)
    project.write('src/math.js', `${GOOD_MATH}// a comment\n`)
    const task = await done
    expect(task.outcome).toBe('no_fix_needed')
    expect(fake.messageRequests()).toHaveLength(0)
    expect(e.snapshot().stats.noFixNeeded).toBe(1)
  })

  it('detects but never calls Claude when auto-fix is off', async () => {
    const e = makeEngine({ AUTO_FIX_ENABLED: 'false' })
    await e.start()
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('detected')
    expect(fake.messageRequests()).toHaveLength(0)
    expect(project.read('src/math.js')).toBe(BROKEN_MATH)
  })

  describe('an unfixable bug', () => {
    let github: FakeGithub
    let hooks: WebhookReceiver

    beforeEach(async () => {
      github = await startFakeGithub()
      hooks = await startWebhookReceiver()
    })
    afterEach(async () => {
      await github.close()
      await hooks.close()
    })

    it('is rolled back byte for byte, fails, and escalates once per fingerprint', async () => {
      const e = new Orchestrator({
        config: {
          ...loadConfig({
            dir: project.root,
            env: {
              ANTHROPIC_API_KEY: API_KEY,
              ANTHROPIC_BASE_URL: fake.baseURL,
              FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
              GITHUB_TOKEN: github.token,
              GITHUB_REPO: github.repo,
              SLACK_WEBHOOK_URL: hooks.url('/slack/T000/B000/XXXX'),
              EMAIL_WEBHOOK_URL: hooks.url('/email'),
              MAX_RETRIES: '2',
            },
          }),
        },
        githubBaseUrl: github.baseUrl,
        random: () => 0,
      })
      engine = e
      await e.updateSettings({
        flakyReruns: 0,
        escalation: { ...e.settings.escalation, rateLimitMinutes: 0 },
      })
      await e.start()
      // Each attempt "fixes" it wrongly; verification stays red.
      fake.respondWith((req) => {
        const body = req.body as { tools?: { name: string }[]; messages: unknown[] }
        if (isPlanRequest(body)) return plan()
        return body.messages.length === 1 ? edit('a - b', 'a * b') : say('Done.')
      })
      let done = finished(e)
      project.write('src/math.js', BROKEN_MATH)
      const broken = project.treeHash()
      let task = await done
      expect(task.status).toBe('failed')
      expect(task.outcome).toBe('failed')
      expect(task.failureReason).toMatch(/All 2 attempts failed/)
      expect(task.attempts).toHaveLength(2)
      expect(project.treeHash()).toBe(broken)
      await expect.poll(() => github.issues.length).toBe(1)
      await hooks.waitForRequests(2)
      const slack = hooks.requests.find((r) => r.path.startsWith('/slack'))
      const email = hooks.requests.find((r) => r.path === '/email')
      expect(JSON.parse(slack!.body)).toMatchObject({
        text: expect.any(String),
        username: expect.any(String),
      })
      expect(JSON.parse(email!.body)).toMatchObject({
        subject: expect.any(String),
        body: expect.any(String),
      })
      for (const r of hooks.requests) expect(r.body).not.toContain(API_KEY)
      await expect.poll(() => e.getTask(task.id)?.escalations.length ?? 0).toBeGreaterThan(0)

      // The same failure again: a comment on the open issue, not a twin.
      done = finished(e)
      project.write('src/math.js', `${BROKEN_MATH}\n`)
      task = await done
      expect(task.status).toBe('failed')
      await expect.poll(() => github.issues[0]?.comments.length ?? 0).toBe(1)
      expect(github.issues).toHaveLength(1)
    }, 60_000)
  })

  it('opens the circuit breaker for a source file whose related test keeps failing', async () => {
    const e = makeEngine({ CIRCUIT_BREAKER_THRESHOLD: '2', MAX_RETRIES: '1' })
    await e.start()
    fake.respondWith((req) => {
      const body = req.body as { tools?: { name: string }[]; messages: unknown[] }
      if (isPlanRequest(body)) return plan()
      return say('I cannot fix this.')
    })
    for (let i = 0; i < 2; i++) {
      const done = finished(e)
      project.write('src/math.js', `${BROKEN_MATH}${'\n'.repeat(i)}`)
      expect((await done).status).toBe('failed')
    }
    const before = fake.messageRequests().length
    const done = finished(e)
    project.write('src/math.js', `${BROKEN_MATH}\n\n\n`)
    const blocked = await done
    expect(blocked.failureReason).toMatch(/circuit breaker open for src\/math\.js/)
    expect(fake.messageRequests().length).toBe(before)
    expect(e.snapshot().breakers.find((b) => b.file === 'src/math.js')?.state).toBe('open')
    await e.resetBreaker('src/math.js')
    expect(e.snapshot().breakers.find((b) => b.file === 'src/math.js')?.state ?? 'closed').toBe(
      'closed',
    )
  }, 60_000)

  describe('when the API fails', () => {
    function engineWithInstantRetries() {
      makeEngine() // writes the project's fixloop.config.json
      const { clock } = instantClock()
      // The client's backoff waits are recorded, not slept: the retries still hit the real server.
      const client = createClaudeClient({
        apiKey: API_KEY,
        baseURL: fake.baseURL,
        clock,
        random: () => 0,
      })
      engine = new Orchestrator({
        config: loadConfig({
          dir: project.root,
          env: {
            ANTHROPIC_API_KEY: API_KEY,
            ANTHROPIC_BASE_URL: fake.baseURL,
            FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
            MAX_RETRIES: '1',
          },
        }),
        claudeClient: client,
        random: () => 0,
      })
      return engine
    }

    it('API down (500s) past the retries: the task goes back to pending, uncounted, with one notice', async () => {
      const e = engineWithInstantRetries()
      fake.respondWith(() => serverError(500))
      await e.start()
      const notice = next(e, 'notice', (n) => n.title === 'Claude API unavailable')
      const deferred = next(
        e,
        'task_updated',
        (t) => t.status === 'pending' && t.startedAt === null && t.detection.length > 0,
      )
      project.write('src/math.js', BROKEN_MATH)
      const task = await deferred
      expect((await notice).body).toMatch(/unavailable since .* UTC/i)
      expect(task.attempts).toHaveLength(0)
      expect(task.escalations).toHaveLength(0)
      expect(project.read('src/math.js')).toBe(BROKEN_MATH)
      expect(fake.messageRequests().length).toBeGreaterThan(1)
      const snap = e.snapshot()
      expect(snap.stats.failed).toBe(0)
      expect(snap.queues.pending.map((t) => t.id)).toContain(task.id)
      expect(e.status).toBe('running')
    })

    it('a rejected key pauses auto-fix with the reason and keeps the key out of every message', async () => {
      const e = engineWithInstantRetries()
      fake.respondWith(() => unauthorized())
      await e.start()
      const paused = next(e, 'notice', (n) => n.title === 'Auto-fix paused')
      project.write('src/math.js', BROKEN_MATH)
      const notice = await paused
      expect(notice.body).toMatch(/API key was rejected/i)
      expect(e.status).toBe('paused')
      expect(e.snapshot().pausedReason).toMatch(/API key was rejected/i)
      for (const entry of e.log.entries()) expect(entry.message).not.toContain(API_KEY)
      const health = await e.checkHealth()
      expect(health.checks.find((c) => c.name === 'api_key')).toMatchObject({ ok: false })
      expect(project.read('src/math.js')).toBe(BROKEN_MATH)
    })
  })
})

describe('Orchestrator commands on finished tasks', () => {
  const fixOnce = (e: Orchestrator, from: string, to: string, path = 'src/math.js') => {
    fake.enqueue(plan(), editReply(from, to, path), say('Done.'))
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    return done
  }

  it('undo restores the files a fix changed, and the undo itself starts no task', async () => {
    const e = makeEngine()
    await e.start()
    const task = await fixOnce(e, 'a - b', 'a + b')
    expect(task.outcome).toBe('fixed')
    const created = next(e, 'task_created', () => true, 1500).then(
      () => 'created',
      () => 'none',
    )
    const undone = await e.undoTask(task.id)
    expect(undone.outcome).toBe('undone')
    expect(project.read('src/math.js')).toBe(BROKEN_MATH)
    expect(await created).toBe('none')
    await expect(e.undoTask(task.id)).rejects.toThrow(/no fix to undo/)
  })

  it('a fix that edits a test is held for review, unapplied; reject discards it', async () => {
    const e = makeEngine()
    await e.start()
    // "Fixes" the failure by changing the test's expectations instead of the code.
    const edits = [
      ['assert.equal(add(2, 3), 5)', 'assert.equal(add(2, 3), -1)'],
      ['assert.equal(double(4), 8)', 'assert.equal(double(4), 0)'],
    ].map(([from, to]) =>
      toolUse({ command: 'str_replace', path: 'test/math.test.js', old_str: from, new_str: to }),
    )
    fake.enqueue(plan(), callTools(...edits), say('Done.'))
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    expect((await done).outcome).toBe('needs_review')
    const held = e.snapshot().queues.completed.find((t) => t.outcome === 'needs_review')
    expect(held).toBeDefined()
    const full = e.getTask(held!.id)!
    expect(full.failureReason).toMatch(/held for review/i)
    expect(full.diff).toContain('-1')
    expect(project.read('test/math.test.js')).not.toContain('-1')
    await e.rejectTask(held!.id)
    expect(project.read('test/math.test.js')).not.toContain('-1')
    expect(e.getTask(held!.id)?.outcome).toBe('undone')
  })

  it('a task budget stops the task, rolls back, and pauses auto-fix saying which budget', async () => {
    const e = makeEngine({}, { budgets: { taskUsd: 0.000001 } })
    await e.start()
    fake.respondWith(() => plan())
    const paused = next(e, 'notice', (n) => n.title === 'Auto-fix paused')
    project.write('src/math.js', BROKEN_MATH)
    const notice = await paused
    expect(notice.body).toMatch(/task budget of \$0\.0+ reached/)
    expect(e.status).toBe('paused')
    expect(project.read('src/math.js')).toBe(BROKEN_MATH)
  })
})

describe('Orchestrator timers', () => {
  it('writes a heartbeat every 30 s and checks health every 5 min, on an injected clock', async () => {
    makeEngine()
    const clock = new ManualClock()
    const e = new Orchestrator({
      config: loadConfig({
        dir: project.root,
        env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.baseURL },
      }),
      clock,
    })
    engine = e
    const beats: string[] = []
    const healths: string[] = []
    e.on('heartbeat', (h) => beats.push(h.at))
    e.on('health', (h) => healths.push(h.checkedAt))
    await e.start()
    // One of each at start.
    await expect.poll(() => [beats.length, healths.length]).toEqual([1, 1])
    clock.advance(29_000)
    expect(beats).toHaveLength(1)
    clock.advance(1_000)
    await expect.poll(() => beats.length).toBe(2)
    clock.advance(4 * 60_000)
    await expect.poll(() => beats.length).toBe(10)
    expect(healths).toHaveLength(1)
    clock.advance(30_000)
    await expect.poll(() => healths.length).toBe(2)
    expect(healths[1]).toBe(new Date(clock.now()).toISOString())
    const state = JSON.parse(project.read('.fixloop/state.json')) as {
      processes: { orchestrator: { last_heartbeat: string; pid: number; status: string } }
    }
    expect(state.processes.orchestrator.last_heartbeat).toBe(beats.at(-1))
    expect(state.processes.orchestrator.pid).toBe(process.pid)
    expect(state.processes.orchestrator.status).toBe('running')
  })
})

describe('Orchestrator concurrency', () => {
  const slowTest = (name: string) => `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ${name} } from '../src/${name}.js'
test('${name} is slow but right', async () => {
  await new Promise((r) => setTimeout(r, 1200))
  assert.equal(${name}(), 1)
})
`
  async function maxInProgress(concurrency: number): Promise<number> {
    for (const name of ['one', 'two']) {
      project.write(`src/${name}.js`, `export function ${name}() {\n  return 1\n}\n`)
      project.write(`test/${name}.test.js`, slowTest(name))
    }
    const e = makeEngine({}, { concurrency })
    let max = 0
    e.on('snapshot', (s) => (max = Math.max(max, s.queues.in_progress.length)))
    await e.start()
    let left = 2
    const both = new Promise<void>((resolve) =>
      e.on('task_completed', () => {
        if (--left === 0) resolve()
      }),
    )
    project.write('src/one.js', 'export function one() {\n  return 1 // touched\n}\n')
    await next(e, 'task_created')
    project.write('src/two.js', 'export function two() {\n  return 1 // touched\n}\n')
    await both
    return max
  }

  it('runs tasks one at a time by default', async () => {
    expect(await maxInProgress(1)).toBe(1)
  })

  it('runs tasks on disjoint files side by side when concurrency allows', async () => {
    expect(await maxInProgress(2)).toBe(2)
  })
})

describe('Orchestrator own writes', () => {
  it('a rollback that deletes a file the fix created starts no task', async () => {
    const e = makeEngine({ MAX_RETRIES: '1' })
    await e.start()
    fake.enqueue(
      plan(),
      callTools(
        toolUse({ command: 'create', path: 'src/helper.js', file_text: 'export const x = 1\n' }),
      ),
      say('Added a helper.'),
    )
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.status).toBe('failed')
    expect(() => project.read('src/helper.js')).toThrow()
    const extra = next(e, 'task_created', () => true, 2000).then(
      (t) => `created for ${t.files.join(',')}`,
      () => 'none',
    )
    expect(await extra).toBe('none')
  })
})

describe('Orchestrator model check', () => {
  it('an unknown model pauses auto-fix at start, saying which models exist', async () => {
    const e = makeEngine({ CLAUDE_MODEL: 'claude-imaginary-9' })
    const paused = next(e, 'notice', (n) => n.title === 'Auto-fix paused')
    await e.start()
    const notice = await paused
    expect(notice.body).toMatch(/claude-imaginary-9/)
    expect(e.status).toBe('paused')
  })
})

describe('backoffDelay', () => {
  it('grows exponentially from 1 s with full jitter, capped at 60 s', () => {
    const top = (n: number) => backoffDelay(n, () => 0.999999)
    expect([2, 3, 4, 5, 6, 7, 8, 9].map(top)).toEqual([
      999, 1999, 3999, 7999, 15999, 31999, 59999, 59999,
    ])
    expect(backoffDelay(5, () => 0)).toBe(0)
    expect(backoffDelay(3, () => 0.5)).toBe(1000)
  })
})

describe('Orchestrator secrets', () => {
  it('redacts a secret a failing test prints before it is stored, shown or sent', async () => {
    project.write(
      'test/math.test.js',
      `import { test } from 'node:test'\nimport assert from 'node:assert/strict'\nimport { add } from '../src/math.js'\ntest('add', () => assert.equal(add(2, 3), 5, 'env says ${API_KEY}'))\n`,
    )
    const e = makeEngine({ AUTO_FIX_ENABLED: 'false' })
    await e.start()
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('detected')
    expect(JSON.stringify(task.detection)).toContain('[redacted]')
    expect(JSON.stringify(task)).not.toContain(API_KEY)
    await e.stop()
    expect(project.read('.fixloop/state.json')).not.toContain(API_KEY)
  })
})
