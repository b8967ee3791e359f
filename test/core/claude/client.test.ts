import { describe, expect, it } from 'vitest'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import {
  ClaudeAbortError,
  ClaudeAuthError,
  ClaudeConnectionError,
  ClaudeServerError,
} from '../../../src/main/core/claude/errors'
import { hang, say, serverError } from '../../support/fake-anthropic'
import { clientFor, failure, hello, KEY, useFakeApi } from './harness'

const fake = useFakeApi()

describe('createClaudeClient', () => {
  it('sends the key as a bearer credential to the configured base URL and prices the reply', async () => {
    fake.api.enqueue(say('hi', { input_tokens: 1000, output_tokens: 200 }))
    const { client } = clientFor(fake.api)

    const reply = await client.createMessage(hello)

    expect(reply.message.content).toEqual([{ type: 'text', text: 'hi', citations: null }])
    expect(reply.attempts).toBe(1)
    const [request] = fake.api.messageRequests()
    expect(reply.requestId).toBe(`req_fake_${request?.seq}`)
    expect(request?.auth).toBe('bearer')
    expect(request?.credentialHash).toMatch(/^[0-9a-f]{16}$/)
    expect(JSON.stringify(fake.api.requests)).not.toContain(KEY)
    expect((request?.body as { model: string }).model).toBe('claude-sonnet-5-5')
    // claude-sonnet-5-5: $2 in, $10 out per million.
    expect(reply.usage).toMatchObject({ requests: 1, inputTokens: 1000, outputTokens: 200 })
    expect(reply.usage.costUsd).toBeCloseTo(0.004, 9)
    expect(reply.priceKnown).toBe(true)
  })

  it('streams every Messages request', async () => {
    fake.api.enqueue(say('hi'), say('again'))
    const { client } = clientFor(fake.api)

    await client.createMessage(hello)
    await client.createMessage({ ...hello, model: 'claude-opus-5-5' })

    expect(fake.api.messageRequests().map((r) => r.streamed)).toEqual([true, true])
    expect(fake.api.messageBodies().map((b) => b.stream)).toEqual([true, true])
  })

  it('turns the SDK retries off: one failing request is one HTTP request per attempt of ours', async () => {
    fake.api.enqueue(serverError(), serverError(), serverError())
    const { client } = clientFor(fake.api, { maxAttempts: 1 })

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeServerError)
    expect(fake.api.messageRequests()).toHaveLength(1)
  })

  it('reports an unreachable API with its host after the last attempt', async () => {
    const { client } = clientFor(fake.api, { baseURL: 'http://127.0.0.1:9', maxAttempts: 2 })

    const error = await failure(client.createMessage(hello))

    expect(error).toBeInstanceOf(ClaudeConnectionError)
    expect(error.message).toContain('127.0.0.1:9')
    expect(error.attempts).toBe(2)
  })

  it('honours an abort while the request is in flight', async () => {
    fake.api.enqueue(hang())
    const { client } = clientFor(fake.api)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)

    const error = await failure(client.createMessage(hello, { signal: controller.signal }))

    expect(error).toBeInstanceOf(ClaudeAbortError)
    expect(error.retryable).toBe(false)
  })

  it('sends nothing when the signal has already fired', async () => {
    const { client } = clientFor(fake.api)

    const error = await failure(client.createMessage(hello, { signal: AbortSignal.abort() }))

    expect(error).toBeInstanceOf(ClaudeAbortError)
    expect(fake.api.requests).toHaveLength(0)
  })

  it('reports each successful request’s priced usage to onUsage', async () => {
    fake.api.enqueue(
      say('a', { input_tokens: 100, output_tokens: 10 }),
      say('b', { input_tokens: 200, output_tokens: 20, cache_read_input_tokens: 1000 }),
    )
    const seen: Array<{ costUsd: number; model: string }> = []
    const { client } = clientFor(fake.api, {
      onUsage: (usage, model) => seen.push({ costUsd: usage.costUsd, model }),
    })

    await client.createMessage(hello)
    await client.createMessage(hello)

    expect(seen.map((s) => s.model)).toEqual(['claude-sonnet-5-5', 'claude-sonnet-5-5'])
    expect(seen[1]?.costUsd).toBeCloseTo((200 * 2 + 20 * 10 + 1000 * 0.1) / 1e6, 12)
  })

  it('refuses to start without a key, and validates its options', () => {
    expect(() => createClaudeClient({ apiKey: '  ' })).toThrow(ClaudeAuthError)
    expect(() => createClaudeClient({ apiKey: KEY, maxAttempts: 0 })).toThrow(/maxAttempts/)
    expect(() => createClaudeClient({ apiKey: KEY, timeoutMs: -1 })).toThrow(/timeoutMs/)
    expect(() => createClaudeClient({ apiKey: KEY, streamIdleTimeoutMs: 0 })).toThrow(
      /streamIdleTimeoutMs/,
    )
  })
})

describe('createMessage fits the request to the model', () => {
  const effort = (level: 'high' | 'max') => ({ ...hello, output_config: { effort: level } })

  it('sends the effort a model supports as it is, without a notice', async () => {
    fake.api.enqueue(say('ok'))
    const { client, notices } = clientFor(fake.api)

    await client.createMessage(effort('max'))

    expect(fake.api.messageBodies()[0]?.output_config).toEqual({ effort: 'max' })
    expect(notices).toEqual([])
  })

  it('drops effort for a model without it and says so once per model', async () => {
    fake.api.enqueue(say('a'), say('b'))
    const { client, notices } = clientFor(fake.api, { model: 'claude-haiku-4-5' })

    await client.createMessage(effort('high'))
    await client.createMessage(effort('max'))

    expect(fake.api.messageBodies().map((b) => b.output_config)).toEqual([undefined, undefined])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/"claude-haiku-4-5" does not support the effort setting/)
    expect(notices[0]).toContain('models endpoint')
  })

  it('drops only a level the model lacks, keeping the rest of output_config', async () => {
    fake.api.enqueue(say('a'))
    const { client, notices } = clientFor(fake.api, { model: 'claude-sonnet-4-6' })
    const format = { type: 'json_schema' as const, schema: { type: 'object' } }

    await client.createMessage({ ...hello, output_config: { effort: 'xhigh', format } })

    expect(fake.api.messageBodies()[0]?.output_config).toEqual({ format })
    expect(notices[0]).toMatch(/accepts effort low, medium, high, max but not "xhigh"/)
  })

  it('caps max_tokens at the model’s ceiling, with one notice', async () => {
    fake.api.enqueue(say('a'), say('b'))
    const { client, notices } = clientFor(fake.api, { model: 'claude-sonnet-4-6' })

    await client.createMessage({ ...hello, max_tokens: 200_000 })
    await client.createMessage({ ...hello, max_tokens: 100_000 })
    await expect(client.capabilities()).resolves.toMatchObject({ maxOutputTokens: 64_000 })

    expect(fake.api.messageBodies().map((b) => b.max_tokens)).toEqual([64_000, 64_000])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain('at most 64000 output tokens')
  })

  it('asks the models endpoint once per model, whatever the number of requests', async () => {
    fake.api.enqueue(say('a'), say('b'), say('c'))
    const { client } = clientFor(fake.api)

    await Promise.all([client.createMessage(hello), client.createMessage(hello)])
    await client.createMessage(hello)

    expect(fake.api.modelRequests().map((r) => r.path)).toEqual(['/v1/models/claude-sonnet-5-5'])
  })
})
