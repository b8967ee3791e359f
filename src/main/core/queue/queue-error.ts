/**
 * What a refused queue transition throws. The code maps onto the contract's BridgeError codes
 * ('not_found' → 'not_found', 'conflict' → 'conflict', 'invalid' → 'invalid_args'), and the message
 * is written for the person who clicked the button.
 */
export type QueueErrorCode = 'not_found' | 'conflict' | 'invalid'

export class QueueError extends Error {
  override readonly name = 'QueueError'

  constructor(
    readonly code: QueueErrorCode,
    message: string,
  ) {
    super(message)
  }
}
