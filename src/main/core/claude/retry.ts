/**
 * The one retry layer for Claude calls (the SDK's own retries are off). It retries what the error
 * classification marks retryable, honours the server's `retry-after`, and otherwise backs off
 * exponentially with full jitter.
 */
import { sleep, type Clock } from '../util/clock'
import { classifyClaudeError, type ClassifyContext } from './classify'
import { ClaudeAbortError, type ClaudeError } from './errors'

export interface RetryPolicy {
  /** Requests per call, the first included. @default 4 */
  maxAttempts: number
  /** First backoff step without a retry-after. @default 1000 */
  baseDelayMs: number
  /** Longest backoff without a retry-after. @default 30000 */
  maxDelayMs: number
  /**
   * Longest retry-after we wait for inside one call. A server asking for more ends the call with
   * the error (its `retryAfterMs` set), so the caller can pause instead of holding a task. @default 60000
   */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
})

/**
 * How long to wait before attempt `attempt + 1`, or null for "do not retry".
 * With a retry-after: at least what the server asked, plus up to 10 % (at most 1 s) of jitter so that
 * clients told the same time do not return in lockstep. Without: full jitter on base·2^(n-1), capped.
 */
export function retryDelay(
  error: ClaudeError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (!error.retryable || attempt >= policy.maxAttempts) return null
  if (error.retryAfterMs !== null) {
    if (error.retryAfterMs > policy.maxRetryAfterMs) return null
    const span = Math.min(1000, Math.max(50, error.retryAfterMs * 0.1))
    return Math.round(error.retryAfterMs + random() * span)
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(random() * ceiling)
}

export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number
  delayMs: number
  error: ClaudeError
}

export interface RetryRunOptions {
  policy: RetryPolicy
  clock: Clock
  random: () => number
  signal?: AbortSignal
  classify: Omit<ClassifyContext, 'attempts' | 'now'>
  onRetry?: (event: RetryEvent) => void
}

/** Runs `fn` until it succeeds, fails for good, or runs out of attempts. Throws a ClaudeError. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryRunOptions,
): Promise<{ value: T; attempts: number }> {
  const { policy, clock, random, signal, onRetry } = options
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) {
      throw new ClaudeAbortError('The request to the Anthropic API was aborted.', {
        attempts: attempt - 1,
      })
    }
    try {
      return { value: await fn(attempt), attempts: attempt }
    } catch (raw) {
      const error = classifyClaudeError(raw, {
        ...options.classify,
        attempts: attempt,
        now: clock.now(),
      })
      const delayMs = retryDelay(error, attempt, policy, random)
      if (delayMs === null) {
        if (attempt > 1 && error.kind !== 'aborted') error.message += ` (after ${attempt} attempts)`
        throw error
      }
      onRetry?.({ attempt, delayMs, error })
      try {
        await sleep(delayMs, signal, clock)
      } catch {
        throw new ClaudeAbortError(
          'The request to the Anthropic API was aborted while waiting to retry.',
          {
            attempts: attempt,
          },
        )
      }
    }
  }
}
