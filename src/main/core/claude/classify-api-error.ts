/**
 * The rules for an error the Anthropic API itself sent: an HTTP error status, or an SSE `error`
 * event in the middle of a streamed reply (classified like the status its `error.type` stands for,
 * so an overloaded stream is retried like a 529). `classify.ts` routes here; the order of the rules
 * is the point of this file: spend limit and billing before auth (a 403 can be about credit), auth
 * before the rest.
 */
import type { APIError } from '@anthropic-ai/sdk'
import type { ClassifyContext } from './classify'
import {
  ClaudeAuthError,
  ClaudeBillingError,
  ClaudeModelError,
  ClaudeOverloadedError,
  ClaudeRateLimitError,
  ClaudeRequestError,
  ClaudeServerError,
  ClaudeSpendLimitError,
  ClaudeTimeoutError,
  parseRetryAfter,
  redactSecrets,
  SPEND_LIMIT_CODES,
  type ClaudeError,
  type ClaudeErrorDetails,
} from './errors'

/** The HTTP status each API `error.type` comes with, to classify the same error sent mid-stream. */
const STATUS_OF_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
}

type ErrorClass = new (message: string, details: ClaudeErrorDetails) => ClaudeError

/** One typed error for an APIError that carries the API's answer (a status, or a mid-stream body). */
export function classifyApiError(
  raw: APIError,
  context: ClassifyContext,
  midStream: boolean,
): ClaudeError {
  const redact = (text: string) => redactSecrets(text, context.apiKey)
  const status = midStream ? (STATUS_OF_TYPE[raw.type ?? ''] ?? 500) : (raw.status ?? 0)
  const headers = raw.headers instanceof Headers ? raw.headers : undefined
  const apiMessage = raw.apiMessage ?? (typeof raw.error === 'string' ? raw.error : null)
  const details: ClaudeErrorDetails = {
    // A mid-stream error came on a 200: there is no error status to report.
    status: midStream ? null : status,
    errorType: raw.type ?? null,
    errorCode: raw.errorCode ?? null,
    requestId: raw.requestID ?? null,
    apiMessage: apiMessage === null ? null : redact(apiMessage),
    retryAfterMs: parseRetryAfter(headers, context.now ?? Date.now()),
    attempts: context.attempts ?? 1,
  }
  const api = context.host ? `The Anthropic API at ${context.host}` : 'The Anthropic API'
  const said = apiMessage ? `: ${truncate(apiMessage.trim().replace(/\.$/, ''), 300)}` : ''
  const label = details.errorCode ?? details.errorType ?? `HTTP ${status}`
  /** How the error arrived, for the message. */
  const how = midStream ? `${label} mid-reply` : `HTTP ${status} ${label}`
  const make = (Class: ErrorClass, text: string) => new Class(redact(text), details)

  if (isSpendLimit(raw, status)) {
    return make(
      ClaudeSpendLimitError,
      `${api} refused the request because the organisation's spend limit is reached (${how})${said}. ` +
        'Raise the limit in the Anthropic Console or wait until it resets; auto-fix is paused.',
    )
  }
  const billing = billingProblem(status, raw.type, apiMessage ?? '')
  if (billing) {
    return make(ClaudeBillingError, `${api} ${BILLING[billing]} (${how})${said}. ${TODO[billing]}`)
  }
  if (status === 401 || status === 403) {
    return make(
      ClaudeAuthError,
      `The API key was rejected by ${api.replace(/^The /, 'the ')} (${how})${said}. ` +
        'Check the Anthropic API key in settings or ANTHROPIC_API_KEY; auto-fix is paused.',
    )
  }
  if (status === 429)
    return make(ClaudeRateLimitError, `${api} rate-limited the request (${how})${said}.`)
  if (status === 529) {
    const where = midStream ? ' mid-reply' : ' (HTTP 529)'
    return make(ClaudeOverloadedError, `${api} is overloaded${where}${said}.`)
  }
  if (status === 408) return make(ClaudeTimeoutError, `${api} timed out (HTTP 408)${said}.`)
  if (status >= 500) return make(ClaudeServerError, `${api} failed (${how})${said}.`)
  if (status === 404 && /model/i.test(apiMessage ?? '')) {
    return make(ClaudeModelError, `${api} does not know the model${said}.`)
  }
  return make(ClaudeRequestError, `${api} refused the request (${how})${said}.`)
}

type Billing = 'credit' | 'usage_limit' | 'payment'

const BILLING: Record<Billing, string> = {
  credit: 'refused the request because the account is out of credit',
  usage_limit: 'refused the request because the usage limit set for this organisation is reached',
  payment: 'asked for payment',
}

const TODO: Record<Billing, string> = {
  credit:
    'Add credits in the Anthropic Console (Settings › Billing); auto-fix is paused until then.',
  usage_limit:
    'Raise the usage limit in the Anthropic Console (Settings › Limits) or wait until it resets; ' +
    'auto-fix is paused until then.',
  payment:
    'Add credits or a payment method in the Anthropic Console (Settings › Billing), or raise the ' +
    'usage limit; auto-fix is paused until then.',
}

/**
 * The API answers an empty prepaid balance and the organisation's own usage limit with a 400
 * invalid_request_error whose only signal is the wording; a billing gateway answers 402.
 */
function billingProblem(status: number, type: string | null, text: string): Billing | null {
  if (status !== 400 && status !== 402 && status !== 403) return null
  if (/credit balance is too low/i.test(text)) return 'credit'
  if (/reached your specified (?:API )?usage limits?/i.test(text)) return 'usage_limit'
  if (status === 402 || type === 'billing_error') return 'payment'
  return null
}

/**
 * The SDK maps spend-limit codes to their own classes; we check the code itself so the rule is
 * visible here, and fall back to the body's text for older gateways that only put it in the message.
 */
function isSpendLimit(raw: APIError, status: number): boolean {
  if (raw.errorCode && SPEND_LIMIT_CODES.has(raw.errorCode)) return true
  if (status !== 429 && status !== 402 && status !== 400) return false
  const text = `${raw.type ?? ''} ${raw.apiMessage ?? ''}`
  return /spend_limit_reached|spend limit/i.test(text)
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}
