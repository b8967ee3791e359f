/**
 * The Electron IPC bridge: one `ipcMain.handle` per contract command, and the contract's events sent
 * to the window while it exists. The decisions live in ipc-logic.ts.
 */
import { ipcMain } from 'electron'
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron'
import type { CommandName } from '../../shared/contract'
import type { ControllerPort } from '../core/bridge/controller-port'
import type { Logger } from '../core/log/logger'
import { commandHandlers, forwardEvents, isTrustedSender } from './ipc-logic'

export interface IpcOptions {
  port: ControllerPort
  /** The dashboard window, or null while there is none. */
  window: () => BrowserWindow | null
  /** Whether a URL is our renderer's (the app scheme, or the dev server). */
  isOurUrl: (url: string) => boolean
  log: Logger
  /** Sees each command's result and each event (to collect the links the window may open). */
  observe?: (kind: CommandName | 'event', value: unknown) => void
}

/** Registers the handlers and the event forwarding. Returns the disposer. */
export function registerIpc(options: IpcOptions): () => void {
  const { port, log } = options
  const handlers = commandHandlers<IpcMainInvokeEvent>({
    port,
    trusted: (event) => {
      const win = options.window()
      const target =
        win && !win.isDestroyed()
          ? { webContents: win.webContents, mainFrame: win.webContents.mainFrame }
          : null
      return isTrustedSender(event, target, options.isOurUrl)
    },
    onRefused: (command, event) =>
      log.warn(
        `IPC ${command} refused: not sent by the Fixloop window (${event.senderFrame?.url ?? 'no frame'})`,
        { source: 'ipc' },
      ),
    onInternalError: (command, error) =>
      log.error(`IPC ${command} failed: ${(error as Error)?.message ?? String(error)}`, {
        source: 'ipc',
      }),
    onResult: (command, value) => options.observe?.(command, value),
  })
  for (const [channel, handler] of handlers) ipcMain.handle(channel, handler)

  const stopForwarding = forwardEvents(port, (channel, _event, payload) => {
    options.observe?.('event', payload)
    const win = options.window()
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) {
      win.webContents.send(channel, payload)
    }
  })

  return () => {
    stopForwarding()
    for (const channel of handlers.keys()) ipcMain.removeHandler(channel)
  }
}
