import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EMPTY_USAGE, Usage } from '../../../src/shared/domain'
import {
  UNKNOWN_MODEL_PRICE,
  UNPRICED_MODELS,
  addUsage,
  costOf,
  priceFor,
  usageFromResponse,
} from '../../../src/main/core/claude/pricing'

/** The literal ids of the installed SDK's `export type Model = …` union. */
function sdkModelIds(): string[] {
  const dts = new URL(
    '../../../node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts',
    import.meta.url,
  )
  const union = /export type Model = ([^;]+);/.exec(readFileSync(dts, 'utf8'))?.[1] ?? ''
  return [...union.matchAll(/'([^']+)'/g)].map((m) => m[1]!)
}

const M = 1_000_000

describe('priceFor', () => {
  it('finds the family of plain and dated model ids', () => {
    expect(priceFor('claude-sonnet-5-5').price).toMatchObject({
      input: 2,
      output: 10,
      cacheRead: 0.1,
    })
    expect(priceFor('claude-sonnet-4-5-20250929').price).toMatchObject({ input: 3, output: 15 })
    expect(priceFor('claude-opus-5-5').price).toMatchObject({
      input: 4,
      output: 20,
      cacheRead: 0.2,
    })
    expect(priceFor('claude-opus-4-1').price).toMatchObject({ input: 15, output: 75 })
    expect(priceFor('claude-haiku-4-5-20251001').price).toMatchObject({ input: 1, output: 5 })
    expect(priceFor('claude-sonnet-5-5').known).toBe(true)
  })

  it('charges an unknown model more than any known one and flags it', () => {
    const lookup = priceFor('claude-imaginary-9')

    expect(lookup.known).toBe(false)
    expect(lookup.price).toBe(UNKNOWN_MODEL_PRICE)
    for (const id of sdkModelIds().filter((m) => priceFor(m).known)) {
      expect(lookup.price.input, id).toBeGreaterThanOrEqual(priceFor(id).price.input)
      expect(lookup.price.output, id).toBeGreaterThanOrEqual(priceFor(id).price.output)
    }
  })

  it('prices Fable 5.2 and Mythos 5.2 at $8 / $40, cache reads $0.20', () => {
    for (const id of ['claude-fable-5-2', 'claude-mythos-5-2']) {
      expect(priceFor(id), id).toMatchObject({
        known: true,
        price: { input: 8, output: 40, cacheRead: 0.2, cacheWrite5m: 10, cacheWrite1h: 16 },
      })
    }
  })

  it('prices every model id of the installed SDK, or lists it as unpriced on purpose', () => {
    const ids = sdkModelIds()

    expect(ids.length).toBeGreaterThan(15)
    expect(ids).toContain('claude-fable-5-2')
    const unaccounted = ids.filter((id) => !priceFor(id).known && !UNPRICED_MODELS.includes(id))
    expect(unaccounted).toEqual([])
    for (const id of UNPRICED_MODELS) expect(priceFor(id).known, id).toBe(false)
  })
})

describe('costOf', () => {
  it('prices input, output, cache writes and cache reads separately', () => {
    const usage = {
      input_tokens: M,
      output_tokens: M,
      cache_creation_input_tokens: M,
      cache_read_input_tokens: M,
    }
    // Sonnet 5.5: 2 + 10 + 2.5 (5-minute write, 1.25×) + 0.1
    expect(costOf(usage, 'claude-sonnet-5-5')).toBeCloseTo(14.6, 9)
  })

  it('charges the 1-hour write rate for tokens the breakdown puts in the 1-hour cache', () => {
    const usage = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: M,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_1h_input_tokens: M / 2, ephemeral_5m_input_tokens: M / 2 },
    }
    expect(costOf(usage, 'claude-sonnet-5-5')).toBeCloseTo(0.5 * 4 + 0.5 * 2.5, 9)
  })

  it('uses Haiku 5.5’s long-prompt rates above 100k prompt tokens', () => {
    const short = { input_tokens: 100_000, output_tokens: 0 }
    const long = { input_tokens: 100_001, output_tokens: 0 }
    expect(costOf(short, 'claude-haiku-5-5')).toBeCloseTo(0.01, 9)
    expect(costOf(long, 'claude-haiku-5-5')).toBeCloseTo((100_001 * 0.5) / M, 9)
  })
})

describe('usage', () => {
  it('reads a response’s usage, nulls as zero, as one priced request', () => {
    const usage = usageFromResponse(
      {
        input_tokens: 1200,
        output_tokens: 300,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: 5000,
      },
      'claude-sonnet-5-5',
    )

    expect(Usage.parse(usage)).toEqual({
      requests: 1,
      inputTokens: 1200,
      outputTokens: 300,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 5000,
      costUsd: (1200 * 2 + 300 * 10 + 5000 * 0.1) / M,
    })
  })

  it('adds usages into totals without cost drift', () => {
    const one = usageFromResponse({ input_tokens: 1, output_tokens: 1 }, 'claude-sonnet-5-5')
    const many = addUsage(...Array.from({ length: 1000 }, () => one))

    expect(many.requests).toBe(1000)
    expect(many.inputTokens).toBe(1000)
    expect(many.costUsd).toBe(0.012)
    expect(addUsage()).toEqual(EMPTY_USAGE)
  })
})
