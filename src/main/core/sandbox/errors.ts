/**
 * Raised by `createSandbox` in mode `required` when no OS sandbox can be used. The message says why
 * and what to do, so the shells can show it unchanged.
 */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError'
  constructor(
    /** Why there is no sandbox, without the advice (e.g. "bubblewrap (bwrap) is not on PATH"). */
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}
