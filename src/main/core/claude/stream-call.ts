/**
 * One streamed Messages request: `sdk.messages.stream(…)` until `finalMessage()`. Streaming keeps
 * long replies (high max_tokens, long thinking) inside the SDK's limits and lets a stalled reply be
 * noticed. Everything thrown here goes to the retry layer, which classifies it (`classify.ts`):
 * HTTP errors before the stream, an SSE `error` event in it, or the connection breaking off.
 *
 * The SDK's timeout covers only the wait for the response headers; a stream that goes quiet after
 * them is ended here after `idleTimeoutMs` without a byte, as a timeout. Bytes, not events, keep it
 * alive: the SDK swallows the API's `ping` events, which are what a long silent think sends.
 */
import type Anthropic from '@anthropic-ai/sdk'
import type { Middleware } from '@anthropic-ai/sdk'
import type { Message } from '@anthropic-ai/sdk/resources/messages'
import type { MessageStreamParams } from '@anthropic-ai/sdk/resources/messages/messages'
import { ClaudeMalformedResponseError, ClaudeTimeoutError, formatMs } from './errors'

export interface StreamCallOptions {
  signal?: AbortSignal
  /** Wait for the response headers, in ms (the SDK's `timeout`). */
  timeoutMs: number
  /** Longest quiet spell once the stream has begun, in ms. Real time, like the SDK's timeout. */
  idleTimeoutMs: number
  /** The API's host, for messages. */
  host?: string
}

export interface StreamedMessage {
  message: Message
  requestId: string | null
}

/** Streams one request to its final message; throws whatever failed, for `classifyClaudeError`. */
export async function streamMessage(
  sdk: Anthropic,
  body: MessageStreamParams,
  options: StreamCallOptions,
): Promise<StreamedMessage> {
  const api = options.host ? `The Anthropic API at ${options.host}` : 'The Anthropic API'
  let idled = false
  const quiet = quietTimer(options.idleTimeoutMs, () => {
    idled = true
    stream.abort()
  })
  const stream = sdk.messages.stream(body, {
    signal: options.signal,
    timeout: options.timeoutMs,
    maxRetries: 0,
    middleware: [onBodyBytes(quiet.touch)],
  })
  try {
    const { response } = await stream.withResponse()
    const type = response.headers.get('content-type') ?? 'a reply without a content type'
    if (!/^text\/event-stream\b/i.test(type)) {
      stream.abort()
      throw new ClaudeMalformedResponseError(
        `${api} sent ${type.split(';')[0]} instead of an event stream.`,
      )
    }
    quiet.touch()
    const message = assertMessage(await stream.finalMessage(), api)
    return { message, requestId: stream.request_id ?? null }
  } catch (error) {
    if (idled) {
      throw new ClaudeTimeoutError(
        `${api} stopped sending mid-reply (nothing for ${formatMs(options.idleTimeoutMs)}).`,
      )
    }
    throw error
  } finally {
    quiet.stop()
  }
}

/** A 2xx whose message lacks content or usage is a malformed reply, not a crash further down the loop. */
export function assertMessage(value: unknown, api = 'The Anthropic API'): Message {
  const message = value as Partial<Message> | null
  if (typeof value !== 'object' || value === null) {
    const kind = typeof value === 'string' ? 'text instead of JSON' : String(value)
    throw new ClaudeMalformedResponseError(`${api} sent ${kind}, not a message.`)
  }
  if (!Array.isArray(message?.content)) {
    throw new ClaudeMalformedResponseError(`${api} sent a message without a content list.`)
  }
  if (typeof message?.usage !== 'object' || message.usage === null) {
    throw new ClaudeMalformedResponseError(`${api} sent a message without usage.`)
  }
  return value as Message
}

/** A timer that fires `onQuiet` when `touch` has not been called for `ms`; armed by the first touch. */
function quietTimer(ms: number, onQuiet: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  return {
    touch: () => {
      if (stopped) return
      clearTimeout(timer)
      timer = setTimeout(onQuiet, ms)
      timer.unref?.()
    },
    stop: () => {
      stopped = true
      clearTimeout(timer)
    },
  }
}

/** Per-request middleware: calls `onBytes` for every chunk of a successful response's body. */
function onBodyBytes(onBytes: () => void): Middleware {
  return async (request, next) => {
    const response = await next(request)
    if (!response.ok || !response.body) return response
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          onBytes()
          controller.enqueue(chunk)
        },
      }),
    )
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}
