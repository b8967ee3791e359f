/**
 * Which bridge carries the contract: the Electron preload's `window.fixloop` when present, otherwise
 * the web dashboard's WebSocket (when the page URL carries a token), otherwise none.
 */
import type { FixloopApi } from '../../../../shared'
import { WsClient, dashboardSocketUrl } from './ws-client'

export type Bridge =
  | { kind: 'electron'; api: FixloopApi; client: null }
  | { kind: 'web'; api: FixloopApi; client: WsClient }
  | { kind: 'none'; api: null; client: null }

export function selectBridge(win: Window): Bridge {
  if (win.fixloop) return { kind: 'electron', api: win.fixloop, client: null }
  const url = dashboardSocketUrl(win.location)
  if (url) {
    const client = new WsClient({ url })
    return { kind: 'web', api: client.api, client }
  }
  return { kind: 'none', api: null, client: null }
}
