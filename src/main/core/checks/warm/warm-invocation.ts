/**
 * Whether a planned check can run in a warm runner, and as what: a vitest check whose command is
 * the project's vitest binary followed by `related` or `run`, or a jest check whose command is the
 * project's jest binary (what plan-checks writes), with the package that binary belongs to, whose
 * Node API the worker imports.
 */
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import type { PlannedCheck } from '../types'
import type { WorkerScript } from './worker-source'

export interface WarmInvocation {
  /** Which worker script runs it. */
  script: WorkerScript
  /** The runner's package folder (a real path). */
  packageDir: string
  /** The argv after the runner's binary, as the cold check would pass it. */
  args: string[]
  /** The `node` the command names before the binary (a Windows `.cmd` shim's), if any. */
  node: string[] | null
}

const RUNNERS = [
  { format: 'vitest-json', name: 'vitest', bin: /^vitest(\.m?js)?$/i, script: 'vitest-worker.mjs' },
  { format: 'jest-json', name: 'jest', bin: /^jest(\.c?js)?$/i, script: 'jest-worker.mjs' },
] as const

/** The check as a warm runner request, or null when it must run as its own process. */
export function warmInvocation(planned: PlannedCheck): WarmInvocation | null {
  const runner = RUNNERS.find((r) => r.format === planned.format)
  if (!runner || planned.error) return null
  const at = planned.command.findIndex((arg) => runner.bin.test(path.basename(arg)))
  const entry = planned.command[at]
  if (at < 0 || entry === undefined) return null
  const args = planned.command.slice(at + 1)
  if (runner.name === 'vitest' && args[0] !== 'related' && args[0] !== 'run') return null
  const packageDir = packageOf(entry, runner.name)
  if (!packageDir) return null
  const before = planned.command.slice(0, at)
  const node = before.length === 1 && /^node(\.exe)?$/i.test(path.basename(before[0] ?? ''))
  return { script: runner.script, packageDir, args, node: node ? before : null }
}

/** The folder of package `name` that `entry` (a bin link or a file of the package) belongs to. */
function packageOf(entry: string, name: string): string | null {
  let dir: string
  try {
    dir = path.dirname(realpathSync(entry))
  } catch {
    return null
  }
  // node_modules/vitest/vitest.mjs is at the top, node_modules/jest/bin/jest.js one below.
  for (let depth = 0; depth < 3; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown
      }
      if (manifest.name === name) return dir
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return null
}
