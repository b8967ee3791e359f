/**
 * The Claude client's options, checked up front with precise errors (a negative timeout is a bug
 * in the caller, better found at start than as a strange failure on the first request).
 */
import type { ClientOptions } from '@anthropic-ai/sdk'
import type { Usage } from '../../../shared/domain'
import { systemClock, type Clock } from '../util/clock'
import { ClaudeAuthError } from './errors'
import { DEFAULT_MODEL } from './models'
import { DEFAULT_RETRY_POLICY, type RetryEvent, type RetryPolicy } from './retry'

export interface ClaudeClientOptions {
  /** The Anthropic API key. Never logged, never part of an error message. */
  apiKey: string
  /** @default the SDK's default (ANTHROPIC_BASE_URL, else https://api.anthropic.com) */
  baseURL?: string
  /** @default DEFAULT_MODEL ('claude-sonnet-5-5') */
  model?: string
  /** @default globalThis.fetch */
  fetch?: ClientOptions['fetch']
  /** Time for backoff sleeps, the model check's "today" and rate-limit pacing. @default systemClock */
  clock?: Clock
  /** Jitter source, 0 ≤ x < 1. @default Math.random */
  random?: () => number
  /** Requests per call, the first included. @default 4 */
  maxAttempts?: number
  /** @default 1000 */
  baseDelayMs?: number
  /** @default 30000 */
  maxDelayMs?: number
  /** Longest retry-after waited for inside a call; longer ends the call. @default 60000 */
  maxRetryAfterMs?: number
  /** Wait for a response's headers. @default 600000 (the SDK's own default, 10 minutes) */
  timeoutMs?: number
  /**
   * Longest quiet spell in a streamed reply once it has begun; the API sends pings while it
   * thinks, so silence this long means the stream is stuck. @default 120000
   */
  streamIdleTimeoutMs?: number
  /** Called before each backoff sleep, for the log. */
  onRetry?: (event: RetryEvent) => void
  /** Called with the priced usage of every successful request, for session and day totals. */
  onUsage?: (usage: Usage, model: string) => void
  /**
   * Called once per model and kind when a request had to be changed to fit the model (an effort
   * level it does not take was dropped, max_tokens lowered to its ceiling), for the user.
   */
  onNotice?: (message: string) => void
}

export interface ResolvedClientOptions {
  apiKey: string
  model: string
  clock: Clock
  random: () => number
  timeoutMs: number
  idleTimeoutMs: number
  policy: RetryPolicy
}

/** The options with their defaults, or a TypeError / ClaudeAuthError naming what is wrong. */
export function resolveClientOptions(options: ClaudeClientOptions): ResolvedClientOptions {
  const apiKey = typeof options.apiKey === 'string' ? options.apiKey.trim() : ''
  if (!apiKey) {
    throw new ClaudeAuthError(
      'No Anthropic API key is set. Add it in settings or set ANTHROPIC_API_KEY; auto-fix stays paused until then.',
    )
  }
  const retry = DEFAULT_RETRY_POLICY
  return {
    apiKey,
    model: options.model?.trim() || DEFAULT_MODEL,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    timeoutMs: positive('timeoutMs', options.timeoutMs, 600_000),
    idleTimeoutMs: positive('streamIdleTimeoutMs', options.streamIdleTimeoutMs, 120_000),
    policy: {
      maxAttempts: positiveInt('maxAttempts', options.maxAttempts, retry.maxAttempts),
      baseDelayMs: positive('baseDelayMs', options.baseDelayMs, retry.baseDelayMs),
      maxDelayMs: positive('maxDelayMs', options.maxDelayMs, retry.maxDelayMs),
      maxRetryAfterMs: positive('maxRetryAfterMs', options.maxRetryAfterMs, retry.maxRetryAfterMs),
    },
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`createClaudeClient: ${name} must be a positive number, got ${value}`)
  }
  return value
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const n = positive(name, value, fallback)
  if (!Number.isInteger(n)) {
    throw new TypeError(`createClaudeClient: ${name} must be a whole number, got ${n}`)
  }
  return n
}
