/**
 * What a warm runner cannot see change by itself: an install (package.json, the lockfile, the
 * package manager's record in node_modules, the runner's own package.json), a config file that
 * appears, the TypeScript or env files a config reads. A change to any of them, as the shadow's sync brings it, starts the runner
 * again. A config file the runner already loaded (and what that config imports) is watched by
 * the worker itself, which knows exactly which files those are.
 *
 * Checked with one stat each before every run: a couple of dozen stats, well under a millisecond.
 */
import { statSync } from 'node:fs'
import path from 'node:path'

const CONFIG_EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs']

/** Project-relative files that, changed, created or deleted, restart a warm runner. */
export const RESTART_TRIGGERS: readonly string[] = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'bun.lock',
  'bun.lockb',
  '.pnp.cjs',
  // The package managers' own record of an install. Not the node_modules folder itself: runners
  // create their cache folders in it (node_modules/.vite), and the shadow's release removes them.
  'node_modules/.package-lock.json',
  'node_modules/.modules.yaml',
  'node_modules/.yarn-state.yml',
  'node_modules/.yarn-integrity',
  'tsconfig.json',
  'jsconfig.json',
  '.env',
  '.env.local',
  '.env.test',
  '.env.test.local',
  ...['vitest.config', 'vite.config', 'vitest.workspace', 'jest.config', 'babel.config'].flatMap(
    (name) => CONFIG_EXTENSIONS.map((ext) => `${name}.${ext}`),
  ),
  'jest.config.json',
  '.babelrc',
]

/** One string that changes when any trigger (or one of `extra`, absolute) changes. */
export function restartFingerprint(root: string, extra: readonly string[] = []): string {
  return [...RESTART_TRIGGERS.map((rel) => path.join(root, rel)), ...extra]
    .map((file) => stamp(file))
    .join('|')
}

/** Which trigger differs between two fingerprints of the same root, for the log. */
export function changedTrigger(
  before: string,
  after: string,
  extra: readonly string[] = [],
): string {
  const names = [...RESTART_TRIGGERS, ...extra.map((f) => path.basename(f))]
  const a = before.split('|')
  const b = after.split('|')
  const i = names.findIndex((_, n) => a[n] !== b[n])
  return names[i] ?? 'a dependency'
}

function stamp(file: string): string {
  try {
    // ctime too: a copy that keeps the mtime (the shadow's sync) still changes it.
    const s = statSync(file)
    return `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}`
  } catch {
    return '-'
  }
}
