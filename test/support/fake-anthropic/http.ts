/** The fake's HTTP plumbing: the request log (credentials hashed, never kept) and JSON answers. */
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

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
  /** Whether the body asked for server-sent events (`stream: true`). */
  streamed: boolean
  at: number
}

/** A request as the log keeps it: `seq` is its 1-based order of arrival. */
export function logRequest(
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  seq: number,
): LoggedRequest {
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
    seq,
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
    streamed: (body as { stream?: unknown } | null)?.stream === true,
    at: Date.now(),
  }
}

/** A JSON answer with the fake's request id. */
export function send(
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

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
