/**
 * The `anthropic-ratelimit-*` headers the fake sends with every Messages answer, success or error.
 * Resets are ms from the moment of the answer (a number) or an RFC 3339 time sent as it is (a
 * string). The combined `tokens-*` headers name the more restrictive of the two token buckets, as
 * the API's do.
 */

export interface FakeRateLimit {
  requestsLimit: number
  requestsRemaining: number
  requestsReset: number | string
  inputTokensLimit: number
  inputTokensRemaining: number
  inputTokensReset: number | string
  outputTokensLimit: number
  outputTokensRemaining: number
  outputTokensReset: number | string
}

/** A comfortable tier: nothing in the tests comes near it unless a reply says so. */
export const DEFAULT_RATE_LIMIT: Readonly<FakeRateLimit> = Object.freeze({
  requestsLimit: 4000,
  requestsRemaining: 3999,
  requestsReset: 60_000,
  inputTokensLimit: 2_000_000,
  inputTokensRemaining: 1_990_000,
  inputTokensReset: 60_000,
  outputTokensLimit: 400_000,
  outputTokensRemaining: 399_000,
  outputTokensReset: 60_000,
})

export function rateLimitHeaders(
  limits: Partial<FakeRateLimit>,
  now = Date.now(),
): Record<string, string> {
  const l = { ...DEFAULT_RATE_LIMIT, ...limits }
  const at = (reset: number | string) =>
    typeof reset === 'string' ? reset : new Date(now + reset).toISOString()
  const inputTighter = l.inputTokensRemaining <= l.outputTokensRemaining
  return {
    'anthropic-ratelimit-requests-limit': String(l.requestsLimit),
    'anthropic-ratelimit-requests-remaining': String(l.requestsRemaining),
    'anthropic-ratelimit-requests-reset': at(l.requestsReset),
    'anthropic-ratelimit-input-tokens-limit': String(l.inputTokensLimit),
    'anthropic-ratelimit-input-tokens-remaining': String(l.inputTokensRemaining),
    'anthropic-ratelimit-input-tokens-reset': at(l.inputTokensReset),
    'anthropic-ratelimit-output-tokens-limit': String(l.outputTokensLimit),
    'anthropic-ratelimit-output-tokens-remaining': String(l.outputTokensRemaining),
    'anthropic-ratelimit-output-tokens-reset': at(l.outputTokensReset),
    'anthropic-ratelimit-tokens-limit': String(
      inputTighter ? l.inputTokensLimit : l.outputTokensLimit,
    ),
    'anthropic-ratelimit-tokens-remaining': String(
      inputTighter ? l.inputTokensRemaining : l.outputTokensRemaining,
    ),
    'anthropic-ratelimit-tokens-reset': at(inputTighter ? l.inputTokensReset : l.outputTokensReset),
  }
}
