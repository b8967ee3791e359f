/**
 * Every failure of a Claude call is classified here, where it enters, into one typed error from
 * `errors.ts`. Four shapes arrive from the SDK: an HTTP error status (`APIError` with `status`), an
 * SSE `error` event in the middle of a streamed reply (`APIError` without status, with the body's
 * `error.type`, e.g. overloaded_error), no answer at all (`APIConnectionError`, its timeout
 * subclass, a user abort), and a stream that broke after it began (`AnthropicError` wrapping the
 * socket's error, or saying the stream ended early). The first two go to `classify-api-error.ts`.
 *
 * Messages are written for the developer (what happened, where, what to do) and never contain the
 * API key: they are built from our own words, the API's host and its `error.message`, and pass
 * through `redactSecrets`. The SDK's error is deliberately not kept as `cause`, so logging an error
 * with `util.inspect` can never reach a request's headers.
 */
// The SDK's error classes from their own small module (the same classes its index re-exports), so
// classifying does not load the whole SDK, which client.ts loads only on the first request.
import {
  AnthropicError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk/core/error'
import { classifyApiError } from './classify-api-error'
import {
  ClaudeAbortError,
  ClaudeConnectionError,
  ClaudeError,
  ClaudeMalformedResponseError,
  ClaudeTimeoutError,
  formatMs,
  redactSecrets,
} from './errors'

export interface ClassifyContext {
  apiKey?: string
  attempts?: number
  /** Request timeout, for the message. */
  timeoutMs?: number
  /** The API's host, for messages (never the key). */
  host?: string
  now?: number
}

/** Turns anything a Claude call threw into one ClaudeError. */
export function classifyClaudeError(raw: unknown, context: ClassifyContext = {}): ClaudeError {
  const { apiKey, attempts = 1 } = context
  const redact = (text: string) => redactSecrets(text, apiKey)
  const api = context.host ? `the Anthropic API at ${context.host}` : 'the Anthropic API'
  if (raw instanceof ClaudeError) {
    raw.attempts = attempts
    return raw
  }
  if (raw instanceof APIUserAbortError || isAbortLike(raw)) {
    return new ClaudeAbortError('The request to the Anthropic API was aborted.', { attempts })
  }
  if (raw instanceof APIConnectionTimeoutError) {
    const within = context.timeoutMs ? ` within ${formatMs(context.timeoutMs)}` : ''
    return new ClaudeTimeoutError(`${capital(api)} did not answer${within}.`, { attempts })
  }
  if (raw instanceof APIError && raw.status === undefined) {
    // An SSE `error` event carries the API's error body; a connection failure carries none.
    if (raw.type || raw.apiMessage) return classifyApiError(raw, context, true)
    const cause = raw.cause instanceof Error ? `: ${describeCause(raw.cause)}` : ''
    return new ClaudeConnectionError(redact(`Could not reach ${api}${cause}.`), { attempts })
  }
  if (raw instanceof APIError) return classifyApiError(raw, context, false)
  if (raw instanceof AnthropicError) return classifyBrokenStream(raw, api, attempts, redact)
  if (raw instanceof SyntaxError) {
    return new ClaudeMalformedResponseError(
      redact(`${capital(api)} sent a reply that is not valid JSON (${raw.message}).`),
      { attempts },
    )
  }
  const message = raw instanceof Error ? raw.message : String(raw)
  return new ClaudeConnectionError(redact(`The call to ${api} failed: ${message}`), { attempts })
}

/** How undici words a socket that went away mid-body, and the codes Node gives network errors. */
const NETWORK = /terminated|fetch failed|socket|network|ECONN|EPIPE|ETIMEDOUT|closed/i

/**
 * What the SDK's MessageStream throws when the stream itself failed: the socket's error wrapped in
 * an AnthropicError (`cause`), a JSON.parse error of an event, an event the SDK could not fold into
 * the message (a TypeError), or its own "ended without …" checks.
 */
function classifyBrokenStream(
  raw: AnthropicError,
  api: string,
  attempts: number,
  redact: (text: string) => string,
): ClaudeError {
  const cause = (raw as AnthropicError & { cause?: unknown }).cause
  if (cause instanceof SyntaxError) {
    return new ClaudeMalformedResponseError(
      redact(`${capital(api)} sent a stream event that is not valid JSON (${cause.message}).`),
      { attempts },
    )
  }
  if (/ended without|without sending any chunks|unexpected event order/i.test(raw.message)) {
    return new ClaudeMalformedResponseError(
      `${capital(api)}'s event stream ended before the message was complete.`,
      { attempts },
    )
  }
  const why = cause instanceof Error ? describeCause(cause) : raw.message
  if (cause instanceof TypeError && !NETWORK.test(why)) {
    return new ClaudeMalformedResponseError(
      redact(`${capital(api)} sent an event stream that does not make a message (${why}).`),
      { attempts },
    )
  }
  return new ClaudeConnectionError(
    redact(`The connection to ${api} broke off mid-reply (${why}).`),
    { attempts },
  )
}

function isAbortLike(raw: unknown): boolean {
  return raw instanceof Error && raw.name === 'AbortError'
}

function describeCause(cause: Error): string {
  const inner = (cause as Error & { cause?: unknown }).cause
  if (!(inner instanceof Error)) return cause.message
  const code = 'code' in inner ? ` (${String(inner.code)})` : ''
  return code ? `${cause.message}${code}` : `${cause.message}: ${inner.message}`
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
