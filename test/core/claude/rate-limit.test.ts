import { describe, expect, it } from 'vitest'
import { createRateLimitTracker, readRateLimit } from '../../../src/main/core/claude/rate-limit'
import { DEFAULT_RATE_LIMIT, rateLimited, say, withRateLimit } from '../../support/fake-anthropic'
import { rateLimitHeaders } from '../../support/fake-anthropic/rate-limit'
import { clientFor, failure, hello, useFakeApi } from './harness'

const fake = useFakeApi()

describe('client.rateLimit', () => {
  it('is null until a response carried rate-limit headers', async () => {
    const { client } = clientFor(fake.api)

    expect(client.rateLimit()).toBeNull()
    expect(client.paceDelayMs(1000)).toBe(0)
  })

  it('reads every Messages response’s anthropic-ratelimit-* headers', async () => {
    fake.api.enqueue(say('ok'))
    const { client } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    const snapshot = client.rateLimit()
    expect(snapshot).toMatchObject({
      requestsRemaining: DEFAULT_RATE_LIMIT.requestsRemaining,
      inputTokensRemaining: DEFAULT_RATE_LIMIT.inputTokensRemaining,
      outputTokensRemaining: DEFAULT_RATE_LIMIT.outputTokensRemaining,
      // The combined bucket names the tighter of the two.
      tokensRemaining: DEFAULT_RATE_LIMIT.outputTokensRemaining,
    })
    expect(snapshot?.resetAt).toBeGreaterThan(Date.now())
    expect(reply.rateLimit).toEqual(snapshot)
    expect(client.paceDelayMs(10_000)).toBe(0)
  })

  it('asks to wait for the reset when the input bucket is exhausted', async () => {
    fake.api.enqueue(
      withRateLimit(say('ok'), { inputTokensRemaining: 0, inputTokensReset: 20_000 }),
    )
    const { client } = clientFor(fake.api)

    await client.createMessage(hello)

    // The client's clock stood still from before the request; the fake's reset is from its answer.
    const wait = client.paceDelayMs(5000)
    expect(wait).toBeGreaterThan(15_000)
    expect(wait).toBeLessThanOrEqual(21_000)
    expect(client.rateLimit()?.inputTokensRemaining).toBe(0)
  })

  it('asks to wait when no request is left in the window', async () => {
    fake.api.enqueue(withRateLimit(say('ok'), { requestsRemaining: 0, requestsReset: 20_000 }))
    const { client } = clientFor(fake.api)

    await client.createMessage(hello)

    expect(client.paceDelayMs(1)).toBeGreaterThan(15_000)
  })

  it('takes the headers of an error too', async () => {
    fake.api.enqueue(rateLimited(600))
    const { client } = clientFor(fake.api)

    await failure(client.createMessage(hello))

    expect(client.rateLimit()?.inputTokensRemaining).toBe(0)
    expect(client.paceDelayMs(100)).toBeGreaterThan(500_000)
  })

  it('keeps the last snapshot when a gateway strips the headers', async () => {
    fake.api.enqueue(say('a'), say('b'))
    const { client } = clientFor(fake.api)
    await client.createMessage(hello)
    const first = client.rateLimit()

    fake.api.setRateLimit(false)
    await client.createMessage(hello)

    expect(client.rateLimit()).toEqual(first)
  })
})

describe('the rate-limit tracker', () => {
  const now = Date.parse('2026-11-24T10:00:00Z')
  const headers = (limits: Parameters<typeof rateLimitHeaders>[0]) =>
    new Headers(rateLimitHeaders(limits, now))

  it('debits requests sent since the last response, so parallel tasks do not all go at once', () => {
    const tracker = createRateLimitTracker({ now: () => now })
    tracker.observe(headers({ inputTokensRemaining: 10_000, inputTokensReset: 30_000 }))

    expect(tracker.paceDelayMs(6000)).toBe(0)
    tracker.sent(6000)
    expect(tracker.paceDelayMs(6000)).toBe(30_000)
  })

  it('ignores resets in the past and headers it cannot read', () => {
    const past = headers({ inputTokensRemaining: 0, inputTokensReset: -1000 })
    const tracker = createRateLimitTracker({ now: () => now })
    tracker.observe(past)

    expect(tracker.paceDelayMs(1000)).toBe(0)
    expect(readRateLimit(new Headers({ 'content-type': 'text/plain' }), now)).toBeNull()
  })
})
