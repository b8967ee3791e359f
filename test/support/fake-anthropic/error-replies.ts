/**
 * Scripted failures for the fake API, in the API's words. Error bodies follow its shape:
 * `{type: 'error', error: {type, message, details?}, request_id}`; any status, type, message,
 * `error.details.error_code` and header can be scripted with `apiError`.
 */
import type { FakeRateLimit, Reply } from './replies'

/** Any API error: `apiError(400, 'invalid_request_error', 'max_tokens: …', { headers })`. */
export function apiError(
  status: number,
  type: string,
  text: string,
  extra: {
    errorCode?: string
    headers?: Record<string, string>
    rateLimit?: Partial<FakeRateLimit>
  } = {},
): Reply {
  return { kind: 'error', status, type, message: text, ...extra }
}

const retryAfter = (seconds?: number): Record<string, string> =>
  seconds === undefined ? {} : { 'retry-after': String(seconds) }

/** 429 with the input-token bucket empty until the retry-after (or a minute). */
export const rateLimited = (retryAfterSeconds?: number): Reply =>
  apiError(
    429,
    'rate_limit_error',
    'Number of request tokens has exceeded your per-minute rate limit',
    {
      headers: retryAfter(retryAfterSeconds),
      rateLimit: { inputTokensRemaining: 0, inputTokensReset: (retryAfterSeconds ?? 60) * 1000 },
    },
  )

export const overloaded = (retryAfterSeconds?: number): Reply =>
  apiError(529, 'overloaded_error', 'Overloaded', {
    headers: retryAfter(retryAfterSeconds),
  })

export const serverError = (status = 500): Reply =>
  apiError(status, 'api_error', 'Internal server error')

export const unauthorized = (): Reply => apiError(401, 'authentication_error', 'invalid x-api-key')

export const forbidden = (): Reply =>
  apiError(
    403,
    'permission_error',
    'Your API key does not have permission to use the specified resource.',
  )

/**
 * The organisation crossed its API tier's monthly threshold: 429 with
 * `error.details.error_code: 'enforced_spend_limit_reached'` (SDK 1.14's EnforcedSpendLimitReachedError).
 */
export const spendLimitReached = (): Reply =>
  apiError(429, 'rate_limit_error', 'You have reached your specified API usage limits.', {
    errorCode: 'enforced_spend_limit_reached',
  })

export const badRequest = (text: string): Reply => apiError(400, 'invalid_request_error', text)

/** The API's answer when the prepaid credit is used up: a 400 invalid_request_error. */
export const creditTooLow = (): Reply =>
  badRequest(
    'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  )

/** The organisation's own monthly usage limit (set in the Console) is reached: a 400. */
export const usageLimitReached = (): Reply =>
  badRequest(
    'You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.',
  )

/** 402 Payment Required, as a billing gateway sends it. */
export const paymentRequired = (
  text = 'Payment required: this organization has no valid payment method.',
): Reply => apiError(402, 'billing_error', text)

/** The prompt does not fit the model's context window, in the API's words. */
export const promptTooLong = (tokens = 1_000_512, maximum = 1_000_000): Reply =>
  badRequest(`prompt is too long: ${tokens} tokens > ${maximum} maximum`)

/** The prompt fits, but not with the max_tokens asked for: the API's other context-window 400. */
export const contextLimitExceeded = (input = 198_000, maxTokens = 8192, limit = 200_000): Reply =>
  badRequest(
    `input length and \`max_tokens\` exceed context limit: ${input} + ${maxTokens} > ${limit}, ` +
      'decrease input length or `max_tokens` and try again',
  )

export const hang = (): Reply => ({ kind: 'hang' })

export const dropConnection = (): Reply => ({ kind: 'drop' })

export const delayed = (ms: number, then: Reply): Reply => ({ kind: 'delay', ms, then })

/** 200 with a JSON content type and a body cut off mid-way. */
export const truncatedJson = (): Reply => ({
  kind: 'raw',
  status: 200,
  body: '{"id":"msg_fake","type":"message","content":[{"type":"te',
})

/** 200 with a proxy's HTML page instead of a message. */
export const htmlPage = (): Reply => ({
  kind: 'raw',
  status: 200,
  contentType: 'text/html',
  body: '<html><body><h1>Gateway says hello</h1></body></html>',
})

/** 200 with JSON that is not a message. */
export const notAMessage = (): Reply => ({ kind: 'raw', status: 200, body: '{"hello":"world"}' })
