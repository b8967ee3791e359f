/** Why no test command could be resolved for a project. Health shows `message` as it is. */
export type CheckSetupCode =
  | 'no_package_json'
  | 'bad_package_json'
  | 'no_test_command'
  | 'runner_not_installed'
  | 'command_not_found'

/**
 * Raised by `detectRunner` when Fixloop cannot tell how to run the project's tests. The message says
 * what is missing and what to do, so the shells can show it unchanged.
 */
export class CheckSetupError extends Error {
  override readonly name = 'CheckSetupError'
  constructor(
    readonly code: CheckSetupCode,
    message: string,
  ) {
    super(message)
  }
}
