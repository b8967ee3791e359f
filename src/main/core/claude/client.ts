/**
 * The one Claude client factory. It wraps @anthropic-ai/sdk with the SDK's own retries off
 * (`maxRetries: 0`) and exactly one retry layer of ours (`retry.ts`). Every Messages request is
 * streamed (`stream-call.ts`), fitted to what the model can do first (`capability-cache.ts`,
 * `fit-request.ts`), priced (`pricing.ts`); every failure becomes a typed error (`classify.ts`);
 * every response's rate-limit headers feed the pacing (`rate-limit.ts`).
 *
 * The SDK itself is loaded on the first request, not when the client is made: it costs about
 * 150 ms and 20 MB, which a watch session with auto-fix off (or before its first failure) never
 * needs to pay at start (issue 13).
 */
import type Anthropic from '@anthropic-ai/sdk'
import type { Middleware } from '@anthropic-ai/sdk'
import type { Message, MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages'
// The index of resources/messages does not re-export this one.
import type { MessageStreamParams } from '@anthropic-ai/sdk/resources/messages/messages'
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models'
import type { Usage } from '../../../shared/domain'
import type { Capabilities } from './capabilities'
import { createCapabilityCache } from './capability-cache'
import { classifyClaudeError } from './classify'
import { resolveClientOptions, type ClaudeClientOptions } from './client-options'
import { ClaudeAbortError, ClaudeError } from './errors'
import { fitToModel, type FitNotice } from './fit-request'
import { judgeModel, type ModelCheck } from './models'
import { priceFor, usageFromResponse } from './pricing'
import { createRateLimitTracker, estimateInputTokens, type RateLimitSnapshot } from './rate-limit'
import { withRetry } from './retry'
import { streamMessage } from './stream-call'

export type { ClaudeClientOptions } from './client-options'

/**
 * A Messages API request without `stream` (every request is streamed) and with `model` optional
 * (the client's by default).
 */
export type MessageRequest = Omit<MessageCreateParamsBase, 'model' | 'stream'> & { model?: string }

export interface CallOptions {
  signal?: AbortSignal
  /** Overrides the client's wait for response headers. */
  timeoutMs?: number
  /** Overrides the client's `streamIdleTimeoutMs`. */
  idleTimeoutMs?: number
}

export interface ClaudeReply {
  /** The final message, as sent. A `max_tokens` stop may end in an incomplete tool_use block. */
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
  /** The rate limits as of this reply's headers; null when the API sent none. */
  rateLimit: RateLimitSnapshot | null
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
  /**
   * What a model (the client's by default) can do, from the models endpoint once per model, else
   * the built-in table (`source: 'table'`). Throws only `ClaudeAbortError`.
   */
  capabilities(model?: string, options?: CallOptions): Promise<Capabilities>
  /** The rate limits as of the latest response that carried them; null before any. */
  rateLimit(): RateLimitSnapshot | null
  /**
   * How long to wait before sending a request of about this many input tokens so that it does not
   * run into an exhausted bucket (0 when nothing is known or there is room). The caller waits:
   * `createMessage` does not, so a caller with a deadline can choose to.
   */
  paceDelayMs(estimatedInputTokens: number): number
}

export function createClaudeClient(options: ClaudeClientOptions): ClaudeClient {
  const { apiKey, model, clock, random, timeoutMs, idleTimeoutMs, policy } =
    resolveClientOptions(options)
  const limits = createRateLimitTracker(clock)
  // Every response, error or not, messages or models: its rate-limit headers, if any, count.
  const observeLimits: Middleware = async (request, next) => {
    const response = await next(request)
    limits.observe(response.headers)
    return response
  }
  // One instance, made on first use; every caller awaits the same one.
  let instance: Promise<Anthropic> | null = null
  const sdk = (): Promise<Anthropic> =>
    (instance ??= loadSdk().then(
      (SDK) =>
        new SDK({
          apiKey,
          baseURL: options.baseURL,
          fetch: options.fetch,
          maxRetries: 0,
          timeout: timeoutMs,
          middleware: [observeLimits],
          // The SDK logs to the console by default; errors reach the user through our typed errors.
          logLevel: 'off',
          openTelemetry: false,
        }),
    ))
  const host = hostOf(defaultBaseURL(options.baseURL))
  const context = { apiKey, host }
  const checks = new Map<string, Promise<ModelCheck>>()
  const noticed = new Set<string>()
  const caps = createCapabilityCache({
    // One try with a short wait: a Messages request is waiting on it, and the table stands in.
    retrieve: async (name) =>
      (await sdk()).models.retrieve(
        name,
        {},
        { maxRetries: 0, timeout: Math.min(timeoutMs, 10_000) },
      ),
    classify: (raw) => classifyClaudeError(raw, { ...context, now: clock.now() }),
    clock,
  })

  const run = <T>(fn: () => Promise<T>, call: CallOptions | undefined) =>
    withRetry(fn, {
      policy,
      clock,
      random,
      signal: call?.signal,
      classify: { ...context, timeoutMs: call?.timeoutMs ?? timeoutMs },
      onRetry: options.onRetry,
    })

  function notify(name: string, notice: FitNotice): void {
    const key = `${name}\u0000${notice.kind}`
    if (noticed.has(key)) return
    noticed.add(key)
    options.onNotice?.(notice.message)
  }

  async function createMessage(request: MessageRequest, call?: CallOptions): Promise<ClaudeReply> {
    if (call?.signal?.aborted) {
      throw new ClaudeAbortError('The request to the Anthropic API was aborted.', { attempts: 0 })
    }
    const name = request.model?.trim() || model
    const fitted = fitToModel({ ...request, model: name }, await caps.get(name, call?.signal))
    for (const notice of fitted.notices) notify(name, notice)
    const body = fitted.request as MessageStreamParams
    const estimate = estimateInputTokens(body)
    // Outside the retry: a missing SDK is an installation problem, not worth another try.
    const client = await sdk()
    const { value, attempts } = await run(() => {
      limits.sent(estimate)
      return streamMessage(client, body, {
        signal: call?.signal,
        timeoutMs: call?.timeoutMs ?? timeoutMs,
        idleTimeoutMs: call?.idleTimeoutMs ?? idleTimeoutMs,
        host,
      })
    }, call)
    const { message, requestId } = value
    const pricedModel = typeof message.model === 'string' && message.model ? message.model : name
    const usage = usageFromResponse(message.usage, pricedModel)
    options.onUsage?.(usage, pricedModel)
    return {
      message,
      usage,
      model: pricedModel,
      priceKnown: priceFor(pricedModel).known,
      attempts,
      requestId,
      rateLimit: limits.latest(),
    }
  }

  async function check(name: string, call?: CallOptions): Promise<ModelCheck> {
    const requestOptions = {
      signal: call?.signal,
      timeout: call?.timeoutMs ?? timeoutMs,
      maxRetries: 0,
    }
    const client = await sdk()
    let info: ModelInfo | null = null
    try {
      info = (await run(() => client.models.retrieve(name, {}, requestOptions), call)).value
      caps.remember(name, info)
    } catch (error) {
      if (!(error instanceof ClaudeError && error.status === 404)) throw error
    }
    let available: ModelInfo[] = []
    if (!info) {
      const page = await run(() => client.models.list({ limit: 100 }, requestOptions), call)
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

  return {
    model,
    host,
    createMessage,
    checkModel,
    capabilities: (name = model, call) => caps.get(name, call?.signal),
    rateLimit: () => limits.latest(),
    paceDelayMs: (tokens) => limits.paceDelayMs(tokens),
  }
}

/** Loads @anthropic-ai/sdk; a failure says what to do instead of a bare module-not-found. */
async function loadSdk(): Promise<typeof Anthropic> {
  try {
    return (await import('@anthropic-ai/sdk')).default
  } catch (error) {
    throw new Error(
      `The Anthropic SDK (@anthropic-ai/sdk) could not be loaded: ${(error as Error).message}. Reinstall Fixloop's dependencies (npm install).`,
      { cause: error },
    )
  }
}

/**
 * The base URL the SDK will use, known before it is loaded: the same precedence as its
 * constructor (the option, else ANTHROPIC_BASE_URL, else the public API).
 */
function defaultBaseURL(baseURL: string | undefined): string {
  return baseURL || process.env.ANTHROPIC_BASE_URL?.trim() || 'https://api.anthropic.com'
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the configured base URL'
  }
}
