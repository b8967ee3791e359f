/**
 * A real HTTP server on 127.0.0.1 (random port) speaking enough of the Anthropic API for the SDK:
 * POST /v1/messages (non-streaming JSON, tool_use / tool_result turns, usage with cache fields),
 * GET /v1/models and GET /v1/models/:id. Each test scripts it with a queue of replies or a function,
 * injects errors (429 with retry-after, 529, 5xx, 401/403, spend limit, hangs, dropped connections,
 * malformed bodies), and reads the log of every request it received (headers without credentials).
 *
 *   const api = await startFakeAnthropic()
 *   api.enqueue(callTools(toolUse({ command: 'view', path: 'src/a.ts' })), say('Fixed.'))
 *   const client = createClaudeClient({ apiKey: 'sk-ant-test', baseURL: api.baseURL })
 *   …
 *   await api.close()
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { CacheSimulator, tokens } from './fake-anthropic/cache'
import { DEFAULT_FAKE_MODELS, modelInfo, type FakeModel } from './fake-anthropic/models'
import type { FakeBlock, Reply } from './fake-anthropic/replies'

export * from './fake-anthropic/replies'
export type { FakeModel } from './fake-anthropic/models'

export interface LoggedRequest {
  /** 1-based order of arrival. */
  seq: number
  method: string
  path: string
  query: Record<string, string[]>
  /** Lower-case names; `authorization` and `x-api-key` are never kept. */
  headers: Record<string, string>
  /** How the request authenticated, without the credential. */
  auth: 'bearer' | 'x-api-key' | null
  /** sha256 of the credential, first 16 hex characters, so a test can tell which key was sent. */
  credentialHash: string | null
  /** Parsed JSON, or the raw text when it did not parse. */
  body: unknown
  /** Size of the request body in bytes. */
  bytes: number
  at: number
}

/** The body of a POST /v1/messages, loosely typed for assertions. */
export interface LoggedMessageBody {
  model: string
  max_tokens: number
  system?: string | Array<{ type: string; text: string; cache_control?: { type: string } }>
  tools?: Array<{ name: string; type?: string; cache_control?: { type: string } }>
  tool_choice?: { type: string; name?: string }
  messages: Array<{ role: string; content: string | Array<Record<string, unknown>> }>
}

export type ReplyHandler = (request: LoggedRequest) => Reply | Promise<Reply>

export interface FakeAnthropicOptions {
  /** @default DEFAULT_FAKE_MODELS */
  models?: FakeModel[]
  /** Smallest prefix (in estimated tokens) the cache simulation caches. @default 0 */
  minCacheTokens?: number
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
  /** Queues replies for POST /v1/messages, answered in order. */
  enqueue(...replies: Reply[]): FakeAnthropic
  /** Answers POST /v1/messages when the queue is empty. */
  respondWith(handler: ReplyHandler): FakeAnthropic
  /** Queues replies for the models endpoints (errors, hangs), before the catalogue is consulted. */
  enqueueModels(...replies: Reply[]): FakeAnthropic
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
    const logged = log(req, url, raw)
    requests.push(logged)

    if (req.method === 'POST' && url.pathname === '/v1/messages') {
      const reply = queue.shift() ?? (handler ? await handler(logged) : null)
      if (!reply) {
        return answer(res, logged, {
          kind: 'error',
          status: 400,
          type: 'invalid_request_error',
          message: `fake-anthropic: no scripted reply left for request #${logged.seq} (POST /v1/messages)`,
        })
      }
      return answer(res, logged, reply)
    }
    if (req.method === 'GET' && url.pathname.startsWith('/v1/models')) {
      const scripted = modelQueue.shift()
      if (scripted) return answer(res, logged, scripted)
      return models(res, url, logged)
    }
    return answer(res, logged, {
      kind: 'error',
      status: 404,
      type: 'not_found_error',
      message: `fake-anthropic: ${req.method} ${url.pathname} is not served`,
    })
  }

  async function models(res: ServerResponse, url: URL, logged: LoggedRequest): Promise<void> {
    const id = decodeURIComponent(url.pathname.slice('/v1/models/'.length))
    if (url.pathname !== '/v1/models' && id) {
      const found = api.models.find((m) => m.id === id || m.aliases?.includes(id))
      if (!found) {
        return answer(res, logged, {
          kind: 'error',
          status: 404,
          type: 'not_found_error',
          message: `model: ${id}`,
        })
      }
      return send(res, 200, modelInfo(found), logged.seq)
    }
    const wanted = logged.query['lifecycle[]'] ??
      logged.query['lifecycle'] ?? ['active', 'deprecated']
    const data = api.models.filter((m) => wanted.includes(m.lifecycle)).map(modelInfo)
    send(
      res,
      200,
      {
        data,
        has_more: false,
        first_id: (data[0]?.id as string | undefined) ?? null,
        last_id: (data.at(-1)?.id as string | undefined) ?? null,
      },
      logged.seq,
    )
  }

  async function answer(res: ServerResponse, logged: LoggedRequest, reply: Reply): Promise<void> {
    switch (reply.kind) {
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, reply.ms))
        return answer(res, logged, reply.then)
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
        return send(res, reply.status, body, logged.seq, reply.headers)
      }
      case 'message':
        return send(res, 200, messageBody(logged, reply), logged.seq)
    }
  }

  function messageBody(logged: LoggedRequest, reply: Extract<Reply, { kind: 'message' }>) {
    const request = (logged.body ?? {}) as { model?: string }
    const simulated = cache.usageFor(logged.body)
    const content = reply.content.map(withResponseFields)
    const usage = {
      ...simulated,
      output_tokens: tokens(JSON.stringify(reply.content).length),
      ...reply.usage,
      cache_creation: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    }
    const hasTool = reply.content.some((block) => block.type === 'tool_use')
    return {
      id: `msg_fake_${String(++messageIds).padStart(4, '0')}`,
      type: 'message',
      role: 'assistant',
      model: reply.model ?? request.model ?? 'claude-sonnet-5-5',
      content,
      stop_reason: reply.stopReason ?? (hasTool ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage,
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
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  return api

  function log(req: IncomingMessage, url: URL, raw: Buffer): LoggedRequest {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'authorization' || name === 'x-api-key' || value === undefined) continue
      headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const xKey = req.headers['x-api-key']
    const credential = bearer ?? (typeof xKey === 'string' ? xKey : null)
    const query: Record<string, string[]> = {}
    for (const [key, value] of url.searchParams) (query[key] ??= []).push(value)
    const text = raw.toString('utf8')
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : null
    } catch {
      // Kept as text: a test may be checking what a broken client sent.
    }
    return {
      seq: requests.length + 1,
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers,
      auth: bearer ? 'bearer' : typeof xKey === 'string' ? 'x-api-key' : null,
      credentialHash: credential
        ? createHash('sha256').update(credential).digest('hex').slice(0, 16)
        : null,
      body,
      bytes: raw.length,
      at: Date.now(),
    }
  }
}

/** Response blocks carry fields request blocks do not; the SDK's types expect them. */
function withResponseFields(block: FakeBlock): Record<string, unknown> {
  if (block.type === 'text') return { ...block, citations: null }
  if (block.type === 'tool_use') return { ...block, caller: { type: 'direct' } }
  return { ...block }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  seq = 0,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'request-id': `req_fake_${seq}`,
    ...headers,
  })
  res.end(json)
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
