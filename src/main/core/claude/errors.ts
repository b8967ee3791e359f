/**
 * The typed errors of a Claude call, each with a `retryable` flag (`classify.ts` turns whatever the
 * SDK threw into one of them, where it enters). The retry layer reads only that flag; callers read
 * the class: `pausesAutoFix` (key, spend limit, billing: a person must act), `isOutage` (the API is
 * unavailable: wait and try later, it is not the task's fault), `isContextWindowError` (the prompt
 * must shrink).
 *
 * Messages are written for the user (what happened, what to do) and never contain the API key: they
 * are built from our own words plus the API's `error.message`, and pass through `redactSecrets`.
 * The SDK's error is deliberately not kept as `cause`, so logging an error with `util.inspect` can
 * never reach a request's headers.
 */
export type ClaudeErrorKind =
  | 'auth'
  | 'spend_limit'
  | 'billing'
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'connection'
  | 'timeout'
  | 'malformed'
  | 'invalid_request'
  | 'model'
  | 'aborted'

export interface ClaudeErrorDetails {
  status?: number | null
  /** `error.type` of the API's error body, e.g. `rate_limit_error`. */
  errorType?: string | null
  /** `error.details.error_code` of the API's error body, e.g. `enforced_spend_limit_reached`. */
  errorCode?: string | null
  requestId?: string | null
  /** The API's own `error.message`, redacted. */
  apiMessage?: string | null
  /** What the server asked us to wait (retry-after / retry-after-ms), in ms. */
  retryAfterMs?: number | null
  /** Requests made for this call, including the one that failed. */
  attempts?: number
}

export class ClaudeError extends Error {
  readonly kind: ClaudeErrorKind = 'server'
  /** Whether the retry layer may try again. Final errors are never retried. */
  readonly retryable: boolean = false
  readonly status: number | null
  readonly errorType: string | null
  readonly errorCode: string | null
  readonly requestId: string | null
  readonly apiMessage: string | null
  readonly retryAfterMs: number | null
  attempts: number

  constructor(message: string, details: ClaudeErrorDetails = {}) {
    super(message)
    this.name = new.target.name
    this.status = details.status ?? null
    this.errorType = details.errorType ?? null
    this.errorCode = details.errorCode ?? null
    this.requestId = details.requestId ?? null
    this.apiMessage = details.apiMessage ?? null
    this.retryAfterMs = details.retryAfterMs ?? null
    this.attempts = details.attempts ?? 1
  }
}

/** 401 or 403: the key is wrong, revoked or lacks permission. Retrying cannot help. */
export class ClaudeAuthError extends ClaudeError {
  override readonly kind = 'auth'
}

/** The organisation's spend limit is reached. Retrying spends nothing but annoys; it waits for a person. */
export class ClaudeSpendLimitError extends ClaudeError {
  override readonly kind = 'spend_limit'
}

/**
 * The account cannot pay: the prepaid credit is used up ("Your credit balance is too low"), the
 * organisation's own usage limit is reached ("You have reached your specified API usage limits"),
 * or any 402. Retrying cannot help until someone adds credit or raises the limit.
 */
export class ClaudeBillingError extends ClaudeError {
  override readonly kind = 'billing'
}

/** 429 (rate limits, ramp limits). Retried after `retry-after`. */
export class ClaudeRateLimitError extends ClaudeError {
  override readonly kind = 'rate_limit'
  override readonly retryable = true
}

/** 529, or an `overloaded_error` event mid-stream: the API is overloaded. Retried with backoff. */
export class ClaudeOverloadedError extends ClaudeError {
  override readonly kind = 'overloaded'
  override readonly retryable = true
}

/** 5xx other than 529. Retried with backoff. */
export class ClaudeServerError extends ClaudeError {
  override readonly kind = 'server'
  override readonly retryable = true
}

/** The API could not be reached (DNS, refused, reset), or the connection broke mid-reply. Retried. */
export class ClaudeConnectionError extends ClaudeError {
  override readonly kind = 'connection'
  override readonly retryable = true
}

/** No answer within the request timeout, or a stream that went quiet for as long. Retried. */
export class ClaudeTimeoutError extends ClaudeError {
  override readonly kind = 'timeout'
  override readonly retryable = true
}

/**
 * A 2xx whose body is not a message: a proxy's HTML page, truncated JSON, an event stream that ends
 * before `message_stop` or carries an event that is not JSON. Retried.
 */
export class ClaudeMalformedResponseError extends ClaudeError {
  override readonly kind = 'malformed'
  override readonly retryable = true
}

/** Any other 4xx: our request is wrong; sending it again gives the same answer. */
export class ClaudeRequestError extends ClaudeError {
  override readonly kind = 'invalid_request'
}

/** The configured model is unknown to the API, or retired. */
export class ClaudeModelError extends ClaudeError {
  override readonly kind = 'model'
}

/** The caller's AbortSignal fired. */
export class ClaudeAbortError extends ClaudeError {
  override readonly kind = 'aborted'
}

/** Errors after which auto-fix should pause until a person acts (key, spend limit, billing). */
export function pausesAutoFix(error: unknown): boolean {
  return (
    error instanceof ClaudeAuthError ||
    error instanceof ClaudeSpendLimitError ||
    error instanceof ClaudeBillingError
  )
}

const OUTAGE_KINDS: ReadonlySet<ClaudeErrorKind> = new Set([
  'rate_limit',
  'overloaded',
  'server',
  'connection',
  'timeout',
  'malformed',
])

/**
 * Whether `error` (as thrown by `createMessage`, after the retry layer) means the API is
 * unavailable rather than that the task failed: rate limited, overloaded, 5xx, unreachable, timed
 * out, or answering garbage. The caller should wait (see `outageRetryAfterMs`) and try the task
 * again later instead of counting an attempt against it. Spend limits, billing and auth are not
 * outages: they wait for a person (`pausesAutoFix`).
 */
export function isOutage(error: unknown): error is ClaudeError {
  return error instanceof ClaudeError && OUTAGE_KINDS.has(error.kind)
}

/** For an outage, how long the server asked us to wait (retry-after), in ms; null when it did not say. */
export function outageRetryAfterMs(error: unknown): number | null {
  return isOutage(error) ? error.retryAfterMs : null
}

/**
 * The API's wordings for a prompt that does not fit the model's context window, as 400
 * invalid_request_error: "prompt is too long: 1000512 tokens > 1000000 maximum" and "input length
 * and `max_tokens` exceed context limit: 198000 + 8192 > 200000, decrease input length or
 * `max_tokens` and try again". (A 413 request_too_large is about bytes, not tokens.)
 */
const CONTEXT_WINDOW =
  /prompt is too long|exceeds? (?:the )?context (?:limit|window)|context window/i

/** Whether `error` says the request does not fit the model's context window: send less, not again. */
export function isContextWindowError(error: unknown): error is ClaudeError {
  if (!(error instanceof ClaudeError) || error.kind !== 'invalid_request') return false
  return CONTEXT_WINDOW.test(error.apiMessage ?? error.message)
}

/**
 * Error codes (`error.details.error_code`) that mean a spend limit, as the SDK (1.14) maps them:
 * 429 enforced_spend_limit_reached / contract_spend_limit_reached, 402 linked_organization_spend_limit_reached.
 */
export const SPEND_LIMIT_CODES: ReadonlySet<string> = new Set([
  'enforced_spend_limit_reached',
  'contract_spend_limit_reached',
  'linked_organization_spend_limit_reached',
])

const KEY_PATTERN = /sk-ant-[A-Za-z0-9_-]{8,}/g

/** Replaces the key (and anything shaped like an Anthropic key) with `[redacted]`. */
export function redactSecrets(text: string, apiKey?: string): string {
  let out = text
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]')
  return out.replace(KEY_PATTERN, '[redacted]')
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date) into ms; null when absent. */
export function parseRetryAfter(headers: Headers | undefined, now: number): number | null {
  const ms = headers?.get('retry-after-ms')
  if (ms != null && ms.trim() !== '') {
    const value = Number(ms)
    if (Number.isFinite(value) && value >= 0) return value
  }
  const header = headers?.get('retry-after')
  if (header == null || header.trim() === '') return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`
}
