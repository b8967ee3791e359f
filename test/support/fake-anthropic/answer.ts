/**
 * Writes one scripted reply to the socket: a JSON message, the server-sent events of one (for
 * `stream: true`), an API error, a raw body, a hang, a dropped connection, or a delay first.
 * Stream-only interruptions (`midStreamError`, `dropMidStream`, `stallMidStream`) get their nearest
 * HTTP equivalent when the request was not streamed.
 */
import type { ServerResponse } from 'node:http'
import { send, type LoggedRequest } from './http'
import { sse, streamEvents } from './message'
import type { FakeRateLimit, Reply } from './replies'

type MessageReply = Extract<Reply, { kind: 'message' }>

/** What an answer needs from the server: the message body and the rate-limit headers. */
export interface AnswerContext {
  res: ServerResponse
  logged: LoggedRequest
  /** The API's Message for a scripted reply (usage simulated, id assigned). */
  messageBody(reply: MessageReply): Record<string, unknown>
  /** `anthropic-ratelimit-*` headers for this answer, with the reply's own over the server's. */
  limitHeaders(own: Partial<FakeRateLimit> | undefined): Record<string, string>
}

/** The HTTP status the API uses for each `error.type`, for stream errors sent without a stream. */
const STATUS_OF_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
}

export async function answer(context: AnswerContext, reply: Reply): Promise<void> {
  const { res, logged } = context
  switch (reply.kind) {
    case 'delay':
      await new Promise((resolve) => setTimeout(resolve, reply.ms))
      return answer(context, reply.then)
    case 'hang':
      return // the socket stays open until the client gives up or close() destroys it
    case 'drop':
      res.socket?.destroy()
      return
    case 'raw':
      res.writeHead(reply.status, {
        'content-type': reply.contentType ?? 'application/json',
        'request-id': `req_fake_${logged.seq}`,
        ...reply.headers,
      })
      res.end(reply.body)
      return
    case 'error': {
      const details = reply.errorCode ? { details: { error_code: reply.errorCode } } : {}
      const body = {
        type: 'error',
        error: { type: reply.type, message: reply.message, ...details },
        request_id: `req_fake_${logged.seq}`,
      }
      const headers = { ...context.limitHeaders(reply.rateLimit), ...reply.headers }
      return send(res, reply.status, body, logged.seq, headers)
    }
    case 'message':
      return logged.streamed ? stream(context, reply) : json(context, reply)
  }
}

function json(context: AnswerContext, reply: MessageReply): Promise<void> {
  if (reply.dropMidStream) return answer(context, { kind: 'drop' })
  if (reply.stallMidStream) return answer(context, { kind: 'hang' })
  if (reply.midStreamError) {
    const { type, message } = reply.midStreamError
    const status = STATUS_OF_ERROR_TYPE[type] ?? 500
    return answer(context, { kind: 'error', status, type, message, rateLimit: reply.rateLimit })
  }
  send(context.res, 200, context.messageBody(reply), context.logged.seq, {
    ...context.limitHeaders(reply.rateLimit),
    ...reply.headers,
  })
  return Promise.resolve()
}

async function stream(context: AnswerContext, reply: MessageReply): Promise<void> {
  const { res, logged } = context
  const interrupted =
    reply.midStreamError || reply.dropMidStream || reply.stallMidStream
      ? { error: reply.midStreamError }
      : undefined
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': `req_fake_${logged.seq}`,
    ...context.limitHeaders(reply.rateLimit),
    ...reply.headers,
  })
  for (const event of streamEvents(context.messageBody(reply), reply, interrupted)) {
    if (res.destroyed) return // the client went away (aborted, timed out)
    res.write(sse(event))
    // One event per turn of the event loop, so the client reads them as they come.
    await new Promise((resolve) => setImmediate(resolve))
  }
  if (reply.stallMidStream) return // open until the client gives up or close() destroys it
  if (reply.dropMidStream) {
    res.socket?.destroy()
    return
  }
  res.end()
}
