import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { consoleNotifier } from '../../../../src/main/core/escalate/channels/desktop'
import { emailPayload, sendEmail } from '../../../../src/main/core/escalate/channels/email'
import { sendSlack, slackPayload } from '../../../../src/main/core/escalate/channels/slack'
import { formatTestMessage } from '../../../../src/main/core/escalate/format'
import { DeliveryError } from '../../../../src/main/core/escalate/http'
import {
  closedPortUrl,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../../support/webhook-receiver'

const message = formatTestMessage('2026-03-01T10:00:00.000Z')
const signal = () => AbortSignal.timeout(5000)
let hook: WebhookReceiver

beforeEach(async () => {
  hook = await startWebhookReceiver()
})
afterEach(() => hook.close())

describe('slack', () => {
  it("posts the seed's payload {text, username, icon_emoji} as JSON", async () => {
    await sendSlack(slackPayload(message), { webhookUrl: hook.url(), signal: signal() })
    const [req] = hook.requests
    expect(req?.method).toBe('POST')
    expect(req?.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(req?.json).toEqual({
      text: message.slack,
      username: 'Fixloop',
      icon_emoji: ':rotating_light:',
    })
  })

  it('says what to do when Slack says the webhook is gone, without its URL', async () => {
    hook.failNext(1, { status: 404, body: 'no_service' })
    const url = hook.url('/services/T1/B2/supersecretpath123')
    const error = await sendSlack(slackPayload(message), {
      webhookUrl: url,
      signal: signal(),
    }).catch((e: unknown) => e as DeliveryError)
    expect(error).toBeInstanceOf(DeliveryError)
    expect(error?.message).toContain('HTTP 404 no_service')
    expect(error?.message).toContain('update SLACK_WEBHOOK_URL')
    expect(error?.message).not.toContain('supersecretpath123')
    expect(error?.retryable).toBe(false)
  })

  it('treats 429 with retry-after and 5xx as retryable', async () => {
    hook.failNext(1, { status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } })
    const limited = await sendSlack(slackPayload(message), {
      webhookUrl: hook.url(),
      signal: signal(),
    }).catch((e: unknown) => e as DeliveryError)
    expect(limited).toMatchObject({ retryable: true, status: 429, retryAfterMs: 2000 })
    hook.failNext(1, { status: 503 })
    const down = await sendSlack(slackPayload(message), {
      webhookUrl: hook.url(),
      signal: signal(),
    }).catch((e: unknown) => e as DeliveryError)
    expect(down?.message).toMatch(
      /^The Slack webhook at 127\.0\.0\.1:\d+ answered HTTP 503: internal error\.$/,
    )
    expect(down?.retryable).toBe(true)
  })

  it('rejects a URL that is not http(s) before sending', async () => {
    await expect(
      sendSlack(slackPayload(message), { webhookUrl: 'ftp://x/y', signal: signal() }),
    ).rejects.toThrow('The Slack webhook URL (SLACK_WEBHOOK_URL) must be an http(s) URL, not ftp:')
  })
})

describe('email', () => {
  it("posts the seed's payload {subject, body}", async () => {
    await sendEmail(emailPayload(message), { webhookUrl: hook.url('/mail'), signal: signal() })
    expect(hook.requests[0]?.json).toEqual({ subject: 'Fixloop test message', body: message.text })
    expect(hook.requests[0]?.path).toBe('/mail')
  })

  it('fails with a retryable error on a closed port, naming only the host', async () => {
    const url = await closedPortUrl('/mail/secret-path')
    const error = await sendEmail(emailPayload(message), {
      webhookUrl: url,
      signal: signal(),
    }).catch((e: unknown) => e as DeliveryError)
    expect(error?.message).toMatch(
      /^Could not reach the email webhook at 127\.0\.0\.1:\d+ \(connection refused, ECONNREFUSED\)\.$/,
    )
    expect(error?.retryable).toBe(true)
  })

  it('times out on a server that never answers', async () => {
    hook.hangNext(1)
    const error = await sendEmail(emailPayload(message), {
      webhookUrl: hook.url('/mail'),
      signal: AbortSignal.timeout(150),
    }).catch((e: unknown) => e as DeliveryError)
    expect(error?.message).toMatch(/did not answer in time/)
    expect(error?.retryable).toBe(true)
  })
})

describe('consoleNotifier', () => {
  it('writes the title, task and indented body', async () => {
    const out: string[] = []
    await consoleNotifier((t) => out.push(t)).notify({ title: 'T', body: 'a\nb', taskId: 'task_1' })
    expect(out.join('')).toBe('\n[fixloop] T (task_1)\n  a\n  b\n\n')
  })
})
