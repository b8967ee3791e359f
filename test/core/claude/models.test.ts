import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClaudeClient } from '../../../src/main/core/claude/client'
import { ClaudeModelError, ClaudeServerError } from '../../../src/main/core/claude/errors'
import { DEFAULT_MODEL } from '../../../src/main/core/claude/models'
import { serverError, startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'

let api: FakeAnthropic
beforeEach(async () => {
  api = await startFakeAnthropic()
})
afterEach(async () => {
  await api.close()
})

function client(model?: string, today = '2026-11-20T09:00:00Z') {
  const { clock } = instantClock(Date.parse(today))
  return createClaudeClient({
    apiKey: 'sk-ant-test-key',
    baseURL: api.baseURL,
    model,
    clock,
    maxAttempts: 2,
  })
}

describe('checkModel', () => {
  it('accepts the default model, claude-sonnet-5-5, without warnings', async () => {
    const check = await client().checkModel()

    expect(DEFAULT_MODEL).toBe('claude-sonnet-5-5')
    expect(check).toMatchObject({ id: 'claude-sonnet-5-5', lifecycle: 'active', warnings: [] })
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/models/claude-sonnet-5-5',
    ])
  })

  it('checks a model once per client', async () => {
    const claude = client()
    await claude.checkModel()
    await claude.checkModel()
    await claude.checkModel('claude-sonnet-5-5')

    expect(api.requests).toHaveLength(1)
  })

  it('warns that the seed’s claude-sonnet-4-5-20250929 reaches end of life on 2026-11-30', async () => {
    const check = await client('claude-sonnet-4-5-20250929').checkModel()

    expect(check.lifecycle).toBe('deprecated')
    expect(check.retiresOn).toBe('2026-11-30')
    expect(check.warnings).toHaveLength(1)
    expect(check.warnings[0]).toContain('2026-11-30')
    expect(check.warnings[0]).toContain('in 10 days')
    expect(check.warnings[0]).toContain('claude-sonnet-5-5')
  })

  it('resolves an alias to the id the API names', async () => {
    const check = await client('claude-haiku-4-5').checkModel()

    expect(check).toMatchObject({ model: 'claude-haiku-4-5', id: 'claude-haiku-4-5-20251001' })
  })

  it('uses the known end-of-life dates when the API does not report one', async () => {
    // An entry as an older gateway sends it: active, no retirement date.
    api.models = api.models.filter((m) => !m.id.startsWith('claude-opus-4-5'))
    api.models.push({ id: 'claude-opus-4-5', display_name: 'Claude Opus 4.5', lifecycle: 'active' })

    const check = await client('claude-opus-4-5').checkModel()

    expect(check.lifecycle).toBe('deprecated')
    expect(check.warnings[0]).toContain('2027-01-22')
  })

  it('rejects an unknown model with the models this key can use', async () => {
    const error = await client('claude-sonnet-9')
      .checkModel()
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ClaudeModelError)
    const message = (error as Error).message
    expect(message).toContain('"claude-sonnet-9" is not known')
    expect(message).toContain('claude-sonnet-5-5')
    expect(message).toContain('CLAUDE_MODEL')
    expect(message).not.toContain('claude-3-opus') // retired models are not offered
    expect(api.requests.map((r) => r.path)).toEqual(['/v1/models/claude-sonnet-9', '/v1/models'])
  })

  it('rejects a retired model', async () => {
    const error = await client('claude-3-opus-20240229')
      .checkModel()
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ClaudeModelError)
    expect((error as Error).message).toMatch(/retired since 2026-01-05/)
  })

  it('does not remember a lookup that failed for a passing reason', async () => {
    api.enqueueModels(serverError(), serverError())
    const claude = client()

    await expect(claude.checkModel()).rejects.toBeInstanceOf(ClaudeServerError)
    await expect(claude.checkModel()).resolves.toMatchObject({ id: 'claude-sonnet-5-5' })
  })
})
