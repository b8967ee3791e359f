/**
 * `FixloopApi` over the dashboard's WebSocket (the browser side of src/main/cli/dashboard). Commands
 * are `{id, command, args}` frames answered by `{id, ok, value|error}`; events arrive as
 * `{event, payload}`. The connection is re-opened with exponential backoff when it drops, and every
 * state change is reported so the page can say clearly when it is disconnected.
 */
import { COMMAND_NAMES, EVENT_NAMES } from '../../../../shared/channels'
import type { CommandName, EventName } from '../../../../shared/channels'
import type { BridgeError, FixloopApi } from '../../../../shared'

export type LinkStatus = 'connecting' | 'open' | 'closed'

export interface LinkState {
  status: LinkStatus
  /** Failed connection attempts since the link was last open. */
  attempts: number
  /** When the next attempt starts (ms since the epoch), while closed. */
  retryAt: number | null
}

export interface WsClientOptions {
  /** `ws://127.0.0.1:PORT/ws?token=…` */
  url: string
  /** First reconnect delay, ms. @default 250 */
  initialDelayMs?: number
  /** Longest reconnect delay, ms. @default 10000 */
  maxDelayMs?: number
  /** How long a command waits for the link to open before it is refused. @default 5000 */
  queueTimeoutMs?: number
  /** How long a command waits for its answer. @default 120000 */
  replyTimeoutMs?: number
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: BridgeError }
type Listener = (payload: unknown) => void

interface Pending {
  id: number
  frame: string
  resolve: (outcome: Outcome) => void
  timer: ReturnType<typeof setTimeout> | undefined
  sent: boolean
}

const unavailable = (message: string): Outcome => ({
  ok: false,
  error: { code: 'unavailable', message },
})

export class WsClient {
  readonly api: FixloopApi
  private socket: WebSocket | null = null
  private state: LinkState = { status: 'connecting', attempts: 0, retryAt: null }
  private readonly pending = new Map<number, Pending>()
  private readonly listeners = new Map<EventName, Set<Listener>>()
  private readonly stateListeners = new Set<(state: LinkState) => void>()
  private nextId = 1
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private disposed = false

  constructor(private readonly options: WsClientOptions) {
    const api: Record<string, unknown> = {
      on: (event: EventName, listener: Listener) => this.on(event, listener),
    }
    for (const name of COMMAND_NAMES) api[name] = (args: unknown) => this.call(name, args)
    // The loop above builds exactly the contract's shape; TypeScript cannot follow a loop over keys.
    this.api = api as unknown as FixloopApi
    this.open()
  }

  get link(): LinkState {
    return this.state
  }

  /** Called with every change of the link, and once at once with the current state. */
  onLink(listener: (state: LinkState) => void): () => void {
    this.stateListeners.add(listener)
    listener(this.state)
    return () => this.stateListeners.delete(listener)
  }

  /** Tries to connect now instead of waiting for the backoff. */
  reconnectNow(): void {
    if (this.state.status !== 'closed' || this.disposed) return
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.open()
  }

  dispose(): void {
    this.disposed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.socket?.close(1000)
    for (const p of this.pending.values()) this.settle(p, unavailable('The page is closing.'))
  }

  private on(event: EventName, listener: Listener): () => void {
    if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown Fixloop event: ${String(event)}`)
    const set = this.listeners.get(event) ?? new Set<Listener>()
    this.listeners.set(event, set)
    set.add(listener)
    return () => set.delete(listener)
  }

  private call(command: CommandName, args: unknown): Promise<Outcome> {
    return new Promise((resolve) => {
      const id = this.nextId++
      const frame = JSON.stringify({ id, command, args: args ?? {} })
      const p: Pending = { id, frame, resolve, sent: false, timer: undefined }
      this.pending.set(id, p)
      if (this.state.status === 'open') this.send(p)
      else p.timer = setTimeout(() => this.expire(p), this.options.queueTimeoutMs ?? 5000)
    })
  }

  private send(p: Pending): void {
    clearTimeout(p.timer)
    p.sent = true
    this.socket?.send(p.frame)
    p.timer = setTimeout(() => this.expire(p), this.options.replyTimeoutMs ?? 120_000)
  }

  private expire(p: Pending): void {
    this.settle(
      p,
      p.sent
        ? unavailable('Fixloop did not answer in time. It may still be working on it.')
        : unavailable('Not connected to Fixloop. Reconnecting — try again in a moment.'),
    )
  }

  private settle(p: Pending, outcome: Outcome): void {
    clearTimeout(p.timer)
    if (this.pending.delete(p.id)) p.resolve(outcome)
  }

  private setState(next: LinkState): void {
    this.state = next
    for (const listener of this.stateListeners) listener(next)
  }

  private open(): void {
    this.setState({ ...this.state, status: 'connecting', retryAt: null })
    let socket: WebSocket
    try {
      socket = new WebSocket(this.options.url)
    } catch {
      this.scheduleRetry()
      return
    }
    this.socket = socket
    socket.onopen = () => {
      this.setState({ status: 'open', attempts: 0, retryAt: null })
      for (const p of this.pending.values()) if (!p.sent) this.send(p)
    }
    socket.onmessage = (message) => this.receive(message.data)
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.socket = null
      for (const p of this.pending.values()) {
        if (p.sent) {
          this.settle(p, unavailable('The connection to Fixloop was lost before it answered.'))
        }
      }
      if (!this.disposed) this.scheduleRetry()
    }
  }

  private scheduleRetry(): void {
    const attempts = this.state.attempts + 1
    const initial = this.options.initialDelayMs ?? 250
    const max = this.options.maxDelayMs ?? 10_000
    // Full exponential backoff with some jitter, so several tabs do not reconnect in lockstep.
    const delay = Math.min(max, initial * 2 ** (attempts - 1)) * (0.75 + Math.random() * 0.25)
    this.setState({ status: 'closed', attempts, retryAt: Date.now() + delay })
    this.retryTimer = setTimeout(() => this.open(), delay)
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return
    let frame: Record<string, unknown>
    try {
      frame = JSON.parse(data) as Record<string, unknown>
    } catch {
      return
    }
    if (typeof frame.event === 'string') {
      for (const listener of this.listeners.get(frame.event as EventName) ?? []) {
        try {
          listener(frame.payload)
        } catch (error) {
          console.error(error)
        }
      }
      return
    }
    const p = typeof frame.id === 'number' ? this.pending.get(frame.id) : undefined
    if (!p) return
    this.settle(
      p,
      frame.ok === true
        ? { ok: true, value: frame.value }
        : { ok: false, error: frame.error as BridgeError },
    )
  }
}

/** The WebSocket address for the page the browser is on, or null when the URL has no token. */
export function dashboardSocketUrl(location: Location): string | null {
  const token = new URLSearchParams(location.search).get('token')
  if (!token || (location.protocol !== 'http:' && location.protocol !== 'https:')) return null
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`
}
