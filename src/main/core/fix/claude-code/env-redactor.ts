import { createRedactor } from '../../util/redact'
import type { Redactor } from '../../util/redact'

/** Names of variables whose values are credentials, whatever they look like. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE)/i

/**
 * A redactor for what Claude Code prints back to us (stderr, error results, text): Claude Code is
 * given the caller's environment as it is, and an error of its may quote a key it was given, so
 * every secret-looking value of that environment is redacted, then the generic patterns run.
 */
export function envRedactor(env: NodeJS.ProcessEnv): Redactor {
  const secrets = Object.entries(env)
    .filter(([name]) => SECRET_NAME.test(name))
    .map(([, value]) => value)
  return createRedactor(secrets)
}
