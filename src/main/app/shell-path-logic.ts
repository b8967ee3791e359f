/**
 * An app started from the Dock, Finder or a desktop menu does not inherit the PATH of the user's
 * login shell (on macOS it is only /usr/bin:/bin:/usr/sbin:/sbin), so `node`, `npx` and the
 * project's runners would not be found. The login shell is asked for its PATH once at start.
 */
import { execFile } from 'node:child_process'

const MARK = '__FIXLOOP_PATH__'

/** Reads the PATH between the markers, ignoring whatever a noisy profile prints around it. */
export function parseShellPath(output: string): string | null {
  const start = output.indexOf(MARK)
  const end = output.indexOf(MARK, start + MARK.length)
  if (start === -1 || end === -1) return null
  const value = output.slice(start + MARK.length, end).trim()
  return value.length > 0 ? value : null
}

/** The login shell's entries first, then the ones we had that it lacks; no duplicates. */
export function mergePaths(shellPath: string, current: string | undefined, sep = ':'): string {
  const seen = new Set<string>()
  const out: string[] = []
  for (const entry of [...shellPath.split(sep), ...(current ?? '').split(sep)]) {
    if (entry && !seen.has(entry)) {
      seen.add(entry)
      out.push(entry)
    }
  }
  return out.join(sep)
}

/**
 * Asks the user's login shell for its PATH (bounded to 3 s) and merges it into `env.PATH`.
 * Does nothing on Windows, where GUI apps get the full PATH, or when the shell cannot answer.
 */
export function loadLoginShellPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<{ changed: boolean; error?: string }> {
  if (platform === 'win32') return Promise.resolve({ changed: false })
  const shell = env.SHELL || (platform === 'darwin' ? '/bin/zsh' : '/bin/sh')
  return new Promise((resolve) => {
    execFile(
      shell,
      ['-ilc', `printf '%s%s%s' '${MARK}' "$PATH" '${MARK}'`],
      { timeout: 3000, env: { ...env, TERM: 'dumb' }, windowsHide: true },
      (error, stdout) => {
        const found = parseShellPath(String(stdout ?? ''))
        if (!found) return resolve({ changed: false, error: error?.message ?? 'no PATH printed' })
        const merged = mergePaths(found, env.PATH)
        const changed = merged !== env.PATH
        env.PATH = merged
        resolve({ changed })
      },
    )
  })
}
