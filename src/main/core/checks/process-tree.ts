/**
 * Starting a check in its own process group and ending the whole tree: test runners fork workers,
 * and a hung test may have spawned servers of its own; killing only the runner would leave them.
 *
 * POSIX: `detached: true` makes the child a process-group leader, and `kill(-pid)` signals every
 * process in the group. Windows: `taskkill /T /F` ends the tree by parent PID. A process that
 * starts its own session (setsid, daemons) escapes both; nothing short of cgroups/job objects
 * catches that.
 */
import { spawn as nodeSpawn } from 'node:child_process'
import type { ChildProcess, SpawnOptions, StdioOptions } from 'node:child_process'

/** The subset of `child_process.spawn` the runner uses; a seam for a different process launcher. */
export type SpawnFn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess

export interface TreeOptions {
  /** @default process.platform */
  platform?: NodeJS.Platform
  /** @default child_process.spawn */
  spawn?: SpawnFn
}

/** Spawns argv[0] with argv[1..] — never through a shell — as the root of a killable tree. */
export function spawnTree(
  argv: readonly string[],
  options: {
    cwd: string
    env: NodeJS.ProcessEnv
    /** @default ['ignore', 'pipe', 'pipe'] */
    stdio?: StdioOptions
  } & TreeOptions,
): ChildProcess {
  const [command, ...args] = argv
  if (command === undefined) throw new Error('spawnTree: empty command')
  const win = (options.platform ?? process.platform) === 'win32'
  const child = (options.spawn ?? nodeSpawn)(command, args, {
    cwd: options.cwd,
    env: options.env,
    shell: false,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    // On Windows `detached` would open a console window; taskkill /T finds the tree without it.
    detached: !win,
    windowsHide: true,
  })
  if (!win && child.pid !== undefined) liveGroups.add(child.pid)
  child.once('exit', () => {
    if (child.pid !== undefined) liveGroups.delete(child.pid)
  })
  trackExit()
  return child
}

/**
 * Signals the whole tree rooted at `pid`. POSIX: the process group (so it reaches members even after
 * the leader has exited). Windows: `taskkill /pid <pid> /T /F` (always forceful).
 */
export function killTree(pid: number, signal: NodeJS.Signals, options: TreeOptions = {}): void {
  if ((options.platform ?? process.platform) === 'win32') {
    const killer = (options.spawn ?? nodeSpawn)('taskkill', ['/pid', String(pid), '/T', '/F'], {
      shell: false,
      stdio: 'ignore',
      windowsHide: true,
    })
    killer.on('error', () => {}) // the tree may already be gone; nothing more can be done
    return
  }
  try {
    process.kill(-pid, signal)
  } catch (error) {
    // ESRCH: the group is already empty. EPERM cannot happen for our own children.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** Groups started by this process and not yet reaped, killed if Fixloop itself exits first. */
const liveGroups = new Set<number>()
let exitHookInstalled = false

function trackExit(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Detached groups do not die with us (Ctrl-C reaches only the foreground group): end them here.
  process.once('exit', () => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  })
}
