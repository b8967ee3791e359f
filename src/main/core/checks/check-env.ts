/**
 * The environment a check runs in: the user's own, made non-interactive. `CI=true` keeps vitest and
 * jest out of watch mode; colour is off so reports and the output tail stay readable.
 */

/**
 * Variables a test runner sets for its own workers. Inherited by a check (Fixloop itself running
 * under vitest or `node --test`) they would make the check's runner report to the wrong parent.
 */
const RUNNER_INTERNAL =
  /^(VITEST.*|NODE_TEST_CONTEXT|JEST_WORKER_ID|TINYPOOL_.*|ELECTRON_RUN_AS_NODE)$/

export function checkEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(base))
    if (value !== undefined && !RUNNER_INTERNAL.test(key)) env[key] = value
  return { ...env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', ...extra }
}
