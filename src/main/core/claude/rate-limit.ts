/**
 * The API's rate-limit headers (`anthropic-ratelimit-*`), read from every Messages response,
 * success or error, and the pacing that follows from them: how long the next request should wait
 * so that tasks running side by side do not walk into a 429 together.
 *
 * The buckets refill continuously; `*-reset` is when one is full again. Pacing waits for the reset
 * of the bucket that cannot cover the next request, which errs on the side of waiting a little
 * long. Requests sent since the last response are not in its headers yet, so they are debited
 * locally until the next response replaces the snapshot.
 */
import type { Clock } from '../util/clock'

export interface RateLimitSnapshot {
  requestsRemaining: number | null
  inputTokensRemaining: number | null
  outputTokensRemaining: number | null
  /** The most restrictive token bucket in effect (`anthropic-ratelimit-tokens-remaining`). */
  tokensRemaining: number | null
  /** The earliest of the buckets' resets, ms since the epoch; null when none was sent. */
  resetAt: number | null
  /** Each bucket's reset, ms since the epoch. */
  resets: {
    requests: number | null
    inputTokens: number | null
    outputTokens: number | null
    tokens: number | null
  }
  /** When the response carrying these headers arrived (the client's clock). */
  seenAt: number
}

const PREFIX = 'anthropic-ratelimit-'

/** The snapshot in `headers`, or null when they carry no rate-limit header (a gateway stripped them). */
export function readRateLimit(headers: Headers, now: number): RateLimitSnapshot | null {
  let seen = false
  const count = (name: string): number | null => {
    const raw = headers.get(PREFIX + name)
    if (raw === null || raw.trim() === '') return null
    seen = true
    const value = Number(raw)
    return Number.isFinite(value) && value >= 0 ? value : null
  }
  const time = (name: string): number | null => {
    const raw = headers.get(PREFIX + name)
    if (raw === null || raw.trim() === '') return null
    seen = true
    const at = Date.parse(raw)
    return Number.isNaN(at) ? null : at
  }
  const resets = {
    requests: time('requests-reset'),
    inputTokens: time('input-tokens-reset'),
    outputTokens: time('output-tokens-reset'),
    tokens: time('tokens-reset'),
  }
  const snapshot: RateLimitSnapshot = {
    requestsRemaining: count('requests-remaining'),
    inputTokensRemaining: count('input-tokens-remaining'),
    outputTokensRemaining: count('output-tokens-remaining'),
    tokensRemaining: count('tokens-remaining'),
    resetAt: earliest(Object.values(resets)),
    resets,
    seenAt: now,
  }
  return seen ? snapshot : null
}

export interface RateLimitTracker {
  /** Takes the headers of a response (or an error's); ignores those without rate-limit headers. */
  observe(headers: Headers | null | undefined): RateLimitSnapshot | null
  /** Debits a request about to be sent, with its estimated input tokens. */
  sent(estimatedInputTokens: number): void
  latest(): RateLimitSnapshot | null
  /** ms to wait before sending a request of about `estimatedInputTokens`; 0 when nothing is known. */
  paceDelayMs(estimatedInputTokens: number): number
}

export function createRateLimitTracker(clock: Pick<Clock, 'now'>): RateLimitTracker {
  let snapshot: RateLimitSnapshot | null = null
  let sentRequests = 0
  let sentTokens = 0
  return {
    observe(headers) {
      if (!headers) return null
      const next = readRateLimit(headers, clock.now())
      if (!next) return null
      snapshot = next
      sentRequests = 0
      sentTokens = 0
      return next
    },
    sent(tokens) {
      if (!snapshot) return
      sentRequests += 1
      sentTokens += Math.max(0, tokens)
    },
    latest: () => snapshot,
    paceDelayMs(tokens) {
      if (!snapshot) return 0
      const now = clock.now()
      const need = Math.max(0, tokens)
      let wait = 0
      const check = (remaining: number | null, resetAt: number | null, amount: number) => {
        if (remaining === null || resetAt === null || resetAt <= now) return
        if (remaining < amount) wait = Math.max(wait, resetAt - now)
      }
      const { resets } = snapshot
      check(minus(snapshot.requestsRemaining, sentRequests), resets.requests, 1)
      if (snapshot.inputTokensRemaining !== null) {
        check(minus(snapshot.inputTokensRemaining, sentTokens), resets.inputTokens, need)
      } else {
        // Only the combined bucket was sent (older tiers): input draws on it.
        check(minus(snapshot.tokensRemaining, sentTokens), resets.tokens, need)
      }
      // Output is spent as the replies are written; an empty bucket is all we can see coming.
      check(snapshot.outputTokensRemaining, resets.outputTokens, 1)
      return Math.ceil(wait)
    },
  }
}

/**
 * A cheap estimate of a request's input tokens (about four characters a token), for pacing; not
 * for billing. The API's count_tokens endpoint is exact but costs a request.
 */
export function estimateInputTokens(body: unknown): number {
  try {
    return Math.ceil(JSON.stringify(body).length / 4)
  } catch {
    return 0
  }
}

function minus(value: number | null, spent: number): number | null {
  return value === null ? null : value - spent
}

function earliest(times: Array<number | null>): number | null {
  const known = times.filter((t): t is number => t !== null)
  return known.length ? Math.min(...known) : null
}
