import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import {
  ClaudeAuthError,
  ClaudeBillingError,
  ClaudeRequestError,
  ClaudeSpendLimitError,
  isContextWindowError,
  isOutage,
  pausesAutoFix,
  type ClaudeError,
} from '../../../src/main/core/claude/errors'
import {
  apiError,
  badRequest,
  contextLimitExceeded,
  creditTooLow,
  forbidden,
  paymentRequired,
  promptTooLong,
  say,
  spendLimitReached,
  unauthorized,
  usageLimitReached,
} from '../../support/fake-anthropic'
import { clientFor, failure, hello, KEY, useFakeApi } from './harness'

const fake = useFakeApi()

describe('errors that wait for a person', () => {
  it.each([
    ['401', unauthorized],
    ['403', forbidden],
  ])('stops on %s with "the API key was rejected" and does not retry', async (_, reply) => {
    fake.api.enqueue(reply(), say('never'))
    const { client } = clientFor(fake.api)

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeAuthError)
    expect(error.message).toMatch(/the API key was rejected by the Anthropic API at 127\.0\.0\.1/i)
    expect(error.retryable).toBe(false)
    expect(pausesAutoFix(error)).toBe(true)
    expect(isOutage(error)).toBe(false)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })

  it('stops on a spend-limit 429 (enforced_spend_limit_reached) without retrying', async () => {
    fake.api.enqueue(spendLimitReached(), say('never'))
    const { client } = clientFor(fake.api)

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeSpendLimitError)
    expect(error.errorCode).toBe('enforced_spend_limit_reached')
    expect(error.retryable).toBe(false)
    expect(pausesAutoFix(error)).toBe(true)
    expect(isOutage(error)).toBe(false)
    expect(error.message).toMatch(/spend limit/i)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })

  it('recognises a spend limit named only in the message, as older gateways send it', async () => {
    fake.api.enqueue(
      apiError(
        429,
        'rate_limit_error',
        'enforced_spend_limit_reached: monthly usage limit reached',
      ),
    )
    const { client } = clientFor(fake.api)

    expect(await failure(client.createMessage(hello))).toBeInstanceOf(ClaudeSpendLimitError)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })

  it.each([
    ['a 400 "credit balance is too low"', creditTooLow, /out of credit.*Add credits/],
    ['a 400 "reached your specified API usage limits"', usageLimitReached, /usage limit/],
    ['a 402', paymentRequired, /asked for payment/],
  ])('turns %s into a billing error that pauses auto-fix', async (_, reply, wording) => {
    fake.api.enqueue(reply(), say('never'))
    const { client } = clientFor(fake.api)

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeBillingError)
    expect(error.kind).toBe('billing')
    expect(error.message).toMatch(wording)
    expect(error.message).toMatch(/^The Anthropic API at 127\.0\.0\.1:\d+ /)
    expect(error.retryable).toBe(false)
    expect(pausesAutoFix(error)).toBe(true)
    expect(isOutage(error)).toBe(false)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })
})

describe('errors about the request', () => {
  it('does not retry a 400: the same request gets the same answer', async () => {
    fake.api.enqueue(badRequest('messages: field required'))
    const { client } = clientFor(fake.api)

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeRequestError)
    expect(error.message).toContain('messages: field required')
    expect(isContextWindowError(error)).toBe(false)
    expect(pausesAutoFix(error)).toBe(false)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })

  it.each([
    ['prompt is too long', promptTooLong],
    ['input length and max_tokens exceed context limit', contextLimitExceeded],
  ])('knows "%s" means the prompt must shrink', async (_, reply) => {
    fake.api.enqueue(reply())
    const { client } = clientFor(fake.api)

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeRequestError)
    expect(isContextWindowError(error)).toBe(true)
    expect(isOutage(error)).toBe(false)
    expect(error.apiMessage).toMatch(/context limit|prompt is too long/)
  })
})

describe('error messages', () => {
  it('never put the API key in an error, even when the server echoes it', async () => {
    const echo = `bad key ${KEY}`
    fake.api.enqueue(
      apiError(401, 'authentication_error', echo),
      apiError(500, 'api_error', echo),
      apiError(500, 'api_error', echo),
      apiError(400, 'invalid_request_error', echo),
    )
    const errors: ClaudeError[] = []
    const { client, retries } = clientFor(fake.api, { maxAttempts: 2 })
    errors.push(await failure(client.createMessage(hello)))
    errors.push(await failure(client.createMessage(hello)))
    errors.push(await failure(client.createMessage(hello)))
    const unreachable = createClaudeClient({
      apiKey: KEY,
      baseURL: 'http://127.0.0.1:9',
      maxAttempts: 1,
    })
    errors.push(await failure(unreachable.createMessage(hello)))
    errors.push(...retries.map((r) => r.error))

    expect(errors.length).toBeGreaterThanOrEqual(5)
    for (const error of errors) {
      expect(error.message).not.toContain(KEY)
      expect(String(error.apiMessage)).not.toContain(KEY)
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(KEY)
      expect(JSON.stringify(error)).not.toContain(KEY)
      expect(String(error.stack)).not.toContain(KEY)
    }
    expect(errors[0]?.message).toContain('[redacted]')
  })

  it('are one sentence naming the host, ending in a full stop', async () => {
    fake.api.enqueue(badRequest('max_tokens: must be positive.'))
    const { client } = clientFor(fake.api)
    const host = new URL(fake.api.baseURL).host

    const error = await failure(client.createMessage(hello))

    expect(error.message).toBe(
      `The Anthropic API at ${host} refused the request ` +
        '(HTTP 400 invalid_request_error): max_tokens: must be positive.',
    )
  })
})
