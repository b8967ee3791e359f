/**
 * The sandboxed preload: exposes exactly the contract's API on `window.fixloop`, one function per
 * command and `on(event, listener)` returning an unsubscribe. `ipcRenderer` itself never crosses over.
 * Bundled as CommonJS because a sandboxed preload cannot load ES modules.
 */
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { COMMAND_NAMES, EVENT_NAMES, ipcChannel } from '../shared/channels'
import type { EventName } from '../shared/channels'

const api: Record<string, unknown> = {}
for (const name of COMMAND_NAMES) {
  api[name] = (args: unknown) => ipcRenderer.invoke(ipcChannel.command(name), args ?? {})
}
api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown Fixloop event: ${String(event)}`)
  if (typeof listener !== 'function')
    throw new Error('on(event, listener): listener must be a function')
  const channel = ipcChannel.event(event)
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload)
  ipcRenderer.on(channel, wrapped)
  return () => ipcRenderer.removeListener(channel, wrapped)
}

contextBridge.exposeInMainWorld('fixloop', Object.freeze(api))
