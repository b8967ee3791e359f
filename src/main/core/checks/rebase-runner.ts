/**
 * The runner of a project as it runs in another copy of it (the shadow workspace): the root, and every
 * argument that names a path under the root, move to the copy, so nothing the check reads or writes
 * is the user's own tree. Dependency folders in the copy link back to the project's, so a runner
 * resolved under `node_modules` is the same program either way.
 */
import path from 'node:path'
import type { RunnerInfo } from './types'

export function rebaseRunner(runner: RunnerInfo, to: string): RunnerInfo {
  const from = runner.root
  if (path.resolve(to) === path.resolve(from)) return runner
  const move = (arg: string) => rebasePath(arg, from, to)
  return {
    ...runner,
    root: to,
    exec: runner.exec.map(move),
    options: runner.options.map(move),
    suiteArgs: runner.suiteArgs.map(move),
    env: Object.fromEntries(Object.entries(runner.env).map(([k, v]) => [k, move(v)])),
    template: runner.template?.map(move) ?? null,
  }
}

/** `arg` with a leading `from` (the folder itself, or a path inside it) swapped for `to`. */
export function rebasePath(arg: string, from: string, to: string): string {
  if (arg === from) return to
  for (const sep of new Set([path.sep, '/'])) {
    const prefix = from.endsWith(sep) ? from : from + sep
    if (arg.startsWith(prefix)) return path.join(to, arg.slice(prefix.length))
    // `--config=/project/vitest.config.ts`: a path after an option's '='
    const eq = arg.indexOf('=')
    if (eq > 0 && arg.slice(eq + 1).startsWith(prefix))
      return `${arg.slice(0, eq + 1)}${path.join(to, arg.slice(eq + 1 + prefix.length))}`
  }
  return arg
}
