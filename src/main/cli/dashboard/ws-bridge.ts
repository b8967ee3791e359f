/**
 * Carries the contract over WebSocket connections: commands go through `dispatchCommand`, events are
 * serialised once and pushed to every open client. A client that cannot keep up is dropped (it
 * reconnects and fetches a fresh snapshot) rather than letting its buffer grow without bound.
 */
import type { WebSocket, WebSocketServer } from 'ws'
import { EVENT_NAMES } from '../../../shared/channels'
import type { ControllerPort } from '../../core/bridge/controller-port'
import { dispatchCommand } from '../../core/bridge/dispatch'
import type { DispatchOptions } from '../../core/bridge/dispatch'
import { parseRequest } from './protocol'
import type { CommandReply, EventFrame } from './protocol'

export interface WsBridgeOptions extends DispatchOptions {
  /** Bytes queued for one client beyond which it is dropped. @default 16 MiB */
  maxBufferedBytes?: number
  /** Commands one client may have running at once. @default 32 */
  maxInFlight?: number
  /** Ping interval that finds dead connections, ms. @default 30000 */
  heartbeatMs?: number
}

/** Wires `wss` to the engine. Returns the disposer that unsubscribes and stops the heartbeat. */
export function attachWsBridge(
  wss: WebSocketServer,
  port: ControllerPort,
  options: WsBridgeOptions = {},
): () => void {
  const maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024
  const maxInFlight = options.maxInFlight ?? 32
  const alive = new WeakMap<WebSocket, boolean>()

  const send = (ws: WebSocket, text: string): void => {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > maxBuffered) {
      ws.terminate()
      return
    }
    ws.send(text)
  }

  const unsubscribe = EVENT_NAMES.map((event) =>
    port.on(event, (payload) => {
      if (wss.clients.size === 0) return
      const frame: EventFrame = { event, payload }
      const text = JSON.stringify(frame)
      for (const ws of wss.clients) send(ws, text)
    }),
  )

  wss.on('connection', (ws) => {
    alive.set(ws, true)
    let inFlight = 0
    ws.on('pong', () => alive.set(ws, true))
    ws.on('message', (data, isBinary) => {
      const reply = (r: CommandReply) => send(ws, JSON.stringify(r))
      if (isBinary) {
        reply({
          id: null,
          ok: false,
          error: { code: 'invalid_args', message: 'Send text frames.' },
        })
        return
      }
      const request = parseRequest(data.toString())
      if ('error' in request) {
        reply({
          id: request.id,
          ok: false,
          error: { code: 'invalid_args', message: request.error },
        })
        return
      }
      if (inFlight >= maxInFlight) {
        const message = `More than ${maxInFlight} commands are running; wait for some to finish.`
        reply({ id: request.id, ok: false, error: { code: 'unavailable', message } })
        return
      }
      inFlight++
      void dispatchCommand(port, request.command, request.args, options).then((outcome) => {
        inFlight--
        reply({ id: request.id, ...outcome })
      })
    })
  })

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate()
        continue
      }
      alive.set(ws, false)
      ws.ping()
    }
  }, options.heartbeatMs ?? 30_000)
  heartbeat.unref()

  return () => {
    clearInterval(heartbeat)
    for (const off of unsubscribe) off()
  }
}
