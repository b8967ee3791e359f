/**
 * How a warm worker is started: the project's `node` running the worker script given as text, in
 * the check's working folder and environment, wrapped in the check sandbox like a cold check (with
 * a temp folder of its own), and the key that tells this spawn from another.
 */
import { createHash } from 'node:crypto'
import { checkEnv } from '../check-env'
import { resolveNode } from '../resolve-bin'
import type { RunCheckOptions } from '../run-check'
import type { PlannedCheck } from '../types'
import type { WarmInvocation } from './warm-invocation'

export interface WorkerSpawn {
  /** The argv to spawn, wrapped in the sandbox when there is one. */
  argv: string[]
  env: NodeJS.ProcessEnv
  /** Identifies the spawn (argv, folder, environment): a worker started otherwise is not this one. */
  key: string
}

export interface WorkerSpawnInput {
  /** The worker script's text. */
  source: string
  platform?: NodeJS.Platform
  /** The worker's private temp folder in the sandbox (only asked for when there is a sandbox). */
  tmpDir: () => string
}

/** The worker's spawn, or null when there is no `node` to run it. */
export function workerSpawn(
  planned: PlannedCheck,
  invocation: WarmInvocation,
  options: RunCheckOptions,
  input: WorkerSpawnInput,
): WorkerSpawn | null {
  const env = checkEnv(options.env ?? process.env, planned.env)
  const node = invocation.node ?? resolveNode({ root: planned.cwd, env, platform: input.platform })
  if (!node) return null
  const settings = JSON.stringify({ packageDir: invocation.packageDir })
  const argv = [...node, '--input-type=module', '--eval', input.source, settings]
  const wrapped = options.sandbox ? options.sandbox(argv, [], input.tmpDir()) : argv
  const entries = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const key = createHash('sha256')
    .update(JSON.stringify([wrapped, planned.cwd, entries]))
    .digest('hex')
  return { argv: wrapped, env, key }
}
