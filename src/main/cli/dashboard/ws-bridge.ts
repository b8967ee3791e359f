/**
 * Carries the contract over WebSocket connections: commands go through `dispatchCommand`, events are
 * serialised once and pushed to every open client. A client that cannot keep up is dropped (it
 * reconnects and fetches a fresh snapshot) rather than letting its buffer grow without bound.
 *
 * Nothing a client sends can throw into the engine: a frame ws refuses (too big, not UTF-8, a
 * protocol violation) closes that one connection with its close code (1009, 1007, 1002) and is
 * logged; every socket has an 'error' listener, because an EventEmitter without one throws.
 */
import type { WebSocket, WebSocketServer } from 'ws'
import { EVENT_NAMES } from '../../../shared/channels'
import type { ControllerPort } from '../../core/bridge/controller-port'
import { dispatchCommand } from '../../core/bridge/dispatch'
import type { DispatchOptions } from '../../core/bridge/dispatch'
import { parseRequest } from './protocol'
import type { CommandReply, EventFrame } from './protocol'
import { webChangeNotice, webRefusal } from './web-policy'

/** Where the dashboard reports what the terminal should see. */
export type DashboardLog = (level: 'info' | 'warn' | 'error', message: string) => void

export interface WsBridgeOptions extends DispatchOptions {
  /** Bytes queued for one client beyond which it is dropped. @default 16 MiB */
  maxBufferedBytes?: number
  /** Commands one client may have running at once. @default 32 */
  maxInFlight?: number
  /** Ping interval that finds dead connections, ms. @default 30000 */
  heartbeatMs?: number
  /**
   * Told of connections closed for a bad frame, of server errors, and of changes made from the web
   * that the person at the terminal should know of (never a secret's value). Wire it to the
   * engine's log. @default undefined (nothing is told)
   */
  log?: DashboardLog
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
  const log = neverThrowing(options.log)

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
      // This runs inside the engine's emit: whatever goes wrong here must stay here.
      try {
        const frame: EventFrame = { event, payload }
        const text = JSON.stringify(frame)
        for (const ws of wss.clients) send(ws, text)
      } catch (error) {
        log('error', `The dashboard could not send a ${event} event: ${messageOf(error)}`)
      }
    }),
  )

  wss.on('error', (error) => log('error', `Dashboard WebSocket server error: ${messageOf(error)}`))

  wss.on('connection', (ws) => {
    alive.set(ws, true)
    let inFlight = 0
    // ws has already sent the close frame with the matching code when it emits this; without a
    // listener the event would be thrown and take the engine down.
    ws.on('error', (error) =>
      log(
        'warn',
        `A dashboard connection was closed: ${messageOf(error)}. Other connections go on.`,
      ),
    )
    ws.on('pong', () => alive.set(ws, true))
    ws.on('message', (data, isBinary) => {
      const reply = (r: CommandReply) => {
        let text: string
        try {
          text = JSON.stringify(r)
        } catch (error) {
          log('error', `The dashboard could not send a reply: ${messageOf(error)}`)
          const message = 'Fixloop could not encode the answer. See the log.'
          text = JSON.stringify({ id: r.id, ok: false, error: { code: 'internal', message } })
        }
        send(ws, text)
      }
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
      const refusal = webRefusal(request.command, request.args)
      if (refusal) {
        reply({ id: request.id, ok: false, error: refusal })
        return
      }
      inFlight++
      void dispatchCommand(port, request.command, request.args, options).then((outcome) => {
        inFlight--
        const notice = outcome.ok ? webChangeNotice(request.command, request.args) : null
        if (notice) log('warn', notice)
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

/** `log`, or nothing, such that a failing logger cannot turn a reported problem into a thrown one. */
export function neverThrowing(log: DashboardLog | undefined): DashboardLog {
  return (level, message) => {
    try {
      log?.(level, message)
    } catch {
      // Reported nowhere: the logger itself is what failed.
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
