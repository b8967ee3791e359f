/**
 * What a request cost, from the usage the API reports and a price table per model family.
 *
 * Source: the Anthropic pricing page (platform.claude.com/docs/en/about-claude/pricing) and the model
 * pages, as stored on 2026-11-24 (the date of @anthropic-ai/sdk 1.14.0 installed here). USD per
 * million tokens. Cache writes are the 5-minute rate (1.25× input) unless the usage says the tokens
 * went to the 1-hour cache (2× input). Not modelled: the Batch API discount, `inference_geo: "us"`
 * (1.1×), fast mode, and third-party platforms' own prices. Prices change; this table is a snapshot,
 * and a model it does not know is priced at `UNKNOWN_MODEL_PRICE` (`known: false`), so a budget errs
 * on the side of stopping early.
 *
 * Claude Fable 5.2 and Mythos 5.2 (released 2026-11-09) are newer than the stored pricing page:
 * $8 / $40, cache reads $0.20, per the release write-up at
 * developersdigest.tech/blog/claude-fable-5-2-whats-new-migration-2026 (from Anthropic's release
 * notes and "What's new in Claude Fable 5.2") and the phuryn/claude-usage v1.5.7 release notes
 * ("from platform.claude.com, checked 2026-12-01"). Check them against the pricing page when it is
 * next stored.
 */
import type { Usage as ApiUsage } from '@anthropic-ai/sdk/resources/messages'
import { EMPTY_USAGE, type Usage } from '../../../shared/domain'

export interface PriceRates {
  input: number
  output: number
  /** 5-minute cache write. */
  cacheWrite5m: number
  /** 1-hour cache write. */
  cacheWrite1h: number
  cacheRead: number
}

export interface ModelPrice extends PriceRates {
  /** Family name shown to the user, e.g. "Claude Sonnet 5.5". */
  family: string
  /** Rates that apply instead when the prompt (input + cache reads + writes) exceeds `threshold`. */
  longPrompt?: PriceRates & { threshold: number }
}

export const PRICES_AS_OF = '2026-11-24'

const rates = (
  input: number,
  output: number,
  cacheRead: number,
  cacheWrite5m = input * 1.25,
  cacheWrite1h = input * 2,
): PriceRates => ({ input, output, cacheRead, cacheWrite5m, cacheWrite1h })

/** Matches these ids exactly, with or without a date suffix (claude-sonnet-4-5-20250929). */
const ids = (...names: string[]): RegExp => new RegExp(`^(?:${names.join('|')})(?:-\\d{8})?$`)

/** The first row whose pattern matches a model id wins. */
const TABLE: ReadonlyArray<{ pattern: RegExp; price: ModelPrice }> = [
  {
    pattern: ids('claude-fable-5-2', 'claude-mythos-5-2'),
    price: { family: 'Claude Fable/Mythos 5.2', ...rates(8, 40, 0.2) },
  },
  {
    pattern: ids('claude-fable-5-1', 'claude-mythos-5-1'),
    price: { family: 'Claude Fable/Mythos 5.1', ...rates(10, 50, 0.25) },
  },
  {
    pattern: ids('claude-fable-5', 'claude-mythos-5'),
    price: { family: 'Claude Fable/Mythos 5', ...rates(10, 50, 1) },
  },
  { pattern: ids('claude-opus-5-5'), price: { family: 'Claude Opus 5.5', ...rates(4, 20, 0.2) } },
  {
    pattern: ids('claude-opus-5', 'claude-opus-4-[5-8]'),
    price: { family: 'Claude Opus 4.5–5', ...rates(5, 25, 0.5) },
  },
  {
    pattern: ids('claude-opus-4', 'claude-opus-4-[01]', 'claude-3-opus'),
    price: { family: 'Claude Opus 3–4.1', ...rates(15, 75, 1.5) },
  },
  // Sonnet 5.5 cache reads were cut from $0.20 to $0.10 on 2026-10-07.
  {
    pattern: ids('claude-sonnet-5-5'),
    price: { family: 'Claude Sonnet 5.5', ...rates(2, 10, 0.1) },
  },
  { pattern: ids('claude-sonnet-5'), price: { family: 'Claude Sonnet 5', ...rates(2, 10, 0.2) } },
  {
    pattern: ids('claude-sonnet-4', 'claude-sonnet-4-[0-6]', 'claude-3-[57]-sonnet'),
    price: { family: 'Claude Sonnet 3.5–4.6', ...rates(3, 15, 0.3) },
  },
  {
    pattern: ids('claude-haiku-5-5'),
    price: {
      family: 'Claude Haiku 5.5',
      ...rates(0.1, 0.5, 0.01, 0.125, 0.2),
      longPrompt: { threshold: 100_000, ...rates(0.5, 2.5, 0.05, 0.625, 1) },
    },
  },
  { pattern: ids('claude-haiku-4-5'), price: { family: 'Claude Haiku 4.5', ...rates(1, 5, 0.1) } },
  {
    pattern: ids('claude-3-5-haiku'),
    price: { family: 'Claude Haiku 3.5', ...rates(0.8, 4, 0.08, 1, 1.6) },
  },
  {
    pattern: ids('claude-3-haiku'),
    price: { family: 'Claude Haiku 3', ...rates(0.25, 1.25, 0.03, 0.3, 0.5) },
  },
]

/**
 * Ids of the installed SDK's `Model` type whose price no source we can cite gives; they are priced
 * as unknown on purpose (the test checks every SDK id is in the table or here):
 * - claude-mythos-preview: invitation-only, never on the pricing page; Anthropic anchored Fable 5's
 *   $10 / $50 as "less than half the price of Claude Mythos Preview" (quoted in
 *   kellerai.blog/when-the-rate-card-has-tiers-in-depth), and that is all we can cite.
 */
export const UNPRICED_MODELS: ReadonlyArray<string> = ['claude-mythos-preview']

/**
 * What an unknown model is charged. Not the dearest rates in the table: the one model we know to
 * cost more (Mythos Preview, over twice Fable 5's $10 / $50) would be undercounted. 2.5× Fable 5
 * is our conservative guess, not a price anyone publishes.
 */
export const UNKNOWN_MODEL_PRICE: ModelPrice = { family: 'unknown model', ...rates(25, 125, 2.5) }

export interface PriceLookup {
  price: ModelPrice
  /** False when the model is not in the table and the conservative default was used. */
  known: boolean
}

export function priceFor(model: string): PriceLookup {
  const id = model
    .trim()
    .toLowerCase()
    .replace(/\[.*\]$/, '')
  const row = TABLE.find((entry) => entry.pattern.test(id))
  return row ? { price: row.price, known: true } : { price: UNKNOWN_MODEL_PRICE, known: false }
}

/** Token counts of one response, in the API's field names; nulls count as zero. */
export type ApiUsageLike = Pick<ApiUsage, 'input_tokens' | 'output_tokens'> &
  Partial<
    Pick<ApiUsage, 'cache_creation_input_tokens' | 'cache_read_input_tokens' | 'cache_creation'>
  >

/** USD for one response's usage. */
export function costOf(usage: ApiUsageLike, model: string): number {
  const { price } = priceFor(model)
  const input = count(usage.input_tokens)
  const output = count(usage.output_tokens)
  const write = count(usage.cache_creation_input_tokens)
  const read = count(usage.cache_read_input_tokens)
  const tier =
    price.longPrompt && input + write + read > price.longPrompt.threshold ? price.longPrompt : price
  // The breakdown, when present, says how many written tokens went to the 1-hour cache.
  const write1h = Math.min(write, count(usage.cache_creation?.ephemeral_1h_input_tokens))
  const write5m = write - write1h
  const usd =
    input * tier.input +
    output * tier.output +
    write5m * tier.cacheWrite5m +
    write1h * tier.cacheWrite1h +
    read * tier.cacheRead
  return usd / 1_000_000
}

/** One response's usage as our `Usage` (one request), priced for `model`. */
export function usageFromResponse(usage: ApiUsageLike | null | undefined, model: string): Usage {
  if (!usage) return { ...EMPTY_USAGE, requests: 1 }
  return {
    requests: 1,
    inputTokens: count(usage.input_tokens),
    outputTokens: count(usage.output_tokens),
    cacheCreationInputTokens: count(usage.cache_creation_input_tokens),
    cacheReadInputTokens: count(usage.cache_read_input_tokens),
    costUsd: costOf(usage, model),
  }
}

/** The sum of usages. Cost is rounded to a billionth of a dollar so long sums do not drift. */
export function addUsage(...usages: ReadonlyArray<Usage>): Usage {
  const total = { ...EMPTY_USAGE }
  for (const u of usages) {
    total.requests += u.requests
    total.inputTokens += u.inputTokens
    total.outputTokens += u.outputTokens
    total.cacheCreationInputTokens += u.cacheCreationInputTokens
    total.cacheReadInputTokens += u.cacheReadInputTokens
    total.costUsd += u.costUsd
  }
  total.costUsd = Math.round(total.costUsd * 1e9) / 1e9
  return total
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}
