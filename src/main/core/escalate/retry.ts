/**
 * One delivery, retried: a few tries with exponential backoff and jitter, each try bounded by a
 * timeout, the whole bounded by a deadline, and never a throw. Escalation runs after a task has
 * failed; a channel that is down must cost seconds, not stall the loop.
 */
import { sleep, type Clock } from '../util/clock'
import { DeliveryError } from './http'

export interface DeliveryPolicy {
  /** Tries per delivery, the first included. @default 3 */
  tries: number
  /** Backoff before the second try; each later one is `factor` times longer. @default 1000 */
  baseDelayMs: number
  /** @default 4 */
  factor: number
  /** Longest one try may take, answer included. @default 10000 */
  timeoutMs: number
  /** Longest `retry-after` we honour; a server asking for more ends the delivery. @default 30000 */
  maxRetryAfterMs: number
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = Object.freeze({
  tries: 3,
  baseDelayMs: 1000,
  factor: 4,
  timeoutMs: 10_000,
  maxRetryAfterMs: 30_000,
})

export type DeliveryOutcome<T> =
  { ok: true; value: T; tries: number } | { ok: false; error: DeliveryError; tries: number }

export interface DeliverOptions {
  policy: DeliveryPolicy
  clock: Clock
  /** @default Math.random */
  random?: () => number
  /** Stops the delivery between or during tries (shutdown). */
  signal?: AbortSignal
  /** Epoch ms after which no try starts and no wait is begun. @default none */
  deadline?: number
}

/**
 * The wait before try `attempt + 1`: "equal jitter" on base·factor^(attempt−1), i.e. between half
 * and all of it, so retries spread out but never fire at once; at least what the server asked.
 */
export function backoffDelay(
  attempt: number,
  policy: DeliveryPolicy,
  random: () => number,
  retryAfterMs: number | null = null,
): number {
  const step = policy.baseDelayMs * policy.factor ** (attempt - 1)
  const jittered = Math.round(step / 2 + (random() * step) / 2)
  return retryAfterMs === null ? jittered : Math.max(retryAfterMs, jittered)
}

const toDeliveryError = (error: unknown): DeliveryError =>
  error instanceof DeliveryError
    ? error
    : new DeliveryError(error instanceof Error ? error.message : String(error))

export async function deliverWithRetry<T>(
  fn: (signal: AbortSignal, attempt: number) => Promise<T>,
  options: DeliverOptions,
): Promise<DeliveryOutcome<T>> {
  const {
    policy,
    clock,
    random = Math.random,
    signal,
    deadline = Number.POSITIVE_INFINITY,
  } = options
  let last: DeliveryError = new DeliveryError('Not tried: the escalation deadline had passed.')
  for (let attempt = 1; attempt <= policy.tries; attempt++) {
    if (signal?.aborted) return { ok: false, error: aborted(last, attempt - 1), tries: attempt - 1 }
    const remaining = deadline - clock.now()
    if (remaining <= 0) return { ok: false, error: last, tries: attempt - 1 }
    const timeout = AbortSignal.timeout(Math.max(1, Math.min(policy.timeoutMs, remaining)))
    const trySignal = signal ? AbortSignal.any([signal, timeout]) : timeout
    try {
      return { ok: true, value: await fn(trySignal, attempt), tries: attempt }
    } catch (error) {
      last = toDeliveryError(error)
      if (signal?.aborted) return { ok: false, error: aborted(last, attempt), tries: attempt }
      if (!last.retryable || attempt === policy.tries)
        return { ok: false, error: last, tries: attempt }
      if (last.retryAfterMs !== null && last.retryAfterMs > policy.maxRetryAfterMs) {
        const minutes = Math.ceil(last.retryAfterMs / 60_000)
        const asked = new DeliveryError(
          `${last.message} It asks to wait ${minutes} min; not waiting.`,
          {
            status: last.status,
            retryAfterMs: last.retryAfterMs,
          },
        )
        return { ok: false, error: asked, tries: attempt }
      }
      const delay = backoffDelay(attempt, policy, random, last.retryAfterMs)
      if (clock.now() + delay >= deadline) return { ok: false, error: last, tries: attempt }
      try {
        await sleep(delay, signal, clock)
      } catch {
        return { ok: false, error: aborted(last, attempt), tries: attempt }
      }
    }
  }
  return { ok: false, error: last, tries: policy.tries }
}

function aborted(last: DeliveryError, tries: number): DeliveryError {
  const before = tries > 0 ? ` (last error: ${last.message})` : ''
  return new DeliveryError(`Aborted before delivery${before}.`)
}
