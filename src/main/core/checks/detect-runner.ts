/**
 * Works out how to run a project's tests: the settings' `testCommand` first, then package.json
 * (vitest, jest, node's test runner, or any other `test` script run whole through the package
 * manager). Binaries are resolved here, once, so every later run spawns without a shell.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Settings } from '../../../shared/settings'
import { CheckSetupError } from './errors'
import { resolveExecutable, resolveNode } from './resolve-bin'
import { keptOptions, splitNodeArgs } from './script-options'
import { splitCommands, splitShellWords } from './shell-words'
import type { RunnerInfo } from './types'

export interface DetectOptions {
  /** @default process.platform */
  platform?: NodeJS.Platform
  /** Used for PATH lookups. @default process.env */
  env?: NodeJS.ProcessEnv
}

interface PackageJson {
  scripts?: Record<string, unknown>
  dependencies?: Record<string, unknown>
  devDependencies?: Record<string, unknown>
}

/** npm's placeholder for "no tests", which exits 1 on purpose. */
const NPM_DEFAULT_TEST = /no test specified/

/** Launchers that only run the next word (`npx vitest`, `cross-env A=1 jest`). */
const LAUNCHERS = new Set(['npx', 'pnpx', 'bunx', 'cross-env', 'dotenv', 'env'])

/**
 * Detects the project's test runner.
 *
 * @throws CheckSetupError when there is no usable test command (health shows the message).
 */
export function detectRunner(
  root: string,
  settings: Pick<Settings, 'testCommand'>,
  options: DetectOptions = {},
): RunnerInfo {
  const absRoot = path.resolve(root)
  const resolve = { root: absRoot, platform: options.platform, env: options.env }
  if (settings.testCommand) return configRunner(absRoot, settings.testCommand, resolve)

  const pkg = readPackageJson(absRoot)
  const script = typeof pkg.scripts?.test === 'string' ? pkg.scripts.test.trim() : ''
  const deps = { ...pkg.dependencies, ...pkg.devDependencies }
  const commands =
    script && !NPM_DEFAULT_TEST.test(script) ? splitCommands(splitShellWords(script)) : []

  for (const words of commands) {
    const call = unwrapLaunchers(words)
    if (!call) continue
    const bin = path.basename(call.words[0] ?? '').replace(/\.(cmd|exe|js|mjs)$/i, '')
    if (bin === 'vitest' || bin === 'jest')
      return graphRunner(bin, call, resolve, 'the test script')
    if ((bin === 'node' || bin === 'tsx') && call.words.includes('--test'))
      return nodeRunner(bin, call, resolve)
  }
  if (commands.length === 0) {
    // No script, but the runner is a dependency: `vitest` / `jest` with their defaults.
    for (const bin of ['vitest', 'jest'] as const)
      if (bin in deps) return graphRunner(bin, { words: [bin], env: {} }, resolve, 'package.json')
    throw new CheckSetupError(
      'no_test_command',
      `No test command for ${absRoot}: package.json has no "test" script and no vitest or jest ` +
        'dependency. Add a "test" script, or set "testCommand" in fixloop.config.json.',
    )
  }
  return packageManagerRunner(absRoot, resolve)
}

function readPackageJson(root: string): PackageJson {
  const file = path.join(root, 'package.json')
  if (!existsSync(file))
    throw new CheckSetupError(
      'no_package_json',
      `No package.json in ${root}, so the test runner cannot be detected. ` +
        'Set "testCommand" in fixloop.config.json (e.g. ["pytest", "{tests}"]).',
    )
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as PackageJson
    throw new Error('not an object')
  } catch (error) {
    throw new CheckSetupError(
      'bad_package_json',
      `package.json in ${root} cannot be read (${(error as Error).message}); fix it so the test ` +
        'runner can be detected.',
    )
  }
}

interface ScriptCall {
  /** The command's words from the binary on. */
  words: string[]
  env: Record<string, string>
}

function unwrapLaunchers(words: readonly string[]): ScriptCall | null {
  const env: Record<string, string> = {}
  let i = 0
  for (; i < words.length; i++) {
    const word = words[i] as string
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word)
    if (assignment) env[assignment[1] as string] = assignment[2] as string
    else if (
      LAUNCHERS.has(word) ||
      (word.startsWith('-') && i > 0 && LAUNCHERS.has(words[i - 1] ?? ''))
    )
      continue
    else break
  }
  return i < words.length ? { words: words.slice(i), env } : null
}

type Resolve = { root: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv }

function graphRunner(
  kind: 'vitest' | 'jest',
  call: ScriptCall,
  resolve: Resolve,
  from: string,
): RunnerInfo {
  const exec = resolveExecutable(kind, { ...resolve, searchPath: false })
  if (!exec)
    throw new CheckSetupError(
      'runner_not_installed',
      `${kind} is named in ${from} but is not installed in ${resolve.root} ` +
        "(no node_modules/.bin entry): run your package manager's install.",
    )
  return {
    kind,
    root: resolve.root,
    exec,
    options: keptOptions(kind, call.words.slice(1)),
    suiteArgs: [],
    env: call.env,
    template: null,
    description: `${kind} (${exec.join(' ')}, from ${from})`,
  }
}

function nodeRunner(bin: 'node' | 'tsx', call: ScriptCall, resolve: Resolve): RunnerInfo {
  const exec =
    bin === 'node'
      ? resolveNode(resolve)
      : resolveExecutable('tsx', { ...resolve, searchPath: false })
  if (!exec)
    throw new CheckSetupError(
      bin === 'node' ? 'command_not_found' : 'runner_not_installed',
      bin === 'node'
        ? 'The test script runs node, but no node binary is on PATH. Install Node.js or add it to PATH.'
        : `tsx is named in the test script but is not installed in ${resolve.root}: run your ` +
            "package manager's install.",
    )
  const { options, suiteArgs } = splitNodeArgs(call.words.slice(1))
  return {
    kind: 'node',
    root: resolve.root,
    exec,
    options,
    suiteArgs,
    env: call.env,
    template: null,
    description: `node's test runner (${[...exec, ...options, '--test'].join(' ')}, from the test script)`,
  }
}

function packageManagerRunner(root: string, resolve: Resolve): RunnerInfo {
  const preferred = existsSync(path.join(root, 'pnpm-lock.yaml'))
    ? 'pnpm'
    : existsSync(path.join(root, 'yarn.lock'))
      ? 'yarn'
      : existsSync(path.join(root, 'bun.lock')) || existsSync(path.join(root, 'bun.lockb'))
        ? 'bun'
        : 'npm'
  const global = { ...resolve, localBins: false }
  const manager =
    preferred === 'npm' ? 'npm' : resolveExecutable(preferred, global) ? preferred : 'npm'
  const exec = resolveExecutable(manager, global)
  if (!exec)
    throw new CheckSetupError(
      'command_not_found',
      `The project's tests run through "${manager} test", but ${manager} is not on PATH. ` +
        'Install it, or set "testCommand" in fixloop.config.json.',
    )
  return {
    kind: 'npm',
    root,
    exec,
    options: ['test'],
    suiteArgs: [],
    env: {},
    template: null,
    description: `the "test" script, whole suite only (${manager} test)`,
  }
}

function configRunner(root: string, template: readonly string[], resolve: Resolve): RunnerInfo {
  const [bin, ...rest] = template
  const exec =
    bin === undefined
      ? null
      : bin === 'node'
        ? resolveNode(resolve)
        : resolveExecutable(bin, resolve)
  if (!exec)
    throw new CheckSetupError(
      'command_not_found',
      `testCommand starts with "${bin ?? ''}", which is neither in node_modules/.bin nor on PATH. ` +
        'Fix "testCommand" in fixloop.config.json or the settings.',
    )
  return {
    kind: 'config',
    root,
    exec,
    options: [],
    suiteArgs: [],
    env: {},
    template: [...template],
    description: `testCommand from settings (${[...exec, ...rest].join(' ')})`,
  }
}
