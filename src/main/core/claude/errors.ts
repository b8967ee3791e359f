/**
 * Every failure of a Claude call is classified here, where it enters, into one typed error with a
 * `retryable` flag. The retry layer in `client.ts` reads only that flag; the AutoFixer reads the class
 * (`ClaudeAuthError` and `ClaudeSpendLimitError` pause auto-fix, see `pausesAutoFix`).
 *
 * Messages are written for the user (what happened, what to do) and never contain the API key: they
 * are built from our own words plus the API's `error.message`, and pass through `redactSecrets`.
 * The SDK's error is deliberately not kept as `cause`, so logging an error with `util.inspect` can
 * never reach a request's headers.
 */
import { APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk'

export type ClaudeErrorKind =
  | 'auth'
  | 'spend_limit'
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
  readonly retryAfterMs: number | null
  attempts: number

  constructor(message: string, details: ClaudeErrorDetails = {}) {
    super(message)
    this.name = new.target.name
    this.status = details.status ?? null
    this.errorType = details.errorType ?? null
    this.errorCode = details.errorCode ?? null
    this.requestId = details.requestId ?? null
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

/** 429 (rate limits, ramp limits). Retried after `retry-after`. */
export class ClaudeRateLimitError extends ClaudeError {
  override readonly kind = 'rate_limit'
  override readonly retryable = true
}

/** 529: the API is overloaded. Retried with backoff. */
export class ClaudeOverloadedError extends ClaudeError {
  override readonly kind = 'overloaded'
  override readonly retryable = true
}

/** 5xx other than 529. Retried with backoff. */
export class ClaudeServerError extends ClaudeError {
  override readonly kind = 'server'
  override readonly retryable = true
}

/** The API could not be reached (DNS, refused, reset). Retried with backoff. */
export class ClaudeConnectionError extends ClaudeError {
  override readonly kind = 'connection'
  override readonly retryable = true
}

/** No answer within the request timeout. Retried with backoff. */
export class ClaudeTimeoutError extends ClaudeError {
  override readonly kind = 'timeout'
  override readonly retryable = true
}

/** A 2xx whose body is not a message (a proxy's HTML page, truncated JSON). Retried once more. */
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

/** Errors after which auto-fix should pause until a person acts (key, spend limit). */
export function pausesAutoFix(error: unknown): boolean {
  return error instanceof ClaudeAuthError || error instanceof ClaudeSpendLimitError
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

export interface ClassifyContext {
  apiKey?: string
  attempts?: number
  /** Request timeout, for the message. */
  timeoutMs?: number
  /** The API's host, for connection messages. */
  host?: string
  now?: number
}

/** Turns anything a Claude call threw into one ClaudeError. */
export function classifyClaudeError(raw: unknown, context: ClassifyContext = {}): ClaudeError {
  const { apiKey, attempts = 1 } = context
  const redact = (text: string) => redactSecrets(text, apiKey)
  if (raw instanceof ClaudeError) {
    raw.attempts = attempts
    return raw
  }
  if (raw instanceof APIUserAbortError || isAbortLike(raw)) {
    return new ClaudeAbortError('The request to the Anthropic API was aborted.', { attempts })
  }
  if (raw instanceof APIConnectionTimeoutError) {
    const within = context.timeoutMs ? ` within ${formatMs(context.timeoutMs)}` : ''
    return new ClaudeTimeoutError(`The Anthropic API did not answer${within}.`, { attempts })
  }
  if (raw instanceof APIError && raw.status === undefined) {
    const cause = raw.cause instanceof Error ? `: ${describeCause(raw.cause)}` : ''
    const host = context.host ? ` at ${context.host}` : ''
    return new ClaudeConnectionError(redact(`Could not reach the Anthropic API${host}${cause}.`), {
      attempts,
    })
  }
  if (raw instanceof APIError) return classifyStatus(raw, context, redact)
  if (raw instanceof SyntaxError) {
    return new ClaudeMalformedResponseError(
      redact(`The Anthropic API sent a reply that is not valid JSON (${raw.message}).`),
      { attempts },
    )
  }
  const message = raw instanceof Error ? raw.message : String(raw)
  return new ClaudeConnectionError(redact(`The Anthropic API call failed: ${message}`), {
    attempts,
  })
}

function classifyStatus(
  raw: APIError,
  context: ClassifyContext,
  redact: (text: string) => string,
): ClaudeError {
  const status = raw.status ?? 0
  const headers = raw.headers instanceof Headers ? raw.headers : undefined
  const details: ClaudeErrorDetails = {
    status,
    errorType: raw.type ?? null,
    errorCode: raw.errorCode ?? null,
    requestId: raw.requestID ?? null,
    retryAfterMs: parseRetryAfter(headers, context.now ?? Date.now()),
    attempts: context.attempts ?? 1,
  }
  const apiMessage = raw.apiMessage ?? bodyText(raw)
  const said = apiMessage ? `: ${truncate(apiMessage, 300)}` : ''
  const label = details.errorCode ?? details.errorType ?? `HTTP ${status}`

  if (isSpendLimit(raw)) {
    return new ClaudeSpendLimitError(
      redact(
        `The Anthropic spend limit was reached (HTTP ${status} ${label})${said}. ` +
          'Raise the limit in the Anthropic Console or wait until it resets; auto-fix is paused.',
      ),
      details,
    )
  }
  if (status === 401 || status === 403) {
    return new ClaudeAuthError(
      redact(
        `The API key was rejected (HTTP ${status} ${label})${said}. ` +
          'Check the Anthropic API key in settings or ANTHROPIC_API_KEY; auto-fix is paused.',
      ),
      details,
    )
  }
  if (status === 429) {
    return new ClaudeRateLimitError(
      redact(`Rate limited by the Anthropic API (HTTP 429 ${label})${said}.`),
      details,
    )
  }
  if (status === 529) {
    return new ClaudeOverloadedError(
      redact(`The Anthropic API is overloaded (HTTP 529)${said}.`),
      details,
    )
  }
  if (status === 408) {
    return new ClaudeTimeoutError(redact(`The Anthropic API timed out (HTTP 408)${said}.`), details)
  }
  if (status >= 500) {
    return new ClaudeServerError(
      redact(`The Anthropic API failed (HTTP ${status} ${label})${said}.`),
      details,
    )
  }
  if (status === 404 && /model/i.test(apiMessage ?? '')) {
    return new ClaudeModelError(
      redact(`The Anthropic API does not know the model${said}.`),
      details,
    )
  }
  return new ClaudeRequestError(
    redact(`The Anthropic API refused the request (HTTP ${status} ${label})${said}.`),
    details,
  )
}

/**
 * The SDK maps spend-limit codes to their own classes; we check the code itself so the rule is
 * visible here, and fall back to the body's text for older gateways that only put it in the message.
 */
function isSpendLimit(raw: APIError): boolean {
  if (raw.errorCode && SPEND_LIMIT_CODES.has(raw.errorCode)) return true
  if (raw.status !== 429 && raw.status !== 402 && raw.status !== 400) return false
  const text = `${raw.type ?? ''} ${raw.apiMessage ?? ''}`
  return /spend_limit_reached|spend limit/i.test(text)
}

function bodyText(raw: APIError): string | null {
  const body = raw.error
  if (body == null) return null
  if (typeof body === 'string') return body
  return null
}

function isAbortLike(raw: unknown): boolean {
  return raw instanceof Error && raw.name === 'AbortError'
}

function describeCause(cause: Error): string {
  const inner = (cause as Error & { cause?: unknown }).cause
  const code = inner instanceof Error && 'code' in inner ? ` (${String(inner.code)})` : ''
  return `${cause.message}${code}`
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`
}
