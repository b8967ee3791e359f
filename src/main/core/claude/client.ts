/**
 * The one Claude client factory. It wraps @anthropic-ai/sdk with the SDK's own retries off
 * (`maxRetries: 0`) and exactly one retry layer of ours (`retry.ts`), classifies every failure into a
 * typed error (`errors.ts`), prices every response (`pricing.ts`), and checks the model once.
 */
import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk'
import type { Message, MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages'
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models'
import type { Usage } from '../../../shared/domain'
import { systemClock, type Clock } from '../util/clock'
import { ClaudeAuthError, ClaudeError, ClaudeMalformedResponseError } from './errors'
import { DEFAULT_MODEL, judgeModel, type ModelCheck } from './models'
import { priceFor, usageFromResponse } from './pricing'
import { DEFAULT_RETRY_POLICY, withRetry, type RetryEvent, type RetryPolicy } from './retry'

export interface ClaudeClientOptions {
  /** The Anthropic API key. Never logged, never part of an error message. */
  apiKey: string
  /** @default the SDK's default (ANTHROPIC_BASE_URL, else https://api.anthropic.com) */
  baseURL?: string
  /** @default DEFAULT_MODEL ('claude-sonnet-5-5') */
  model?: string
  /** @default globalThis.fetch */
  fetch?: ClientOptions['fetch']
  /** Time for backoff sleeps and the model check's "today". @default systemClock */
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
  /** Per-request timeout. @default 600000 (the SDK's own default, 10 minutes) */
  timeoutMs?: number
  /** Called before each backoff sleep, for the log. */
  onRetry?: (event: RetryEvent) => void
  /** Called with the priced usage of every successful request, for session and day totals. */
  onUsage?: (usage: Usage, model: string) => void
}

/** A Messages API request; `model` defaults to the client's. Non-streaming only. */
export type MessageRequest = Omit<MessageCreateParamsNonStreaming, 'model' | 'stream'> & {
  model?: string
}

export interface CallOptions {
  signal?: AbortSignal
  /** Overrides the client's per-request timeout. */
  timeoutMs?: number
}

export interface ClaudeReply {
  message: Message
  /** This request's usage, priced. `requests` is 1 even when retries happened (failed tries are not billed). */
  usage: Usage
  /** The model the usage was priced for (the one the API reported). */
  model: string
  /** False when the price table did not know the model and the conservative default was used. */
  priceKnown: boolean
  /** HTTP requests made for this call, retries included. */
  attempts: number
  requestId: string | null
}

export interface ClaudeClient {
  readonly model: string
  /** The API host, for messages (never the key). */
  readonly host: string
  createMessage(request: MessageRequest, options?: CallOptions): Promise<ClaudeReply>
  /**
   * Checks a model (the client's by default) against the API once per client; later calls return the
   * same verdict. Throws `ClaudeModelError` for an unknown or retired model; deprecation is a warning.
   */
  checkModel(model?: string, options?: CallOptions): Promise<ModelCheck>
}

export function createClaudeClient(options: ClaudeClientOptions): ClaudeClient {
  const apiKey = typeof options.apiKey === 'string' ? options.apiKey.trim() : ''
  if (!apiKey) {
    throw new ClaudeAuthError(
      'No Anthropic API key is set. Add it in settings or set ANTHROPIC_API_KEY; auto-fix stays paused until then.',
    )
  }
  const model = options.model?.trim() || DEFAULT_MODEL
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 600_000)
  const policy: RetryPolicy = {
    maxAttempts: positiveInt('maxAttempts', options.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts),
    baseDelayMs: positive('baseDelayMs', options.baseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs),
    maxDelayMs: positive('maxDelayMs', options.maxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs),
    maxRetryAfterMs: positive(
      'maxRetryAfterMs',
      options.maxRetryAfterMs,
      DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    ),
  }

  const sdk = new Anthropic({
    apiKey,
    baseURL: options.baseURL,
    fetch: options.fetch,
    maxRetries: 0,
    timeout: timeoutMs,
    // The SDK logs to the console by default; errors reach the user through our typed errors instead.
    logLevel: 'off',
    openTelemetry: false,
  })
  const host = hostOf(sdk.baseURL)
  const checks = new Map<string, Promise<ModelCheck>>()

  const run = <T>(fn: () => Promise<T>, call: CallOptions | undefined) =>
    withRetry(fn, {
      policy,
      clock,
      random,
      signal: call?.signal,
      classify: { apiKey, host, timeoutMs: call?.timeoutMs ?? timeoutMs },
      onRetry: options.onRetry,
    })
  const requestOptions = (call: CallOptions | undefined) => ({
    signal: call?.signal,
    timeout: call?.timeoutMs ?? timeoutMs,
    maxRetries: 0,
  })

  async function createMessage(request: MessageRequest, call?: CallOptions): Promise<ClaudeReply> {
    const body: MessageCreateParamsNonStreaming = {
      ...request,
      model: request.model ?? model,
      stream: false,
    }
    const { value: message, attempts } = await run(
      async () => assertMessage(await sdk.messages.create(body, requestOptions(call))),
      call,
    )
    const pricedModel =
      typeof message.model === 'string' && message.model ? message.model : body.model
    const usage = usageFromResponse(message.usage, pricedModel)
    options.onUsage?.(usage, pricedModel)
    return {
      message,
      usage,
      model: pricedModel,
      priceKnown: priceFor(pricedModel).known,
      attempts,
      requestId: requestIdOf(message),
    }
  }

  async function check(name: string, call?: CallOptions): Promise<ModelCheck> {
    let info: ModelInfo | null = null
    try {
      info = (await run(() => sdk.models.retrieve(name, {}, requestOptions(call)), call)).value
    } catch (error) {
      if (!(error instanceof ClaudeError && error.status === 404)) throw error
    }
    let available: ModelInfo[] = []
    if (!info) {
      const page = await run(() => sdk.models.list({ limit: 100 }, requestOptions(call)), call)
      available = page.value.data
    }
    return judgeModel(name, info, available, new Date(clock.now()))
  }

  function checkModel(name: string = model, call?: CallOptions): Promise<ModelCheck> {
    const existing = checks.get(name)
    if (existing) return existing
    const pending = check(name, call)
    checks.set(name, pending)
    // Only a verdict is kept; a failed lookup (network, abort) may be tried again.
    pending.catch((error: unknown) => {
      if (!(error instanceof ClaudeError && error.kind === 'model')) checks.delete(name)
    })
    return pending
  }

  return { model, host, createMessage, checkModel }
}

/** A 2xx whose body is not a Message is a malformed reply, not a crash further down the loop. */
function assertMessage(value: unknown): Message {
  const message = value as Partial<Message> | null
  if (typeof value !== 'object' || value === null) {
    const kind = typeof value === 'string' ? 'text instead of JSON' : String(value)
    throw new ClaudeMalformedResponseError(`The Anthropic API sent ${kind}, not a message.`)
  }
  if (!Array.isArray(message?.content)) {
    throw new ClaudeMalformedResponseError(
      'The Anthropic API sent a message without a content list.',
    )
  }
  if (typeof message?.usage !== 'object' || message.usage === null) {
    throw new ClaudeMalformedResponseError('The Anthropic API sent a message without usage.')
  }
  return value as Message
}

function requestIdOf(message: Message): string | null {
  const id = (message as Message & { _request_id?: string | null })._request_id
  return typeof id === 'string' ? id : null
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the configured base URL'
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
