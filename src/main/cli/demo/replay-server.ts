/**
 * A local stand-in for the Messages API that answers with a recorded transcript, in order. Only the
 * demo uses it: it lets `fixloop demo` run the real engine and the real SDK with no network and no key.
 */
import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReplayServer {
  baseURL: string
  /** Responses not yet served. */
  remaining(): number
  close(): Promise<void>
}

export async function startReplayServer(
  transcript: readonly Record<string, unknown>[],
  model: string,
): Promise<ReplayServer> {
  const queue = [...transcript]
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_demo' })
    res.end(JSON.stringify(body))
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const info = {
        type: 'model',
        id: model,
        display_name: model,
        created_at: '2026-01-01T00:00:00Z',
      }
      if (req.method === 'GET' && path === '/v1/models')
        return send(res, 200, { data: [info], has_more: false, first_id: model, last_id: model })
      if (req.method === 'GET' && path.startsWith('/v1/models/')) return send(res, 200, info)
      if (req.method === 'POST' && path === '/v1/messages') {
        const next = queue.shift()
        if (next && streamed(Buffer.concat(chunks))) return stream(res, next)
        if (next) return send(res, 200, next)
        return send(res, 500, {
          type: 'error',
          error: { type: 'api_error', message: 'the demo transcript has no more replies' },
        })
      }
      send(res, 404, { type: 'error', error: { type: 'not_found_error', message: path } })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      // Listening, an error (EMFILE on accept) loses one request, which the SDK retries; without a
      // listener it would be thrown and end the demo. Connection errors get Node's 400-and-close.
      server.on('error', () => undefined)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}`,
    remaining: () => queue.length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function streamed(body: Buffer): boolean {
  try {
    return (JSON.parse(body.toString('utf8')) as { stream?: unknown }).stream === true
  } catch {
    return false
  }
}

/** A recorded message as the API streams it: server-sent events, one block at a time. */
function stream(res: ServerResponse, message: Record<string, unknown>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_demo' })
  const event = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
  const content = (message.content ?? []) as Record<string, unknown>[]
  const usage = (message.usage ?? {}) as Record<string, unknown>
  event('message_start', {
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  })
  content.forEach((block, index) => {
    if (block.type === 'tool_use') {
      event('content_block_start', { index, content_block: { ...block, input: {} } })
      const delta = { type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) }
      event('content_block_delta', { index, delta })
    } else {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } })
      event('content_block_delta', { index, delta: { type: 'text_delta', text: block.text ?? '' } })
    }
    event('content_block_stop', { index })
  })
  event('message_delta', {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens ?? 0 },
  })
  event('message_stop', {})
  res.end()
}
