import type { CommandHandlers, EventName, EventPayload } from '../../../shared/contract'

/**
 * What every adapter (Electron IPC, web bridge, CLI) needs of the engine: the command handlers of the
 * contract and a way to listen to its events. The Controller implements it.
 */
export interface ControllerPort {
  readonly handlers: CommandHandlers
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}
