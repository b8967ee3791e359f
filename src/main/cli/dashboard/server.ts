/**
 * `fixloop watch --dashboard`: the renderer served over HTTP on 127.0.0.1, talking to the engine
 * through a WebSocket that carries the contract's commands and events — the same `ControllerPort`
 * the Electron IPC uses. See ./security.ts for what keeps other local pages and processes out.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { ControllerPort } from '../../core/bridge/controller-port'
import { WS_PATH } from './protocol'
import { isAllowedHost, isSameOrigin, newToken, securityHeaders, tokenMatches } from './security'
import { hasRenderer, readStaticFile } from './static-files'
import { attachWsBridge, neverThrowing } from './ws-bridge'
import type { WsBridgeOptions } from './ws-bridge'

export interface DashboardServerOptions extends WsBridgeOptions {
  /** The engine (its Controller) the dashboard drives. */
  port: ControllerPort
  /** The built renderer, `out/renderer` (see `builtRendererDir`). */
  rendererDir: string
  /** Only loopback: the dashboard is never reachable from another machine. @default '127.0.0.1' */
  host?: '127.0.0.1'
  /** TCP port; 0 picks a free one. @default 0 */
  listenPort?: number
  /** Largest command frame accepted, bytes. @default 1 MiB */
  maxPayloadBytes?: number
  /**
   * The access token. Pass the previous one when restarting on the same port so open pages
   * reconnect; at least 32 base64url characters. @default a fresh random token
   */
  token?: string
}

export interface DashboardServer {
  /** The address to open, with the token: `http://127.0.0.1:PORT/?token=…`. */
  readonly url: string
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  readonly listenPort: number
  readonly token: string
  /** Stops listening, closes every WebSocket (code 1001) and unsubscribes from the engine. */
  close(): Promise<void>
}

const PAGES = new Set(['/', '/index.html'])

export async function startDashboardServer(
  options: DashboardServerOptions,
): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1'
  if (host !== '127.0.0.1') throw new Error('The dashboard listens on 127.0.0.1 only.')
  const listenPort = options.listenPort ?? 0
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) {
    throw new Error(`Invalid dashboard port ${listenPort}: use 1-65535, or 0 for any free port.`)
  }
  if (!(await hasRenderer(options.rendererDir))) {
    throw new Error(
      `The dashboard is not built (no index.html in ${options.rendererDir}). Run \`npm run build\`.`,
    )
  }

  if (options.token !== undefined && !/^[A-Za-z0-9_-]{32,}$/.test(options.token)) {
    throw new Error('The dashboard token must be at least 32 base64url characters.')
  }
  const token = options.token ?? newToken()
  let actualPort = 0
  const server = createServer((req, res) => {
    void handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 1024 * 1024,
  })
  const detach = attachWsBridge(wss, options.port, options)

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = securityHeaders(actualPort)
    const refuse = (status: number, message: string) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`${message}\n`)
    }
    if (!isAllowedHost(req.headers.host, actualPort)) {
      return refuse(421, 'Wrong Host header: open the dashboard at 127.0.0.1.')
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return refuse(405, 'Method not allowed.')
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (PAGES.has(url.pathname) && !tokenMatches(token, url.searchParams.get('token'))) {
      return refuse(403, 'Open the exact address fixloop printed: it carries the access token.')
    }
    const file = await readStaticFile(options.rendererDir, url.pathname)
    if (!file) return refuse(404, 'Not found.')
    res.writeHead(200, {
      ...headers,
      'Content-Type': file.contentType,
      'Content-Length': String(file.body.length),
    })
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own error listener off a socket it hands over for an upgrade; ws adds one in
    // handleUpgrade, but a refused upgrade (or a reset before ws takes it) has none without this.
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const reason =
      url.pathname !== WS_PATH
        ? 'Not found.'
        : !isAllowedHost(req.headers.host, actualPort)
          ? 'Wrong Host header.'
          : !isSameOrigin(req.headers.origin, req.headers.host)
            ? 'Cross-origin WebSocket refused.'
            : !tokenMatches(token, url.searchParams.get('token'))
              ? 'Missing or wrong token.'
              : null
    if (reason) {
      const status = reason === 'Not found.' ? '404 Not Found' : '403 Forbidden'
      socket.end(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
      )
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      detach()
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${listenPort} on 127.0.0.1 is in use: choose another with --port.`)
          : error,
      )
    }
    server.once('error', onError)
    server.listen(listenPort, host, () => {
      server.off('error', onError)
      // From here on an error (EMFILE on accept, say) is reported, never thrown: the engine stays
      // up. Connection-level errors go to Node's default 'clientError' handling (400 and close).
      const log = neverThrowing(options.log)
      server.on('error', (error) => log('error', `Dashboard server error: ${error.message}`))
      resolve()
    })
  })
  actualPort = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${actualPort}`

  let closing: Promise<void> | null = null
  return {
    url: `${origin}/?token=${token}`,
    origin,
    listenPort: actualPort,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        detach()
        for (const ws of wss.clients) ws.close(1001, 'Fixloop is shutting down')
        wss.close()
        server.close(() => resolve())
        // Browsers keep idle HTTP connections open; do not let them hold the shutdown.
        server.closeAllConnections()
        // A client that does not answer the close handshake is cut off.
        setTimeout(() => {
          for (const ws of wss.clients) ws.terminate()
        }, 1000).unref()
      })
      return closing
    },
  }
}
