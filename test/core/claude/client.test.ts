import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClaudeClient, type ClaudeClientOptions } from '../../../src/main/core/claude/client'
import {
  ClaudeAbortError,
  ClaudeAuthError,
  ClaudeConnectionError,
  ClaudeError,
  ClaudeMalformedResponseError,
  ClaudeOverloadedError,
  ClaudeRateLimitError,
  ClaudeRequestError,
  ClaudeServerError,
  ClaudeSpendLimitError,
  ClaudeTimeoutError,
  pausesAutoFix,
} from '../../../src/main/core/claude/errors'
import type { RetryEvent } from '../../../src/main/core/claude/retry'
import {
  badRequest,
  dropConnection,
  forbidden,
  hang,
  htmlPage,
  notAMessage,
  overloaded,
  rateLimited,
  say,
  serverError,
  spendLimitReached,
  startFakeAnthropic,
  truncatedJson,
  unauthorized,
  type FakeAnthropic,
} from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'

const KEY = 'sk-ant-api03-SECRETSECRETSECRET-0123456789abcdef'

let api: FakeAnthropic
beforeEach(async () => {
  api = await startFakeAnthropic()
})
afterEach(async () => {
  await api.close()
})

function client(options: Partial<ClaudeClientOptions> = {}) {
  const { clock, delays } = instantClock()
  const retries: RetryEvent[] = []
  const instance = createClaudeClient({
    apiKey: KEY,
    baseURL: api.baseURL,
    clock,
    random: () => 0.5,
    maxAttempts: 3,
    onRetry: (event) => retries.push(event),
    ...options,
  })
  return { client: instance, delays, retries }
}

const hello = { max_tokens: 64, messages: [{ role: 'user' as const, content: 'hello' }] }

async function failure(promise: Promise<unknown>): Promise<ClaudeError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ClaudeError)
    return error as ClaudeError
  }
  throw new Error('expected the call to fail')
}

describe('createClaudeClient', () => {
  it('sends the key as a bearer credential to the configured base URL and prices the reply', async () => {
    api.enqueue(say('hi', { input_tokens: 1000, output_tokens: 200 }))
    const { client: claude } = client()

    const reply = await claude.createMessage(hello)

    expect(reply.message.content).toEqual([{ type: 'text', text: 'hi', citations: null }])
    expect(reply.attempts).toBe(1)
    expect(reply.requestId).toBe('req_fake_1')
    const [request] = api.messageRequests()
    expect(request?.auth).toBe('bearer')
    expect(request?.credentialHash).toMatch(/^[0-9a-f]{16}$/)
    expect(JSON.stringify(api.requests)).not.toContain(KEY)
    expect((request?.body as { model: string }).model).toBe('claude-sonnet-5-5')
    // claude-sonnet-5-5: $2 in, $10 out per million.
    expect(reply.usage).toMatchObject({ requests: 1, inputTokens: 1000, outputTokens: 200 })
    expect(reply.usage.costUsd).toBeCloseTo(0.004, 9)
    expect(reply.priceKnown).toBe(true)
  })

  it('turns the SDK retries off: one failing request is one HTTP request per attempt of ours', async () => {
    api.enqueue(serverError(), serverError(), serverError())
    const { client: claude } = client({ maxAttempts: 1 })

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeServerError)
    expect(api.messageRequests()).toHaveLength(1)
  })

  it('retries a 429 after the retry-after the server asked for, with jitter on top', async () => {
    api.enqueue(rateLimited(2), say('ok'))
    const { client: claude, delays, retries } = client()

    const reply = await claude.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(api.messageRequests()).toHaveLength(2)
    expect(delays).toHaveLength(1)
    expect(delays[0]).toBeGreaterThanOrEqual(2000)
    expect(delays[0]).toBeLessThanOrEqual(2000 + 1000)
    expect(retries[0]?.error).toBeInstanceOf(ClaudeRateLimitError)
    expect(retries[0]?.error.retryAfterMs).toBe(2000)
  })

  it('gives up at once when retry-after is longer than it will wait, reporting the wait', async () => {
    api.enqueue(rateLimited(600))
    const { client: claude } = client({ maxRetryAfterMs: 60_000 })

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeRateLimitError)
    expect(error.retryAfterMs).toBe(600_000)
    expect(api.messageRequests()).toHaveLength(1)
  })

  it('stops after maxAttempts rate limits and says how many attempts it made', async () => {
    api.enqueue(rateLimited(), rateLimited(), rateLimited())
    const { client: claude, delays } = client({ maxAttempts: 3 })

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeRateLimitError)
    expect(error.retryable).toBe(true)
    expect(error.attempts).toBe(3)
    expect(error.message).toContain('after 3 attempts')
    expect(api.messageRequests()).toHaveLength(3)
    // Without retry-after: full jitter on 1 s, 2 s (random() = 0.5).
    expect(delays).toEqual([500, 1000])
  })

  it('retries a 529 overloaded answer, honouring its retry-after', async () => {
    api.enqueue(overloaded(1), say('ok'))
    const { client: claude, delays, retries } = client()

    await claude.createMessage(hello)

    expect(retries[0]?.error).toBeInstanceOf(ClaudeOverloadedError)
    expect(delays[0]).toBeGreaterThanOrEqual(1000)
    expect(api.messageRequests()).toHaveLength(2)
  })

  it('retries a 500 and succeeds on the next attempt', async () => {
    api.enqueue(serverError(500), say('ok'))
    const { client: claude, retries } = client()

    const reply = await claude.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(retries.map((r) => r.error.constructor)).toEqual([ClaudeServerError])
  })

  it.each([
    ['401', unauthorized],
    ['403', forbidden],
  ])('stops on %s with "the API key was rejected" and does not retry', async (_, reply) => {
    api.enqueue(reply(), say('never'))
    const { client: claude } = client()

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeAuthError)
    expect(error.message).toMatch(/the API key was rejected/i)
    expect(error.retryable).toBe(false)
    expect(pausesAutoFix(error)).toBe(true)
    expect(api.messageRequests()).toHaveLength(1)
  })

  it('stops on a spend-limit 429 (enforced_spend_limit_reached) without retrying', async () => {
    api.enqueue(spendLimitReached(), say('never'))
    const { client: claude } = client()

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeSpendLimitError)
    expect(error.errorCode).toBe('enforced_spend_limit_reached')
    expect(error.retryable).toBe(false)
    expect(pausesAutoFix(error)).toBe(true)
    expect(error.message).toMatch(/spend limit/i)
    expect(api.messageRequests()).toHaveLength(1)
  })

  it('recognises a spend limit named only in the message, as older gateways send it', async () => {
    api.enqueue({
      kind: 'error',
      status: 429,
      type: 'rate_limit_error',
      message: 'enforced_spend_limit_reached: monthly usage limit reached',
    })
    const { client: claude } = client()

    expect(await failure(claude.createMessage(hello))).toBeInstanceOf(ClaudeSpendLimitError)
    expect(api.messageRequests()).toHaveLength(1)
  })

  it('does not retry a 400: the same request gets the same answer', async () => {
    api.enqueue(badRequest('messages: field required'))
    const { client: claude } = client()

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeRequestError)
    expect(error.message).toContain('messages: field required')
    expect(api.messageRequests()).toHaveLength(1)
  })

  it('treats truncated JSON as a malformed reply and retries it', async () => {
    api.enqueue(truncatedJson(), say('ok'))
    const { client: claude, retries } = client()

    const reply = await claude.createMessage(hello)

    expect(reply.attempts).toBe(2)
    expect(retries[0]?.error).toBeInstanceOf(ClaudeMalformedResponseError)
  })

  it.each([
    ['an HTML page', htmlPage],
    ['JSON that is not a message', notAMessage],
  ])('fails with a malformed-reply error for %s', async (_, reply) => {
    api.enqueue(reply(), reply())
    const { client: claude } = client({ maxAttempts: 2 })

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeMalformedResponseError)
    expect(api.messageRequests()).toHaveLength(2)
  })

  it('times out a request that never answers, retries it, then reports the timeout', async () => {
    api.enqueue(hang(), hang())
    const { client: claude } = client({ maxAttempts: 2, timeoutMs: 150 })

    const started = Date.now()
    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeTimeoutError)
    expect(error.message).toContain('150 ms')
    expect(api.messageRequests()).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('retries a dropped connection', async () => {
    api.enqueue(dropConnection(), say('ok'))
    const { client: claude, retries } = client()

    await claude.createMessage(hello)

    expect(retries[0]?.error).toBeInstanceOf(ClaudeConnectionError)
  })

  it('reports an unreachable API with its host after the last attempt', async () => {
    const { client: claude } = client({ baseURL: 'http://127.0.0.1:9', maxAttempts: 2 })

    const error = await failure(claude.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeConnectionError)
    expect(error.message).toContain('127.0.0.1:9')
    expect(error.attempts).toBe(2)
  })

  it('honours an abort while the request is in flight', async () => {
    api.enqueue(hang())
    const { client: claude } = client()
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)

    const error = await failure(claude.createMessage(hello, { signal: controller.signal }))

    expect(error).toBeInstanceOf(ClaudeAbortError)
    expect(error.retryable).toBe(false)
  })

  it('honours an abort during the backoff wait', async () => {
    api.enqueue(rateLimited(30), say('never'))
    // The real clock: the 30 s wait must be cut short by the abort, not by time.
    const { client: claude } = client({ clock: undefined })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)

    const started = Date.now()
    const error = await failure(claude.createMessage(hello, { signal: controller.signal }))

    expect(error).toBeInstanceOf(ClaudeAbortError)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(api.messageRequests()).toHaveLength(1)
  })

  it('never puts the API key in an error, even when the server echoes it', async () => {
    const echo = { kind: 'error' as const, type: 'authentication_error', message: `bad key ${KEY}` }
    api.enqueue(
      { ...echo, status: 401 },
      { ...echo, status: 500 },
      { ...echo, status: 500 },
      { ...echo, status: 400 },
    )
    const errors: ClaudeError[] = []
    const { client: claude, retries } = client({ maxAttempts: 2 })
    errors.push(await failure(claude.createMessage(hello)))
    errors.push(await failure(claude.createMessage(hello)))
    errors.push(await failure(claude.createMessage(hello)))
    errors.push(
      await failure(
        createClaudeClient({
          apiKey: KEY,
          baseURL: 'http://127.0.0.1:9',
          maxAttempts: 1,
        }).createMessage(hello),
      ),
    )
    errors.push(...retries.map((r) => r.error))

    expect(errors.length).toBeGreaterThanOrEqual(5)
    for (const error of errors) {
      expect(error.message).not.toContain(KEY)
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(KEY)
      expect(JSON.stringify(error)).not.toContain(KEY)
      expect(String(error.stack)).not.toContain(KEY)
    }
    expect(errors[0]?.message).toContain('[redacted]')
  })

  it('reports each successful request’s priced usage to onUsage', async () => {
    api.enqueue(
      say('a', { input_tokens: 100, output_tokens: 10 }),
      say('b', { input_tokens: 200, output_tokens: 20, cache_read_input_tokens: 1000 }),
    )
    const seen: Array<{ costUsd: number; model: string }> = []
    const { client: claude } = client({
      onUsage: (usage, model) => seen.push({ costUsd: usage.costUsd, model }),
    })

    await claude.createMessage(hello)
    await claude.createMessage(hello)

    expect(seen.map((s) => s.model)).toEqual(['claude-sonnet-5-5', 'claude-sonnet-5-5'])
    expect(seen[1]?.costUsd).toBeCloseTo((200 * 2 + 20 * 10 + 1000 * 0.1) / 1e6, 12)
  })

  it('refuses to start without a key, and validates its options', () => {
    expect(() => createClaudeClient({ apiKey: '  ' })).toThrow(ClaudeAuthError)
    expect(() => createClaudeClient({ apiKey: KEY, maxAttempts: 0 })).toThrow(/maxAttempts/)
    expect(() => createClaudeClient({ apiKey: KEY, timeoutMs: -1 })).toThrow(/timeoutMs/)
  })
})
