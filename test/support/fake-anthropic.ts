/**
 * A real HTTP server on 127.0.0.1 (random port) speaking enough of the Anthropic API for the SDK:
 * POST /v1/messages (JSON, or server-sent events for `stream: true`; tool_use / tool_result turns,
 * thinking, usage with cache fields, stop_details, `anthropic-ratelimit-*` headers), GET /v1/models
 * and GET /v1/models/:id (with capabilities and token limits). Each test scripts it with a queue of
 * replies or a function, injects errors (429 with retry-after, 529, 5xx, 401/403, 400/402 billing,
 * spend limit, hangs, dropped connections, malformed bodies, an SSE error or a cut mid-stream), and
 * reads the log of every request it received (headers without credentials, whether it streamed).
 *
 *   const api = await startFakeAnthropic()
 *   api.enqueue(callTools(toolUse({ command: 'view', path: 'src/a.ts' })), say('Fixed.'))
 *   const client = createClaudeClient({ apiKey: 'sk-ant-test', baseURL: api.baseURL })
 *   …
 *   await api.close()
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { answer, type AnswerContext } from './fake-anthropic/answer'
import { CacheSimulator, tokens } from './fake-anthropic/cache'
import { logRequest, readBody, send, type LoggedRequest } from './fake-anthropic/http'
import { messageJson } from './fake-anthropic/message'
import { answerModels, DEFAULT_FAKE_MODELS, type FakeModel } from './fake-anthropic/models'
import { rateLimitHeaders, type FakeRateLimit } from './fake-anthropic/rate-limit'
import type { Reply } from './fake-anthropic/replies'

export * from './fake-anthropic/replies'
export * from './fake-anthropic/error-replies'
export type { LoggedRequest } from './fake-anthropic/http'
export type { FakeCapabilities, FakeEffortLevel, FakeModel } from './fake-anthropic/models'
export { DEFAULT_FAKE_MODELS } from './fake-anthropic/models'
export { DEFAULT_RATE_LIMIT } from './fake-anthropic/rate-limit'

/** The body of a POST /v1/messages, loosely typed for assertions. */
export interface LoggedMessageBody {
  model: string
  max_tokens: number
  system?: string | Array<{ type: string; text: string; cache_control?: { type: string } }>
  tools?: Array<{ name: string; type?: string; cache_control?: { type: string } }>
  tool_choice?: { type: string; name?: string }
  messages: Array<{ role: string; content: string | Array<Record<string, unknown>> }>
  stream?: boolean
  output_config?: { effort?: string; format?: unknown }
  thinking?: { type: string; budget_tokens?: number }
}

export type ReplyHandler = (request: LoggedRequest) => Reply | Promise<Reply>

export interface FakeAnthropicOptions {
  /** @default DEFAULT_FAKE_MODELS */
  models?: FakeModel[]
  /** Smallest prefix (in estimated tokens) the cache simulation caches. @default 0 */
  minCacheTokens?: number
  /**
   * Rate-limit headers on every POST /v1/messages answer, over DEFAULT_RATE_LIMIT; `false` sends
   * none (a gateway that strips them). A reply's own `rateLimit` wins. @default DEFAULT_RATE_LIMIT
   */
  rateLimit?: Partial<FakeRateLimit> | false
}

export interface FakeAnthropic {
  /** Pass as the SDK's / client's `baseURL`. */
  readonly baseURL: string
  /** Every request received, in order. */
  readonly requests: LoggedRequest[]
  /** Only the POST /v1/messages requests. */
  messageRequests(): LoggedRequest[]
  /** Bodies of the POST /v1/messages requests. */
  messageBodies(): LoggedMessageBody[]
  /** Only the GET /v1/models and /v1/models/:id requests. */
  modelRequests(): LoggedRequest[]
  /** Queues replies for POST /v1/messages, answered in order. */
  enqueue(...replies: Reply[]): FakeAnthropic
  /** Answers POST /v1/messages when the queue is empty. */
  respondWith(handler: ReplyHandler): FakeAnthropic
  /** Queues replies for the models endpoints (errors, hangs), before the catalogue is consulted. */
  enqueueModels(...replies: Reply[]): FakeAnthropic
  /** Replaces the server-wide rate-limit headers from now on (see `FakeAnthropicOptions`). */
  setRateLimit(limits: Partial<FakeRateLimit> | false): FakeAnthropic
  /** The catalogue GET /v1/models answers from; tests may change it. */
  models: FakeModel[]
  /** Scripted message replies not yet used. */
  pending(): number
  close(): Promise<void>
}

export async function startFakeAnthropic(
  options: FakeAnthropicOptions = {},
): Promise<FakeAnthropic> {
  const requests: LoggedRequest[] = []
  const queue: Reply[] = []
  const modelQueue: Reply[] = []
  const sockets = new Set<Socket>()
  const cache = new CacheSimulator(options.minCacheTokens ?? 0)
  let handler: ReplyHandler | null = null
  let serverLimits = options.rateLimit
  let messageIds = 0

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, 500, { type: 'error', error: { type: 'api_error', message: String(error) } })
      }
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const logged = logRequest(req, url, raw, requests.length + 1)
    requests.push(logged)
    const context = contextFor(res, logged)

    if (req.method === 'POST' && url.pathname === '/v1/messages') {
      const reply = queue.shift() ?? (handler ? await handler(logged) : null)
      if (reply) return answer(context, reply)
      const message = `fake-anthropic: no scripted reply left for request #${logged.seq} (POST /v1/messages)`
      return answer(context, { kind: 'error', status: 400, type: 'invalid_request_error', message })
    }
    if (req.method === 'GET' && url.pathname.startsWith('/v1/models')) {
      const scripted = modelQueue.shift()
      if (scripted) return answer(context, scripted)
      const found = answerModels(url, logged.query, api.models)
      if (found.status === 200) return send(res, 200, found.body, logged.seq)
      const { message } = found
      return answer(context, { kind: 'error', status: 404, type: 'not_found_error', message })
    }
    const message = `fake-anthropic: ${req.method} ${url.pathname} is not served`
    return answer(context, { kind: 'error', status: 404, type: 'not_found_error', message })
  }

  function contextFor(res: ServerResponse, logged: LoggedRequest): AnswerContext {
    return {
      res,
      logged,
      messageBody(reply) {
        const request = (logged.body ?? {}) as { model?: string }
        const usage = {
          ...cache.usageFor(logged.body),
          output_tokens: tokens(JSON.stringify(reply.content).length),
          ...reply.usage,
        }
        const id = `msg_fake_${String(++messageIds).padStart(4, '0')}`
        return messageJson(reply, id, request.model ?? 'claude-sonnet-5-5', usage)
      },
      limitHeaders(own) {
        // The API sends rate-limit headers on Messages answers; the models endpoint has none.
        if (logged.path !== '/v1/messages') return {}
        if (serverLimits === false && !own) return {}
        return rateLimitHeaders({ ...(serverLimits || {}), ...own })
      },
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const api: FakeAnthropic = {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    models: [...(options.models ?? DEFAULT_FAKE_MODELS)],
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    messageBodies: () => api.messageRequests().map((r) => r.body as LoggedMessageBody),
    modelRequests: () => requests.filter((r) => r.path.startsWith('/v1/models')),
    enqueue(...replies) {
      queue.push(...replies)
      return api
    },
    respondWith(fn) {
      handler = fn
      return api
    },
    enqueueModels(...replies) {
      modelQueue.push(...replies)
      return api
    },
    setRateLimit(limits) {
      serverLimits = limits
      return api
    },
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  return api
}
