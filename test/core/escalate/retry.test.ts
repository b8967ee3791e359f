import { describe, expect, it } from 'vitest'
import { DeliveryError } from '../../../src/main/core/escalate/http'
import {
  backoffDelay,
  DEFAULT_DELIVERY_POLICY,
  deliverWithRetry,
} from '../../../src/main/core/escalate/retry'
import { instantClock } from './instant-clock'

const policy = DEFAULT_DELIVERY_POLICY
const transient = () => new DeliveryError('HTTP 503', { retryable: true, status: 503 })

describe('backoffDelay', () => {
  it('grows by the factor, with jitter between half and all of each step', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500)
    expect(backoffDelay(1, policy, () => 1)).toBe(1000)
    expect(backoffDelay(2, policy, () => 0)).toBe(2000)
    expect(backoffDelay(2, policy, () => 1)).toBe(4000)
  })

  it('waits at least what the server asked', () => {
    expect(backoffDelay(1, policy, () => 1, 7000)).toBe(7000)
  })
})

describe('deliverWithRetry', () => {
  it('retries a transient failure with backoff, then succeeds', async () => {
    const clock = instantClock()
    let calls = 0
    const outcome = await deliverWithRetry(
      async () => {
        calls++
        if (calls < 3) throw transient()
        return 'done'
      },
      { policy, clock, random: () => 0.5 },
    )
    expect(outcome).toEqual({ ok: true, value: 'done', tries: 3 })
    expect(clock.sleeps).toEqual([750, 3000])
  })

  it('stops at the first final error', async () => {
    const clock = instantClock()
    const outcome = await deliverWithRetry(
      async () => {
        throw new DeliveryError('HTTP 401', { status: 401 })
      },
      { policy, clock },
    )
    expect(outcome.ok).toBe(false)
    expect(outcome.tries).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  it('gives up after the last try with the last error', async () => {
    const clock = instantClock()
    const outcome = await deliverWithRetry(
      async (_signal, attempt) => {
        throw new DeliveryError(`HTTP 500 (try ${attempt})`, { retryable: true })
      },
      { policy, clock },
    )
    expect(outcome).toMatchObject({ ok: false, tries: 3 })
    if (!outcome.ok) expect(outcome.error.message).toBe('HTTP 500 (try 3)')
  })

  it('does not wait for a retry-after longer than the policy allows', async () => {
    const clock = instantClock()
    const outcome = await deliverWithRetry(
      async () => {
        throw new DeliveryError('rate limited', { retryable: true, retryAfterMs: 3_600_000 })
      },
      { policy, clock },
    )
    expect(outcome.tries).toBe(1)
    if (!outcome.ok) expect(outcome.error.message).toContain('asks to wait 60 min')
    expect(clock.sleeps).toEqual([])
  })

  it('starts no try and no wait past the deadline', async () => {
    const clock = instantClock()
    const outcome = await deliverWithRetry(
      async () => {
        throw transient()
      },
      { policy, clock, random: () => 1, deadline: clock.now() + 2000 },
    )
    expect(outcome.tries).toBe(2)
    expect(clock.sleeps).toEqual([1000])
  })

  it('wraps errors that are not DeliveryErrors as final', async () => {
    const outcome = await deliverWithRetry(
      async () => {
        throw new Error('notifier crashed')
      },
      { policy, clock: instantClock() },
    )
    expect(outcome).toMatchObject({ ok: false, tries: 1 })
    if (!outcome.ok) expect(outcome.error.message).toBe('notifier crashed')
  })

  it('hands each try a signal that times out', async () => {
    const outcome = await deliverWithRetry(
      (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () =>
            reject(new DeliveryError('timed out', { retryable: true })),
          )
        }),
      { policy: { ...policy, tries: 2, timeoutMs: 30, baseDelayMs: 1 }, clock: instantClock() },
    )
    expect(outcome).toMatchObject({ ok: false, tries: 2 })
  })

  it('ends at once when the caller aborts', async () => {
    const controller = new AbortController()
    const outcome = await deliverWithRetry(
      async () => {
        controller.abort()
        throw transient()
      },
      { policy, clock: instantClock(), signal: controller.signal },
    )
    expect(outcome).toMatchObject({ ok: false, tries: 1 })
    if (!outcome.ok) expect(outcome.error.message).toMatch(/^Aborted before delivery/)
  })
})
