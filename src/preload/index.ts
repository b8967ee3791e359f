/**
 * The sandboxed preload: exposes exactly the contract's API on `window.fixloop` (api.ts), one function
 * per command and `on(event, listener)` returning an unsubscribe. `ipcRenderer` itself never crosses
 * over. Bundled as CommonJS because a sandboxed preload cannot load ES modules.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createFixloopApi } from './api'

contextBridge.exposeInMainWorld('fixloop', createFixloopApi(ipcRenderer))
