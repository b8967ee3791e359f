/**
 * A local HTTP receiver for webhook tests (Slack, email, anything that POSTs JSON). It records every
 * request and can be told to fail the next N requests with a status, or to hang (accept and never
 * answer) so timeouts can be tested. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
  /** How this request was answered. */
  answer: 'ok' | 'failed' | 'hung'
  /** Date.now() when the request had been read. */
  receivedAt: number
}

export interface FailureSpec {
  /** @default 500 */
  status?: number
  body?: string
  headers?: Record<string, string>
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  /** A URL on this receiver; `path` defaults to a Slack-like secret path. */
  url(path?: string): string
  readonly requests: ReceivedRequest[]
  /** The next `count` requests are answered with this failure. */
  failNext(count: number, failure?: FailureSpec): void
  /** The next `count` requests are accepted and never answered. */
  hangNext(count: number): void
  /** What a successful request is answered with. @default 200 'ok' */
  succeedWith(status: number, body: string): void
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = []
  const plan: Array<{ kind: 'fail'; failure: FailureSpec } | { kind: 'hang' }> = []
  const hanging = new Set<ServerResponse>()
  const waiters: Array<() => void> = []
  let success = { status: 200, body: 'ok' }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = JSON.parse(body)
      } catch {
        json = undefined
      }
      const step = plan.shift()
      const answer = step?.kind === 'fail' ? 'failed' : step?.kind === 'hang' ? 'hung' : 'ok'
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        answer,
        receivedAt: Date.now(),
      })
      for (const w of waiters.splice(0)) w()
      if (step?.kind === 'hang') {
        hanging.add(res)
        return
      }
      if (step?.kind === 'fail') {
        const { status = 500, body: failBody = 'internal error', headers = {} } = step.failure
        res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(failBody)
        return
      }
      res.writeHead(success.status, { 'content-type': 'text/plain' }).end(success.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  return {
    origin,
    url: (path = '/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX') => `${origin}${path}`,
    requests,
    failNext(count, failure = {}) {
      for (let i = 0; i < count; i++) plan.push({ kind: 'fail', failure })
    },
    hangNext(count) {
      for (let i = 0; i < count; i++) plan.push({ kind: 'hang' })
    },
    succeedWith(status, body) {
      success = { status, body }
    },
    async waitForRequests(count, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs
      while (requests.length < count) {
        if (Date.now() > until)
          throw new Error(`expected ${count} requests, got ${requests.length}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 50).unref()
        })
      }
    },
    async close() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A URL on 127.0.0.1 where nothing listens (a port that was just freed). */
export async function closedPortUrl(path = '/hook'): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}${path}`
}
