import { describe, expect, it } from 'vitest'
import {
  ClaudeAbortError,
  ClaudeConnectionError,
  ClaudeMalformedResponseError,
  ClaudeOverloadedError,
  ClaudeRateLimitError,
  ClaudeServerError,
  ClaudeTimeoutError,
  isOutage,
  outageRetryAfterMs,
} from '../../../src/main/core/claude/errors'
import {
  dropConnection,
  hang,
  htmlPage,
  notAMessage,
  overloaded,
  rateLimited,
  say,
  serverError,
  truncatedJson,
} from '../../support/fake-anthropic'
import { clientFor, failure, hello, useFakeApi } from './harness'

const fake = useFakeApi()

describe('the retry layer', () => {
  it('retries a 429 after the retry-after the server asked for, with jitter on top', async () => {
    fake.api.enqueue(rateLimited(2), say('ok'))
    const { client, delays, retries } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(fake.api.messageRequests()).toHaveLength(2)
    expect(delays).toHaveLength(1)
    expect(delays[0]).toBeGreaterThanOrEqual(2000)
    expect(delays[0]).toBeLessThanOrEqual(2000 + 1000)
    expect(retries[0]?.error).toBeInstanceOf(ClaudeRateLimitError)
    expect(retries[0]?.error.retryAfterMs).toBe(2000)
  })

  it('gives up at once when retry-after is longer than it will wait, reporting the wait', async () => {
    fake.api.enqueue(rateLimited(600))
    const { client } = clientFor(fake.api, { maxRetryAfterMs: 60_000 })

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeRateLimitError)
    expect(error.retryAfterMs).toBe(600_000)
    expect(outageRetryAfterMs(error)).toBe(600_000)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })

  it('stops after maxAttempts rate limits and says how many attempts it made', async () => {
    fake.api.enqueue(rateLimited(), rateLimited(), rateLimited())
    const { client, delays } = clientFor(fake.api, { maxAttempts: 3 })

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeRateLimitError)
    expect(error.retryable).toBe(true)
    expect(error.attempts).toBe(3)
    expect(error.message).toContain('after 3 attempts')
    expect(fake.api.messageRequests()).toHaveLength(3)
    // Without retry-after: full jitter on 1 s, 2 s (random() = 0.5).
    expect(delays).toEqual([500, 1000])
  })

  it('retries a 529 overloaded answer, honouring its retry-after', async () => {
    fake.api.enqueue(overloaded(1), say('ok'))
    const { client, delays, retries } = clientFor(fake.api)

    await client.createMessage(hello)

    expect(retries[0]?.error).toBeInstanceOf(ClaudeOverloadedError)
    expect(delays[0]).toBeGreaterThanOrEqual(1000)
    expect(fake.api.messageRequests()).toHaveLength(2)
  })

  it('ends 529s past maxAttempts with an outage that carries the server’s retry-after', async () => {
    fake.api.enqueue(overloaded(7), overloaded(7), overloaded(7))
    const { client } = clientFor(fake.api, { maxAttempts: 3 })

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeOverloadedError)
    expect(error.attempts).toBe(3)
    expect(isOutage(error)).toBe(true)
    expect(outageRetryAfterMs(error)).toBe(7000)
    expect(error.message).toMatch(
      /^The Anthropic API at 127\.0\.0\.1:\d+ is overloaded \(HTTP 529\)/,
    )
  })

  it('retries a 500 and succeeds on the next attempt', async () => {
    fake.api.enqueue(serverError(500), say('ok'))
    const { client, retries } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(retries.map((r) => r.error.constructor)).toEqual([ClaudeServerError])
  })

  it('treats truncated JSON as a malformed reply and retries it', async () => {
    fake.api.enqueue(truncatedJson(), say('ok'))
    const { client, retries } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(retries[0]?.error).toBeInstanceOf(ClaudeMalformedResponseError)
  })

  it.each([
    ['an HTML page', htmlPage],
    ['JSON that is not a message', notAMessage],
  ])('fails with a malformed-reply error for %s', async (_, reply) => {
    fake.api.enqueue(reply(), reply())
    const { client } = clientFor(fake.api, { maxAttempts: 2 })

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeMalformedResponseError)
    expect(isOutage(error)).toBe(true)
    expect(fake.api.messageRequests()).toHaveLength(2)
  })

  it('times out a request that never answers, retries it, then reports the timeout', async () => {
    fake.api.enqueue(hang(), hang())
    const { client } = clientFor(fake.api, { maxAttempts: 2, timeoutMs: 150 })

    const started = Date.now()
    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeTimeoutError)
    expect(error.message).toContain('150 ms')
    expect(fake.api.messageRequests()).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('retries a dropped connection', async () => {
    fake.api.enqueue(dropConnection(), say('ok'))
    const { client, retries } = clientFor(fake.api)

    await client.createMessage(hello)

    expect(retries[0]?.error).toBeInstanceOf(ClaudeConnectionError)
  })

  it('honours an abort during the backoff wait', async () => {
    fake.api.enqueue(rateLimited(30), say('never'))
    // The real clock: the 30 s wait must be cut short by the abort, not by time.
    const { client } = clientFor(fake.api, { clock: undefined })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)

    const started = Date.now()
    const error = await failure(client.createMessage(hello, { signal: controller.signal }))

    expect(error).toBeInstanceOf(ClaudeAbortError)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })
})
