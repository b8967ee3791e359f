/**
 * An error a command returns to the user. `code` is what the bridges map to a BridgeError, so the UI
 * can tell "no such task" from "not now".
 */
export class EngineError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'unavailable' | 'forbidden',
    message: string,
  ) {
    super(message)
    this.name = 'EngineError'
  }
}
