/**
 * The dashboard's WebSocket protocol, JSON text frames both ways:
 *
 *   client → server  { id, command, args }            one contract command
 *   server → client  { id, ok: true, value }          its result
 *                    { id, ok: false, error }         or a BridgeError (id null when the frame was unreadable)
 *                    { event, payload }               a contract event, pushed to every client
 *
 * The renderer's WebSocket client (src/renderer/src/lib/bridge/ws-client.ts) speaks the same; the
 * renderer may not import main code, so it declares these shapes again.
 */
import type { BridgeError, EventName } from '../../../shared/contract'

export type RequestId = string | number

export interface CommandRequest {
  id: RequestId
  command: unknown
  args?: unknown
}

export type CommandReply =
  | { id: RequestId | null; ok: true; value: unknown }
  | { id: RequestId | null; ok: false; error: BridgeError }

export interface EventFrame {
  event: EventName
  payload: unknown
}

/** The WebSocket path on the dashboard server. */
export const WS_PATH = '/ws'

/** Reads a client frame. Returns the request, or the reason it is not one. */
export function parseRequest(
  text: string,
): CommandRequest | { error: string; id: RequestId | null } {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return { error: 'The message is not JSON.', id: null }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { error: 'The message must be an object {id, command, args}.', id: null }
  }
  const { id, command, args } = data as Record<string, unknown>
  const validId =
    (typeof id === 'string' && id.length > 0 && id.length <= 100) ||
    (typeof id === 'number' && Number.isSafeInteger(id))
  if (!validId)
    return { error: 'The message needs an id (a short string or an integer).', id: null }
  return { id: id as RequestId, command, args }
}
