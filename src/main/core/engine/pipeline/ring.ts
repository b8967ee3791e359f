/**
 * How a check runs once there is a shadow workspace: its working folder is the copy, its process is
 * in the OS sandbox (writing only the copy, its temp folder and its report folder), its environment
 * is the user's without Fixloop's secrets; and its output names the project's paths, not the copy's.
 */
import type { RingOptions, WarmExecutor } from '../../checks'
import type { CheckSandbox, WorkspaceLease } from './ports'

export function ringIn(
  lease: WorkspaceLease,
  sandbox: CheckSandbox | null,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
  warm?: WarmExecutor | null,
): RingOptions {
  return {
    signal,
    env,
    tmpDir: lease.tmpDir,
    // A warm runner is started the same way: in the lease, in the sandbox, with this environment.
    ...(warm ? { warm } : {}),
    sandbox: sandbox
      ? (argv, writable, tmpDir = lease.tmpDir) =>
          sandbox.wrap(argv, {
            cwd: lease.root,
            writable: [...lease.writable, ...writable],
            tmpDir,
            readable: lease.readable,
          })
      : undefined,
  }
}

/** Text from a check in the copy, with the copy's root shown as the project's. */
export function asProjectPaths(text: string, shadowRoot: string, projectRoot: string): string {
  return text.includes(shadowRoot) ? text.split(shadowRoot).join(projectRoot) : text
}
