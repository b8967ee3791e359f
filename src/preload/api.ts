/**
 * The contract's API over an IPC renderer: one function per command, `on(event, listener)` returning
 * an unsubscribe. Typed from the contract; built from the declared lists, never by hand. Kept apart
 * from index.ts (which hands it Electron's ipcRenderer) so it is tested without Electron.
 */
import { COMMAND_NAMES, EVENT_NAMES, ipcChannel } from '../shared/channels'
import type { CommandName, EventName } from '../shared/channels'
import type { CommandOutcome, FixloopApi } from '../shared/contract'

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

export function createFixloopApi(ipc: IpcRendererLike): FixloopApi {
  const commands = Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      async (args?: unknown): Promise<CommandOutcome<CommandName>> => {
        try {
          return (await ipc.invoke(
            ipcChannel.command(name),
            args ?? {},
          )) as CommandOutcome<CommandName>
        } catch (error) {
          // Arguments that cannot be cloned (functions, DOM nodes) fail here, before main sees them.
          return {
            ok: false,
            error: {
              code: 'invalid_args',
              message: `${name}: ${(error as Error)?.message ?? 'the arguments could not be sent'}`,
            },
          }
        }
      },
    ]),
  ) as unknown as Omit<FixloopApi, 'on'>

  const on = (event: EventName, listener: (payload: unknown) => void): (() => void) => {
    if (!(EVENT_NAMES as readonly string[]).includes(event))
      throw new Error(`Unknown Fixloop event: ${String(event)}`)
    if (typeof listener !== 'function')
      throw new Error('on(event, listener): listener must be a function')
    const channel = ipcChannel.event(event)
    // Only the payload crosses: the IPC event (and its `sender`, an ipcRenderer) never does.
    const wrapped = (_event: unknown, payload: unknown) => listener(payload)
    ipc.on(channel, wrapped)
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      ipc.removeListener(channel, wrapped)
    }
  }

  return Object.freeze({ ...commands, on }) as FixloopApi
}
