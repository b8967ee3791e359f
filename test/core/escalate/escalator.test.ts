import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DesktopNotification } from '../../../src/main/core/escalate/channels/desktop'
import { createEscalator, type EscalatorOptions } from '../../../src/main/core/escalate/escalator'
import { createInMemoryEscalationMemory } from '../../../src/main/core/escalate/memory'
import type { EscalationLogEntry } from '../../../src/main/core/escalate/types'
import { DEFAULT_SETTINGS } from '../../../src/shared/settings'
import { startFakeGithub, type FakeGithub } from '../../support/fake-github'
import {
  closedPortUrl,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../support/webhook-receiver'
import { instantClock, type InstantClock } from './instant-clock'
import { failedTask } from './task-fixture'

const ANTHROPIC_KEY = 'sk-ant-api03-TESTKEYabcdefghijklmnop0123456789'

let gh: FakeGithub
let slack: WebhookReceiver
let email: WebhookReceiver
let clock: InstantClock
let logs: EscalationLogEntry[]
let notes: DesktopNotification[]

beforeEach(async () => {
  ;[gh, slack, email] = await Promise.all([
    startFakeGithub(),
    startWebhookReceiver(),
    startWebhookReceiver(),
  ])
  clock = instantClock()
  logs = []
  notes = []
})
afterEach(async () => {
  await Promise.all([gh.close(), slack.close(), email.close()])
})

const slackUrl = () => slack.url('/services/T000/B000/secretslackpath0123')
const emailUrl = () => email.url('/mail/secretmailpath4567')

function escalator(overrides: Partial<EscalatorOptions> = {}) {
  return createEscalator({
    settings: { ...DEFAULT_SETTINGS.escalation, githubRepo: gh.repo },
    secrets: {
      githubToken: gh.token,
      slackWebhookUrl: slackUrl(),
      emailWebhookUrl: emailUrl(),
      anthropicApiKey: ANTHROPIC_KEY,
    },
    githubBaseUrl: gh.baseUrl,
    desktop: { notify: async (n) => void notes.push(n) },
    log: (entry) => logs.push(entry),
    clock,
    random: () => 0.5,
    ...overrides,
  })
}

const otherTask = () =>
  failedTask({
    id: 'task_other',
    files: ['src/strings.ts'],
    failures: [
      { name: 'pads', file: 'test/strings.test.ts', message: 'TypeError: pad is not a function' },
    ],
  })

describe('escalate', () => {
  it('walks the whole ladder on a first failure: log, desktop, one issue, Slack and email', async () => {
    const task = failedTask()
    const result = await escalator().escalate(task)
    expect(result.records.map((r) => [r.channel, r.ok, r.detail])).toEqual([
      ['log', true, 'logged'],
      ['desktop', true, 'notification shown'],
      ['github', true, 'issue #1 opened'],
      ['slack', true, 'message sent'],
      ['email', true, 'email sent'],
    ])
    expect(result.skipped).toEqual([])
    for (const r of result.records) {
      expect(r).toMatchObject({
        fingerprint: result.fingerprint,
        tries: 1,
        at: '2026-03-01T10:05:00.000Z',
      })
    }
    expect(result.records[2]?.url).toBe('https://github.example/acme/widgets/issues/1')
    expect(gh.issues).toHaveLength(1)
    expect(gh.issues[0]?.body).toContain(`<!-- fixloop:fingerprint=${result.fingerprint} -->`)
    expect(notes).toEqual([expect.objectContaining({ taskId: 'task_abc123' })])
    expect(logs[0]).toMatchObject({ level: 'error', taskId: 'task_abc123' })
  })

  it("sends Slack and email the seed's payloads, linking the issue opened just before", async () => {
    await escalator().escalate(failedTask())
    const slackBody = slack.requests[0]?.json as Record<string, string>
    expect(Object.keys(slackBody).sort()).toEqual(['icon_emoji', 'text', 'username'])
    expect(slackBody.text).toContain('github.example/acme/widgets/issues/1')
    const mail = email.requests[0]?.json as Record<string, string>
    expect(Object.keys(mail).sort()).toEqual(['body', 'subject'])
    expect(mail.subject).toContain('Fixloop could not fix AssertionError')
    expect(mail.body).toContain('Issue: https://github.example/acme/widgets/issues/1')
  })

  it('comments on the open issue for a second failure of the same kind, and rate-limits the push channels', async () => {
    const e = escalator()
    const first = await e.escalate(failedTask({ id: 'task_one' }))
    clock.advance(10 * 60_000)
    const second = await e.escalate(failedTask({ id: 'task_two', attempts: 5 }))
    expect(second.fingerprint).toBe(first.fingerprint)
    expect(second.records.map((r) => [r.channel, r.detail])).toEqual([
      ['log', 'logged'],
      ['github', 'comment on #1'],
    ])
    expect(second.skipped.map((s) => [s.channel, s.reason, s.detail])).toEqual([
      ['desktop', 'rate_limited', 'sent 10 min ago for this fingerprint (limit 60 min)'],
      ['slack', 'rate_limited', 'sent 10 min ago for this fingerprint (limit 60 min)'],
      ['email', 'rate_limited', 'sent 10 min ago for this fingerprint (limit 60 min)'],
    ])
    expect(gh.issues).toHaveLength(1)
    expect(gh.issues[0]?.comments).toHaveLength(1)
    expect(gh.issues[0]?.comments[0]?.body).toContain('task_two')
    expect(slack.requests).toHaveLength(1)
    expect(email.requests).toHaveLength(1)
  })

  it('sends the push channels again once the rate-limit window has passed', async () => {
    const e = escalator()
    await e.escalate(failedTask())
    clock.advance(61 * 60_000)
    const again = await e.escalate(failedTask())
    expect(again.skipped).toEqual([])
    expect(slack.requests).toHaveLength(2)
  })

  it('opens a new issue for a different fingerprint', async () => {
    const e = escalator()
    const first = await e.escalate(failedTask())
    const other = await e.escalate(otherTask())
    expect(other.fingerprint).not.toBe(first.fingerprint)
    expect(other.records.find((r) => r.channel === 'github')?.detail).toBe('issue #2 opened')
    expect(other.skipped).toEqual([])
    expect(gh.issues).toHaveLength(2)
  })

  it('retries a failing webhook with backoff, then succeeds', async () => {
    slack.failNext(2, { status: 503 })
    const result = await escalator({
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['slack'] },
    }).escalate(failedTask())
    expect(result.records).toEqual([
      expect.objectContaining({ channel: 'slack', ok: true, tries: 3 }),
    ])
    expect(slack.requests.map((r) => r.answer)).toEqual(['failed', 'failed', 'ok'])
    expect(clock.sleeps).toEqual([750, 3000])
  })

  it('records an unreachable channel as failed and still resolves, with the rest delivered', async () => {
    const result = await escalator({
      secrets: {
        slackWebhookUrl: await closedPortUrl('/services/T1/B1/closedsecret99'),
        emailWebhookUrl: emailUrl(),
      },
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['slack', 'email'] },
    }).escalate(failedTask())
    const [slackRecord, emailRecord] = result.records
    expect(slackRecord).toMatchObject({ channel: 'slack', ok: false, tries: 3 })
    expect(slackRecord?.detail).toMatch(
      /^Could not reach the Slack webhook at 127\.0\.0\.1:\d+ \(connection refused, ECONNREFUSED\)\. \(after 3 tries\)$/,
    )
    expect(emailRecord).toMatchObject({ channel: 'email', ok: true })
    expect(
      logs.some((l) => l.level === 'warn' && l.message.startsWith('Escalation via slack failed')),
    ).toBe(true)
  })

  it('times out a hanging server and does not block past the deadline', async () => {
    email.hangNext(10)
    const started = Date.now()
    const result = await escalator({
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['email', 'slack'] },
      policy: { timeoutMs: 150 },
      clock: undefined,
      deadlineMs: 2000,
    }).escalate(failedTask())
    expect(Date.now() - started).toBeLessThan(5000)
    expect(result.records[0]).toMatchObject({ channel: 'email', ok: false })
    expect(result.records[0]?.detail).toMatch(/did not answer in time/)
    expect(result.records[1]).toMatchObject({ channel: 'slack', ok: true })
  })

  it('does not let a hanging GitHub hold Slack and email back', async () => {
    gh.hangNext(5)
    const started = Date.now()
    const result = await escalator({
      settings: {
        ...DEFAULT_SETTINGS.escalation,
        githubRepo: gh.repo,
        ladder: ['github', 'slack', 'email'],
      },
      policy: { timeoutMs: 1500, tries: 1 },
      linkWaitMs: 50,
    }).escalate(failedTask())
    expect(Date.now() - started).toBeLessThan(4000)
    expect(result.records.map((r) => [r.channel, r.ok])).toEqual([
      ['github', false],
      ['slack', true],
      ['email', true],
    ])
    expect(result.records[0]?.detail).toMatch(
      /^GitHub at 127\.0\.0\.1:\d+ did not answer in time\.$/,
    )
    // Slack went while GitHub was still pending, without a link.
    expect(slack.requests[0]!.receivedAt - started).toBeLessThan(1000)
    expect(slack.requests[0]?.body).not.toContain('issues/')
  })

  it('skips channels without their secrets as not configured, in ladder order', async () => {
    const result = await escalator({ secrets: {}, desktop: null }).escalate(failedTask())
    expect(result.records.map((r) => r.channel)).toEqual(['log'])
    expect(result.skipped).toEqual([
      { channel: 'desktop', reason: 'not_configured', detail: 'no desktop notifier in this shell' },
      { channel: 'github', reason: 'not_configured', detail: 'set GITHUB_TOKEN' },
      { channel: 'slack', reason: 'not_configured', detail: 'set SLACK_WEBHOOK_URL' },
      { channel: 'email', reason: 'not_configured', detail: 'set EMAIL_WEBHOOK_URL' },
    ])
  })

  it('follows a configured ladder and nothing else', async () => {
    const result = await escalator({
      settings: {
        ...DEFAULT_SETTINGS.escalation,
        githubRepo: gh.repo,
        ladder: ['email', 'github'],
      },
    }).escalate(failedTask())
    expect(result.records.map((r) => r.channel)).toEqual(['email', 'github'])
    expect(slack.requests).toHaveLength(0)
    expect(notes).toHaveLength(0)
  })

  it('records a rejected GitHub token precisely, without the token', async () => {
    const badToken = 'ghp_revokedtoken0123456789abcdefghijkl'
    const result = await escalator({ secrets: { githubToken: badToken } }).escalate(failedTask())
    const github = result.records.find((r) => r.channel === 'github')
    expect(github).toMatchObject({ ok: false, tries: 1 })
    expect(github?.detail).toBe(
      'GitHub rejected the token (HTTP 401: Bad credentials). Check GITHUB_TOKEN: it may be mistyped, expired or revoked.',
    )
  })

  it('redacts the secrets from every payload, record and log line', async () => {
    const leaky = failedTask({
      failures: [
        {
          name: 'posts',
          file: 'test/hook.test.ts',
          message: `Error: POST ${slackUrl()} failed with token ${gh.token} and key ${ANTHROPIC_KEY}`,
        },
      ],
      diff: `+const url = '${emailUrl()}'\n+const t = '${gh.token}'\n`,
      rootCause: `The key ${ANTHROPIC_KEY} is hard-coded`,
    })
    const result = await escalator({ clock: undefined, policy: { timeoutMs: 2000 } }).escalate(
      leaky,
    )
    expect(result.records.every((r) => r.ok)).toBe(true)
    await escalator().escalate(leaky) // the comment path too
    const sent = [
      ...gh.issues.flatMap((i) => [i.title, i.body, ...i.comments.map((c) => c.body)]),
      ...slack.requests.map((r) => r.body),
      ...email.requests.map((r) => r.body),
      ...notes.map((n) => `${n.title} ${n.body}`),
      ...logs.map((l) => l.message),
      JSON.stringify(result),
    ].join('\n')
    expect(sent).toContain('[redacted]')
    for (const secret of [
      gh.token,
      slackUrl(),
      emailUrl(),
      ANTHROPIC_KEY,
      'secretslackpath0123',
      'secretmailpath4567',
    ]) {
      expect(sent).not.toContain(secret)
    }
  })

  it('never puts a webhook secret in a failure record', async () => {
    slack.failNext(1, { status: 400, body: `invalid_payload for ${slackUrl()}` })
    const result = await escalator({
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['slack'] },
    }).escalate(failedTask())
    expect(result.records[0]).toMatchObject({ ok: false, tries: 1 })
    expect(result.records[0]?.detail).toContain('HTTP 400')
    expect(result.records[0]?.detail).not.toContain('secretslackpath0123')
  })

  it('remembers the issue across escalators through the memory store', async () => {
    const saved: Record<string, unknown>[] = []
    const memory = createInMemoryEscalationMemory({ onChange: (entries) => saved.push(entries) })
    const first = await escalator({ memory }).escalate(failedTask())
    expect(memory.get(first.fingerprint)).toMatchObject({
      githubIssue: 1,
      githubIssueUrl: 'https://github.example/acme/widgets/issues/1',
      lastAt: { log: '2026-03-01T10:05:00.000Z', slack: '2026-03-01T10:05:00.000Z' },
    })
    expect(saved).toHaveLength(1)
    // The label was removed by hand: only the memory can find the issue now.
    gh.issues[0]!.labels = []
    const restored = createInMemoryEscalationMemory({ initial: memory.entries() })
    const second = await escalator({ memory: restored }).escalate(failedTask())
    expect(second.records.find((r) => r.channel === 'github')?.detail).toBe('comment on #1')
    expect(gh.issues).toHaveLength(1)
  })

  it('opens one issue when two failures of the same kind escalate at once', async () => {
    const e = escalator()
    const [a, b] = await Promise.all([
      e.escalate(failedTask({ id: 'task_a' })),
      e.escalate(failedTask({ id: 'task_b' })),
    ])
    expect(gh.issues).toHaveLength(1)
    const details = [a, b].map((r) => r.records.find((x) => x.channel === 'github')?.detail)
    expect(details).toEqual(['issue #1 opened', 'comment on #1'])
  })

  it('records a desktop notifier that throws or never returns, and goes on', async () => {
    const throwing = await escalator({
      desktop: { notify: async () => Promise.reject(new Error('no display')) },
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['desktop', 'log'] },
    }).escalate(failedTask())
    expect(throwing.records.map((r) => [r.channel, r.ok, r.detail])).toEqual([
      ['desktop', false, 'no display'],
      ['log', true, 'logged'],
    ])
    const stuck = await escalator({
      desktop: { notify: () => new Promise(() => undefined) },
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['desktop'] },
      policy: { timeoutMs: 100 },
    }).escalate(failedTask())
    expect(stuck.records[0]).toMatchObject({
      ok: false,
      detail: 'The desktop notifier did not return in time.',
    })
  })

  it('resolves with a record when the memory store fails', async () => {
    const result = await escalator({
      memory: {
        get: () => Promise.reject(new Error('disk full')),
        set: () => {
          throw new Error('disk full')
        },
      },
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['log'] },
    }).escalate(failedTask())
    expect(result.records).toEqual([expect.objectContaining({ channel: 'log', ok: true })])
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'Escalation memory could not be read: Error: disk full',
      'Escalation memory could not be saved: Error: disk full',
    ])
  })

  it('records pending deliveries as aborted when the caller aborts', async () => {
    email.hangNext(1)
    const controller = new AbortController()
    const pending = escalator({
      settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['email'] },
    }).escalate(failedTask(), { signal: controller.signal })
    await email.waitForRequests(1)
    controller.abort()
    const result = await pending
    expect(result.records[0]).toMatchObject({ channel: 'email', ok: false })
    expect(result.records[0]?.detail).toMatch(/^Aborted before delivery/)
  })
})

describe('testChannel', () => {
  it('sends a test message to Slack, ignoring the ladder and the rate limit', async () => {
    const e = escalator({ settings: { ...DEFAULT_SETTINGS.escalation, ladder: ['log'] } })
    const record = await e.testChannel('slack')
    expect(record).toMatchObject({ channel: 'slack', ok: true, fingerprint: 'test', tries: 1 })
    expect((slack.requests[0]?.json as { text: string }).text).toContain(
      'test message from Fixloop',
    )
    expect((await e.testChannel('slack')).ok).toBe(true)
  })

  it('checks GitHub access without opening an issue', async () => {
    const record = await escalator().testChannel('github')
    expect(record).toMatchObject({
      ok: true,
      detail: 'the token can read issues of acme/widgets (no issue opened)',
    })
    expect(gh.writes()).toEqual([])
  })

  it('answers "not configured" for a channel without its secret', async () => {
    const record = await escalator({ secrets: {} }).testChannel('email')
    expect(record).toMatchObject({
      ok: false,
      tries: 0,
      detail: 'not configured: set EMAIL_WEBHOOK_URL',
    })
  })

  it('tries once only, so the answer comes fast', async () => {
    email.failNext(5, { status: 502 })
    const record = await escalator().testChannel('email')
    expect(record).toMatchObject({ ok: false, tries: 1 })
    expect(email.requests).toHaveLength(1)
  })
})

describe('channels and configure', () => {
  it('reports which channels are ready and takes new secrets', () => {
    const e = escalator({ secrets: {}, desktop: null })
    expect(
      e
        .channels()
        .filter((c) => c.configured)
        .map((c) => c.channel),
    ).toEqual(['log'])
    e.configure({ secrets: { slackWebhookUrl: slackUrl(), githubToken: gh.token } })
    expect(
      e
        .channels()
        .filter((c) => c.configured)
        .map((c) => c.channel),
    ).toEqual(['log', 'github', 'slack'])
    expect(e.redact(`x ${gh.token}`)).toBe('x [redacted]')
  })
})
