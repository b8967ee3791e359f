/**
 * The environment a check runs in: the user's own, made non-interactive, without Fixloop's secrets.
 * `CI=true` keeps vitest and jest out of watch mode; colour is off so reports and the output tail
 * stay readable.
 */

/**
 * Variables a test runner sets for its own workers. Inherited by a check (Fixloop itself running
 * under vitest or `node --test`) they would make the check's runner report to the wrong parent.
 */
const RUNNER_INTERNAL =
  /^(VITEST.*|NODE_TEST_CONTEXT|JEST_WORKER_ID|TINYPOOL_.*|ELECTRON_RUN_AS_NODE)$/

/**
 * Fixloop's own secrets, by the names it reads them from. A check runs the project's code — and,
 * during a fix, code Claude wrote — so it must never see the API key, the GitHub token or the
 * webhook URLs: a test could print them, send them anywhere, or write them into a report.
 */
const FIXLOOP_SECRETS = /^(ANTHROPIC_.*|GITHUB_TOKEN|SLACK_WEBHOOK_URL|EMAIL_WEBHOOK_URL)$/

export function checkEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(base))
    if (value !== undefined && !RUNNER_INTERNAL.test(key) && !FIXLOOP_SECRETS.test(key))
      env[key] = value
  return { ...env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', ...extra }
}

/**
 * `env` without any variable that holds one of `secrets` (a key set from the app, or kept under a
 * name of the user's own): the base environment the engine hands its checks.
 */
export function withoutSecretValues(
  env: NodeJS.ProcessEnv,
  secrets: readonly (string | null | undefined)[],
): NodeJS.ProcessEnv {
  const values = new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))
  if (values.size === 0) return { ...env }
  const out: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && !values.has(value)) out[key] = value
  return out
}
