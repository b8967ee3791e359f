import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startDashboardServer } from '../../../src/main/cli/dashboard/server'
import type { DashboardServer } from '../../../src/main/cli/dashboard/server'
import { MemoryControllerPort } from '../../e2e/web/support/memory-port'

let rendererDir: string
const servers: DashboardServer[] = []
const sockets: WebSocket[] = []
const logged: Array<{ level: string; message: string }> = []

beforeAll(() => {
  rendererDir = join(mkdtempSync(join(tmpdir(), 'fixloop-dash-faults-')), 'renderer')
  mkdirSync(rendererDir, { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Fixloop</title>')
})
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await Promise.all(servers.splice(0).map((s) => s.close()))
  logged.length = 0
})
afterAll(() => rmSync(join(rendererDir, '..'), { recursive: true, force: true }))

async function start(port = new MemoryControllerPort()): Promise<DashboardServer> {
  const server = await startDashboardServer({
    port,
    rendererDir,
    log: (level, message) => logged.push({ level, message }),
  })
  servers.push(server)
  return server
}

function connect(server: DashboardServer): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.listenPort}/ws?token=${server.token}`, {
    origin: server.origin,
  })
  sockets.push(ws)
  // The server may cut the socket while a big frame is still being written.
  ws.on('error', () => undefined)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

const closeCode = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)))

/** Sends a command and resolves with its reply. */
function ask(ws: WebSocket, id: number, command: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: unknown) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>
      if (frame.id !== id) return
      ws.off('message', onMessage)
      resolve(frame)
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ id, command }))
  })
}

describe('a bad frame from a dashboard client', () => {
  it('over the size limit: that connection is closed with 1009, the others go on', async () => {
    const server = await start()
    const bad = await connect(server)
    const good = await connect(server)
    const closed = closeCode(bad)
    bad.send('x'.repeat(2 * 1024 * 1024))
    expect(await closed).toBe(1009)
    expect(await ask(good, 1, 'getSnapshot')).toMatchObject({ ok: true })
    const again = await connect(server)
    expect(await ask(again, 2, 'getSnapshot')).toMatchObject({ ok: true })
    expect(logged).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/dashboard connection was closed: Max payload size exceeded/),
    })
  })

  it('a text frame that is not UTF-8: that connection is closed with 1007, the others go on', async () => {
    const server = await start()
    const bad = await connect(server)
    const good = await connect(server)
    const closed = closeCode(bad)
    // A text frame whose three bytes are not UTF-8; the client does not check what it sends.
    bad.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false })
    expect(await closed).toBe(1007)
    expect(await ask(good, 1, 'getSnapshot')).toMatchObject({ ok: true })
    expect(logged.map((l) => l.message).join('\n')).toMatch(/invalid UTF-8/i)
  })

  it('an event the engine emits is still delivered to the clients left', async () => {
    const port = new MemoryControllerPort()
    const server = await start(port)
    const bad = await connect(server)
    const good = await connect(server)
    const closed = closeCode(bad)
    bad.send(Buffer.from([0xc3, 0x28, 0xa0]), { binary: false })
    await closed
    const seen = new Promise<unknown>((r) => good.once('message', (d) => r(JSON.parse(String(d)))))
    port.addLog('warn', 'still here', undefined)
    expect(await seen).toMatchObject({ event: 'log', payload: { message: 'still here' } })
  })
})
