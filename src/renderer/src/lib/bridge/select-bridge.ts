/**
 * Which bridge carries the contract: the Electron preload's `window.fixloop` when present, otherwise
 * the web dashboard's WebSocket (when the page URL carries a token), otherwise none.
 */
import { COMMAND_NAMES } from '../../../../shared/channels'
import type { FixloopApi } from '../../../../shared'
import { WsClient, dashboardSocketUrl } from './ws-client'

export type Bridge =
  | { kind: 'electron'; api: FixloopApi; client: null }
  | { kind: 'web'; api: FixloopApi; client: WsClient }
  | { kind: 'none'; api: null; client: null }

export function selectBridge(win: Window): Bridge {
  if (win.fixloop) return { kind: 'electron', api: neverRejecting(win.fixloop), client: null }
  const url = dashboardSocketUrl(win.location)
  if (url) {
    const client = new WsClient({ url })
    return { kind: 'web', api: client.api, client }
  }
  return { kind: 'none', api: null, client: null }
}

/**
 * `ipcRenderer.invoke` rejects when main has no handler for a channel (or it threw); the views expect
 * an outcome, so a rejection becomes an `unavailable` error with its reason.
 */
function neverRejecting(api: FixloopApi): FixloopApi {
  const wrapped: Record<string, unknown> = { on: api.on.bind(api) }
  for (const name of COMMAND_NAMES) {
    const call = api[name] as (args: unknown) => Promise<unknown>
    wrapped[name] = async (args: unknown) => {
      try {
        return await call(args)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return { ok: false, error: { code: 'unavailable', message: `${name} failed: ${message}` } }
      }
    }
  }
  // Same shape as the API it wraps, built by a loop TypeScript cannot follow.
  return wrapped as unknown as FixloopApi
}
