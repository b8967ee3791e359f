/**
 * HTTP for the escalation channels: one request through an injected `fetch`, every failure turned
 * into a `DeliveryError` that says whether a retry can help. Messages name the service and host,
 * never the full URL (a webhook's path is its secret), and are redacted again by the escalator.
 */

export interface DeliveryErrorDetails {
  /** Whether another try can help (network, timeout, 5xx, 429). @default false */
  retryable?: boolean
  status?: number | null
  /** What the server asked us to wait, in ms. */
  retryAfterMs?: number | null
}

export class DeliveryError extends Error {
  readonly retryable: boolean
  readonly status: number | null
  readonly retryAfterMs: number | null

  constructor(message: string, details: DeliveryErrorDetails = {}) {
    super(message)
    this.name = 'DeliveryError'
    this.retryable = details.retryable ?? false
    this.status = details.status ?? null
    this.retryAfterMs = details.retryAfterMs ?? null
  }
}

export interface HttpResponse {
  status: number
  headers: Headers
  body: string
}

export interface HttpRequest {
  fetch: typeof fetch
  url: string
  method?: 'GET' | 'POST' | 'PATCH'
  headers?: Record<string, string>
  /** Sent as JSON. */
  json?: unknown
  signal: AbortSignal
  /** Who we are talking to, mid-sentence: "the Slack webhook", "GitHub". */
  service: string
}

/** Capitalises the first letter, for a service name that starts a sentence. */
export const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)

/** `https://user@host:1/x?y` → `host:1`. Null when the text is not a URL. */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).host
  } catch {
    return null
  }
}

/** Validates an endpoint up front so a typo says so, instead of "fetch failed". */
export function checkHttpUrl(url: string, what: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new DeliveryError(`${what} is not a valid URL.`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new DeliveryError(`${what} must be an http(s) URL, not ${parsed.protocol}`)
  }
  return parsed
}

/** `retry-after` (seconds or an HTTP date) in ms; null when absent or unreadable. */
export function parseRetryAfter(headers: Headers, now: number): number | null {
  const value = headers.get('retry-after')?.trim()
  if (!value) return null
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer',
  UND_ERR_BODY_TIMEOUT: 'answer stalled',
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const code = cause?.code ?? (error as { code?: string }).code
  if (code && NETWORK_CODES[code]) return `${NETWORK_CODES[code]}, ${code}`
  return code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
}

/**
 * Sends one request and reads the whole answer. Throws `DeliveryError` for network failures and
 * timeouts (retryable) and for an aborted signal (not retryable); any HTTP status is returned.
 */
export async function send(request: HttpRequest): Promise<HttpResponse> {
  const { fetch, url, method = 'POST', signal, service } = request
  const host = hostOf(url) ?? 'an invalid URL'
  const headers: Record<string, string> = { ...request.headers }
  if (request.json !== undefined) headers['content-type'] = 'application/json; charset=utf-8'
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal,
      redirect: 'error',
    })
    return { status: response.status, headers: response.headers, body: await response.text() }
  } catch (error) {
    if (signal.aborted) {
      const reason = signal.reason as { name?: string } | undefined
      if (reason?.name === 'TimeoutError') {
        throw new DeliveryError(`${service} at ${host} did not answer in time.`, {
          retryable: true,
        })
      }
      throw new DeliveryError(`The request to ${service} at ${host} was aborted.`)
    }
    throw new DeliveryError(`Could not reach ${service} at ${host} (${networkReason(error)}).`, {
      retryable: true,
    })
  }
}

/** The start of a response body, one line, for an error message. */
export function snippet(body: string, max = 200): string {
  const one = body.replace(/\s+/g, ' ').trim()
  return one.length <= max ? one : `${one.slice(0, max)}…`
}

/**
 * The generic reading of a webhook's status: 2xx is fine; 408, 429 and 5xx are worth another try
 * (429 after `retry-after`); any other status is final.
 */
export function checkWebhookStatus(
  response: HttpResponse,
  service: string,
  host: string,
  now: number,
): void {
  const { status } = response
  if (status >= 200 && status < 300) return
  const said = response.body.trim() ? `: ${snippet(response.body)}` : ''
  const retryable = status === 408 || status === 429 || status >= 500
  throw new DeliveryError(`${sentence(service)} at ${host} answered HTTP ${status}${said}.`, {
    retryable,
    status,
    retryAfterMs: parseRetryAfter(response.headers, now),
  })
}
