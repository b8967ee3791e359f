/**
 * How a check runs once there is a shadow workspace: its working folder is the copy, its process is
 * in the OS sandbox (writing only the copy, its temp folder and its report folder), its environment
 * is the user's without Fixloop's secrets; and its output names the project's paths, not the copy's.
 */
import type { RingOptions } from '../../checks'
import type { CheckSandbox, WorkspaceLease } from './ports'

export function ringIn(
  lease: WorkspaceLease,
  sandbox: CheckSandbox | null,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): RingOptions {
  return {
    signal,
    env,
    tmpDir: lease.tmpDir,
    sandbox: sandbox
      ? (argv, writable) =>
          sandbox.wrap(argv, {
            cwd: lease.root,
            writable: [...lease.writable, ...writable],
            tmpDir: lease.tmpDir,
            readable: lease.readable,
          })
      : undefined,
  }
}

/** Text from a check in the copy, with the copy's root shown as the project's. */
export function asProjectPaths(text: string, shadowRoot: string, projectRoot: string): string {
  return text.includes(shadowRoot) ? text.split(shadowRoot).join(projectRoot) : text
}
