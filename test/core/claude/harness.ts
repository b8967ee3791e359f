/**
 * What the Claude client tests share: a fake API per test, a client against it whose backoff
 * sleeps are recorded instead of slept, and a helper that expects a call to fail.
 */
import { afterEach, beforeEach, expect } from 'vitest'
import { createClaudeClient, type ClaudeClientOptions } from '../../../src/main/core/claude/client'
import { ClaudeError } from '../../../src/main/core/claude/errors'
import type { RetryEvent } from '../../../src/main/core/claude/retry'
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'

export const KEY = 'sk-ant-api03-SECRETSECRETSECRET-0123456789abcdef'

export const hello = { max_tokens: 64, messages: [{ role: 'user' as const, content: 'hello' }] }

/** Starts a fake API before each test of the file and closes it after; read `.api` in a test. */
export function useFakeApi(): { readonly api: FakeAnthropic } {
  const holder = {} as { api: FakeAnthropic }
  beforeEach(async () => {
    holder.api = await startFakeAnthropic()
  })
  afterEach(async () => {
    await holder.api.close()
  })
  return holder
}

/** A client for `api` with instant backoff (delays recorded), jitter 0.5 and 3 attempts. */
export function clientFor(api: FakeAnthropic, options: Partial<ClaudeClientOptions> = {}) {
  const { clock, delays } = instantClock()
  const retries: RetryEvent[] = []
  const notices: string[] = []
  const client = createClaudeClient({
    apiKey: KEY,
    baseURL: api.baseURL,
    clock,
    random: () => 0.5,
    maxAttempts: 3,
    onRetry: (event) => retries.push(event),
    onNotice: (message) => notices.push(message),
    ...options,
  })
  return { client, delays, retries, notices }
}

/** The ClaudeError `promise` rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<ClaudeError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ClaudeError)
    return error as ClaudeError
  }
  throw new Error('expected the call to fail')
}
