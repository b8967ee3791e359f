/**
 * The IPC bridge's decisions, without Electron: who may call (only the main frame of our own window,
 * showing our own renderer), what a call becomes (the contract's `dispatchCommand`, which validates
 * and never throws), and which events reach the window.
 */
import { COMMAND_NAMES, EVENT_NAMES, ipcChannel } from '../../shared/channels'
import type { BridgeError, CommandName, CommandOutcome, EventName } from '../../shared/contract'
import type { ControllerPort } from '../core/bridge/controller-port'
import { dispatchCommand } from '../core/bridge/dispatch'

/** What the check needs of a frame (Electron's WebFrameMain). */
export interface FrameLike {
  readonly url: string
  readonly processId: number
  readonly routingId: number
}

/** What the check needs of a webContents: its id, unique for the app's lifetime. */
export interface ContentsLike {
  readonly id: number
}

/** What the check needs of an IPC event (Electron's IpcMainInvokeEvent). */
export interface SenderLike {
  readonly sender: ContentsLike | null
  readonly senderFrame: FrameLike | null
}

/** Our window, as the check sees it: its webContents and that webContents' main frame. */
export interface TrustedWindow {
  readonly webContents: ContentsLike
  readonly mainFrame: FrameLike | null
}

/**
 * True only when the message comes from the main frame of our window (not a subframe, not another
 * window, not a frame that has gone) and that frame shows our renderer.
 */
export function isTrustedSender(
  event: SenderLike,
  window: TrustedWindow | null,
  isOurUrl: (url: string) => boolean,
): boolean {
  if (!window || !window.mainFrame) return false
  const frame = event.senderFrame
  if (!frame) return false
  if (!event.sender || event.sender.id !== window.webContents.id) return false
  if (frame.processId !== window.mainFrame.processId) return false
  if (frame.routingId !== window.mainFrame.routingId) return false
  return typeof frame.url === 'string' && isOurUrl(frame.url)
}

export const FORBIDDEN: { ok: false; error: BridgeError } = Object.freeze({
  ok: false,
  error: Object.freeze({
    code: 'forbidden',
    message: 'Only the Fixloop window may send commands.',
  }),
}) as { ok: false; error: BridgeError }

export interface CommandHandlerOptions<E> {
  port: ControllerPort
  /** The sender check, usually `isTrustedSender` bound to the current window. */
  trusted: (event: E) => boolean
  /** Told about each refused sender (log it). @default nothing */
  onRefused?: (command: CommandName, event: E) => void
  /** Told about internal errors, whose message is hidden from the window. @default nothing */
  onInternalError?: (command: CommandName, error: unknown) => void
  /** Sees every successful result (the shell collects the links it may open). @default nothing */
  onResult?: (command: CommandName, value: unknown) => void
}

/**
 * The handler of one command's channel. The preload sends exactly one argument; more is refused.
 * Resolves to a typed outcome in every case, so nothing crosses to the window as a thrown error.
 */
export function createCommandHandler<E>(
  name: CommandName,
  options: CommandHandlerOptions<E>,
): (event: E, ...args: unknown[]) => Promise<CommandOutcome<CommandName>> {
  return async (event, ...args) => {
    let trusted: boolean
    try {
      trusted = options.trusted(event)
    } catch {
      trusted = false
    }
    if (!trusted) {
      safely(() => options.onRefused?.(name, event))
      return FORBIDDEN
    }
    if (args.length > 1) {
      return {
        ok: false,
        error: { code: 'invalid_args', message: `${name} takes one argument object.` },
      }
    }
    const outcome = await dispatchCommand(options.port, name, args[0], {
      onInternalError: options.onInternalError,
    })
    if (outcome.ok) safely(() => options.onResult?.(name, outcome.value))
    return outcome
  }
}

/** One handler per contract command, keyed by IPC channel. */
export function commandHandlers<E>(
  options: CommandHandlerOptions<E>,
): Map<string, (event: E, ...args: unknown[]) => Promise<CommandOutcome<CommandName>>> {
  return new Map(
    COMMAND_NAMES.map((name) => [ipcChannel.command(name), createCommandHandler(name, options)]),
  )
}

/**
 * Forwards every contract event to `send` (which delivers to the window if there is one).
 * Returns the unsubscribe.
 */
export function forwardEvents(
  port: ControllerPort,
  send: (channel: string, event: EventName, payload: unknown) => void,
): () => void {
  const offs = EVENT_NAMES.map((event) =>
    port.on(event, (payload) => safely(() => send(ipcChannel.event(event), event, payload))),
  )
  return () => {
    for (const off of offs) off()
  }
}

function safely(fn: () => void): void {
  try {
    fn()
  } catch {
    // A failing observer (logger, window gone mid-send) must not turn into an IPC error.
  }
}
