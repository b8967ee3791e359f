import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startDashboardServer } from '../../../src/main/cli/dashboard/server'
import type { DashboardServer } from '../../../src/main/cli/dashboard/server'
import { MemoryControllerPort } from '../../e2e/web/support/memory-port'

let rendererDir: string
let outside: string

beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'fixloop-dash-'))
  rendererDir = join(root, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Fixloop</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(rendererDir, '.env'), 'SECRET=1')
  outside = join(root, 'secret.txt')
  writeFileSync(outside, 'not for you')
})

const servers: DashboardServer[] = []
const sockets: WebSocket[] = []

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

afterAll(() => rmSync(join(rendererDir, '..'), { recursive: true, force: true }))

async function start(port = new MemoryControllerPort()): Promise<DashboardServer> {
  const server = await startDashboardServer({ port, rendererDir })
  servers.push(server)
  return server
}

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A raw HTTP GET, so the Host header can be anything (fetch does not allow setting it). */
function get(
  server: DashboardServer,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.listenPort, path, method, headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

interface WsOptions {
  origin?: string
  host?: string
  token?: string
  path?: string
}

function wsUrl(server: DashboardServer, o: WsOptions): string {
  return `ws://127.0.0.1:${server.listenPort}${o.path ?? '/ws'}?token=${o.token ?? server.token}`
}

function connect(server: DashboardServer, o: WsOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(server, o), {
    origin: o.origin ?? server.origin,
    ...(o.host ? { headers: { Host: o.host } } : {}),
  })
  sockets.push(ws)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** The HTTP status a refused upgrade answers with. */
function refusal(server: DashboardServer, o: WsOptions & { noOrigin?: boolean }): Promise<number> {
  const ws = new WebSocket(wsUrl(server, o), {
    ...(o.noOrigin ? {} : { origin: o.origin ?? server.origin }),
    ...(o.host ? { headers: { Host: o.host } } : {}),
  })
  sockets.push(ws)
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('open', () => reject(new Error('the upgrade was accepted')))
    ws.once('error', () => undefined)
  })
}

/** Collects every frame a socket receives. */
function frames(ws: WebSocket): Array<Record<string, unknown>> {
  const all: Array<Record<string, unknown>> = []
  ws.on('message', (data) => all.push(JSON.parse(String(data)) as Record<string, unknown>))
  return all
}

async function until<T>(read: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('startDashboardServer over HTTP', () => {
  it('prints a 127.0.0.1 URL carrying a 32-byte base64url token', async () => {
    const server = await start()
    expect(server.url).toBe(`http://127.0.0.1:${server.listenPort}/?token=${server.token}`)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const other = await start()
    expect(other.token).not.toBe(server.token)
  })

  it('serves the page with the token, with the security headers', async () => {
    const server = await start()
    const page = await get(server, `/?token=${server.token}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>Fixloop</title>')
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
  })

  it('refuses the page without the token or with a wrong one', async () => {
    const server = await start()
    expect((await get(server, '/')).status).toBe(403)
    expect((await get(server, '/index.html?token=abc')).status).toBe(403)
    expect((await get(server, `/?token=${server.token}x`)).status).toBe(403)
  })

  it('refuses a request whose Host is not our own address (DNS rebinding)', async () => {
    const server = await start()
    const path = `/?token=${server.token}`
    expect((await get(server, path, { Host: `evil.example:${server.listenPort}` })).status).toBe(
      421,
    )
    expect((await get(server, path, { Host: '127.0.0.1:1' })).status).toBe(421)
    expect((await get(server, path, { Host: `localhost:${server.listenPort}` })).status).toBe(200)
  })

  it('serves built assets but nothing outside the folder, no dotfiles, no writes', async () => {
    const server = await start()
    const asset = await get(server, '/assets/app.js')
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toContain('text/javascript')
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/.env',
      '/nope.js',
    ]) {
      const reply = await get(server, path)
      expect(reply.status, path).toBe(404)
      expect(reply.body).not.toContain('not for you')
    }
    expect((await get(server, '/assets/app.js', {}, 'POST')).status).toBe(405)
  })

  it('keeps a given token across a restart on the same port, and refuses a weak one', async () => {
    const first = await start()
    await first.close()
    const again = await startDashboardServer({
      port: new MemoryControllerPort(),
      rendererDir,
      listenPort: first.listenPort,
      token: first.token,
    })
    servers.push(again)
    expect(again.url).toBe(first.url)
    expect((await get(again, `/?token=${first.token}`)).status).toBe(200)
    await expect(
      startDashboardServer({ port: new MemoryControllerPort(), rendererDir, token: 'short' }),
    ).rejects.toThrow(/at least 32/)
  })

  it('refuses to start without a built renderer, or on a port in use, with a message', async () => {
    await expect(
      startDashboardServer({
        port: new MemoryControllerPort(),
        rendererDir: join(rendererDir, 'nope'),
      }),
    ).rejects.toThrow(/not built/)
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const taken = (blocker.address() as AddressInfo).port
    try {
      await expect(
        startDashboardServer({ port: new MemoryControllerPort(), rendererDir, listenPort: taken }),
      ).rejects.toThrow(/in use/)
    } finally {
      blocker.close()
    }
  })
})

describe('the dashboard WebSocket', () => {
  it('refuses a wrong or missing token', async () => {
    const server = await start()
    expect(await refusal(server, { token: 'wrong' })).toBe(403)
    expect(await refusal(server, { token: '' })).toBe(403)
  })

  it('refuses another origin, and a missing one', async () => {
    const server = await start()
    expect(await refusal(server, { origin: 'http://evil.example' })).toBe(403)
    expect(await refusal(server, { origin: `http://127.0.0.1:${server.listenPort + 1}` })).toBe(403)
    expect(await refusal(server, { noOrigin: true })).toBe(403)
  })

  it('refuses a foreign Host and any other path', async () => {
    const server = await start()
    const host = `evil.example:${server.listenPort}`
    expect(await refusal(server, { host, origin: `http://${host}` })).toBe(403)
    expect(await refusal(server, { path: '/socket' })).toBe(404)
  })

  it('answers commands with their results and their errors, by id', async () => {
    const server = await start()
    const ws = await connect(server)
    const got = frames(ws)
    ws.send(JSON.stringify({ id: 1, command: 'getSnapshot' }))
    ws.send(JSON.stringify({ id: 'b', command: 'getTask', args: { id: 'task_cart_total' } }))
    ws.send(
      JSON.stringify({ id: 3, command: 'updateSettings', args: { patch: { maxRetries: 0 } } }),
    )
    ws.send(JSON.stringify({ id: 4, command: 'format disk' }))
    ws.send('not json')
    ws.send(JSON.stringify({ command: 'getSnapshot' }))
    await until(() => (got.length >= 6 ? true : undefined))
    const byId = (id: unknown) => got.find((f) => f.id === id)
    expect(byId(1)).toMatchObject({ ok: true, value: { status: 'running' } })
    expect(byId('b')).toMatchObject({ ok: true, value: { id: 'task_cart_total' } })
    expect(byId(3)).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
    expect((byId(3)?.error as { message: string }).message).toMatch(/patch\.maxRetries/)
    expect(byId(4)).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
    const unreadable = got.filter((f) => f.id === null)
    expect(unreadable).toHaveLength(2)
  })

  it('pushes engine events to every connected client', async () => {
    const port = new MemoryControllerPort()
    const server = await start(port)
    const a = frames(await connect(server))
    const b = frames(
      await connect(server, {
        origin: `http://localhost:${server.listenPort}`,
        host: `localhost:${server.listenPort}`,
      }),
    )
    port.addLog('warn', 'breaker opened', 'task_discount')
    const seen = await until(() => (b.length > 0 && a.length > 0 ? b[0] : undefined))
    expect(seen).toMatchObject({
      event: 'log',
      payload: { message: 'breaker opened', level: 'warn' },
    })
    expect(a[0]).toEqual(seen)
  })

  it('carries command side effects as events (pause → snapshot)', async () => {
    const server = await start()
    const ws = await connect(server)
    const got = frames(ws)
    ws.send(JSON.stringify({ id: 9, command: 'pause', args: {} }))
    const event = await until(() => got.find((f) => f.event === 'snapshot'))
    expect(event).toMatchObject({ payload: { status: 'paused' } })
  })

  it('closes every client and stops listening on close()', async () => {
    const port = new MemoryControllerPort()
    const server = await start(port)
    expect(port.listenerCount()).toBeGreaterThan(0)
    const ws = await connect(server)
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
    await server.close()
    expect(await closed).toBe(1001)
    await expect(get(server, `/?token=${server.token}`)).rejects.toThrow()
    expect(port.listenerCount()).toBe(0)
  })
})
