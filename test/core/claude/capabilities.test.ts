import { describe, expect, it } from 'vitest'
import {
  capabilitiesFromInfo,
  fitEffort,
  tableCapabilities,
} from '../../../src/main/core/claude/capabilities'
import { ClaudeAbortError } from '../../../src/main/core/claude/errors'
import { hang, say, serverError } from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'
import { clientFor, failure, hello, useFakeApi } from './harness'

const fake = useFakeApi()

describe('client.capabilities', () => {
  it('reads limits, effort levels and thinking types from the models endpoint', async () => {
    const { client } = clientFor(fake.api)

    const caps = await client.capabilities('claude-sonnet-4-6')

    expect(caps).toMatchObject({
      id: 'claude-sonnet-4-6',
      source: 'api',
      maxInputTokens: 1_000_000,
      maxOutputTokens: 64_000,
      effort: { supported: true, levels: ['low', 'medium', 'high', 'max'] },
      structuredOutputs: true,
    })
    expect(caps.thinking?.types).toEqual(['adaptive', 'enabled', 'disabled', 'between_tools'])
    expect(fake.api.modelRequests().map((r) => r.path)).toEqual(['/v1/models/claude-sonnet-4-6'])
  })

  it('asks once per model and remembers the answer', async () => {
    const { client } = clientFor(fake.api)

    await client.capabilities()
    await client.capabilities()
    await client.capabilities('claude-fable-5-2')

    expect(fake.api.modelRequests().map((r) => r.path)).toEqual([
      '/v1/models/claude-sonnet-5-5',
      '/v1/models/claude-fable-5-2',
    ])
  })

  it('falls back to the built-in table when the endpoint does not know the id (404)', async () => {
    const { client } = clientFor(fake.api)

    const caps = await client.capabilities('claude-haiku-4-5-latest-gateway-alias')

    expect(caps.source).toBe('table')
    expect(caps.fallbackReason).toMatch(/does not know the model/)
    expect(caps).toMatchObject(tableCapabilities('claude-haiku-4-5-latest-gateway-alias'))
  })

  it('falls back to the table on a 500 without throwing, and asks again later', async () => {
    fake.api.enqueueModels(serverError(500))
    const start = Date.parse('2026-11-24T10:00:00Z')
    let now = start
    const { clock } = instantClock(start)
    const { client } = clientFor(fake.api, { clock: { ...clock, now: () => now } })

    const first = await client.capabilities('claude-haiku-4-5')
    const again = await client.capabilities('claude-haiku-4-5')
    now = start + 5 * 60_000
    const later = await client.capabilities('claude-haiku-4-5')

    expect(first).toMatchObject({ source: 'table', effort: { supported: false } })
    expect(first.fallbackReason).toMatch(/HTTP 500/)
    expect(again.source).toBe('table')
    expect(later.source).toBe('api')
    expect(fake.api.modelRequests()).toHaveLength(2)
  })

  it('does not hold a Messages request for a models endpoint that hangs', async () => {
    fake.api.enqueueModels(hang())
    fake.api.enqueue(say('ok'))
    const { client } = clientFor(fake.api, { timeoutMs: 200 })

    const reply = await client.createMessage({ ...hello, max_tokens: 64 })

    expect(reply.attempts).toBe(1)
    await expect(client.capabilities()).resolves.toMatchObject({ source: 'table' })
  })

  it('rejects only for the caller’s abort, and the lookup stays usable', async () => {
    fake.api.enqueueModels({ kind: 'delay', ms: 200, then: serverError() })
    const { client } = clientFor(fake.api)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)

    const error = await failure(client.capabilities(undefined, { signal: controller.signal }))

    expect(error).toBeInstanceOf(ClaudeAbortError)
    await expect(client.capabilities()).resolves.toMatchObject({ source: 'table' })
  })

  it('reuses what checkModel already fetched', async () => {
    const { client } = clientFor(fake.api)

    await client.checkModel('claude-opus-4-6')
    const caps = await client.capabilities('claude-opus-4-6')

    expect(caps).toMatchObject({
      source: 'api',
      effort: { levels: ['low', 'medium', 'high', 'max'] },
    })
    expect(fake.api.modelRequests()).toHaveLength(1)
  })
})

describe('the capability rules', () => {
  it('keep the endpoint’s token limits when it sends no capabilities (older gateways)', () => {
    const info = {
      id: 'claude-opus-4-7',
      capabilities: null,
      max_input_tokens: 500_000,
      max_tokens: 32_000,
    } as never

    const caps = capabilitiesFromInfo('claude-opus-4-7', info)

    expect(caps).toMatchObject({
      source: 'table',
      maxInputTokens: 500_000,
      maxOutputTokens: 32_000,
    })
    expect(caps.effort.levels).toContain('xhigh')
  })

  it('know every current model of the SDK in the table', () => {
    for (const id of [
      'claude-fable-5-2',
      'claude-opus-5-5',
      'claude-haiku-5-5',
      'claude-opus-4-8',
    ]) {
      expect(tableCapabilities(id), id).toMatchObject({ maxInputTokens: 1_000_000 })
    }
    expect(tableCapabilities('claude-haiku-4-5-20251001').effort.supported).toBe(false)
  })

  it('leave a request without effort untouched', () => {
    const request: { max_tokens: number; output_config?: { effort?: string } } = { max_tokens: 10 }

    expect(fitEffort(request, tableCapabilities('claude-haiku-4-5'))).toEqual({
      request,
      notice: null,
    })
  })
})
