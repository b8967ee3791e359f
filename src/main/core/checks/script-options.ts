/**
 * Which options of a project's test script are carried into Fixloop's own runs: the ones that say
 * where the config is or how to load the code (`--config`, `--import tsx`), not the ones that fight
 * a one-shot, machine-read run (watch, coverage, reporters).
 */

/** Options of vitest / jest worth keeping on every run; the rest (watch, coverage, reporters) are not. */
const KEEP_OPTIONS: Record<'vitest' | 'jest', Record<string, boolean>> = {
  // name → takes a value
  vitest: {
    '--config': true,
    '-c': true,
    '--root': true,
    '-r': true,
    '--dir': true,
    '--project': true,
    '--environment': true,
    '--pool': true,
    '--mode': true,
    '--globals': false,
    '--dom': false,
  },
  jest: {
    '--config': true,
    '-c': true,
    '--rootDir': true,
    '--env': true,
    '--testEnvironment': true,
    '--maxWorkers': true,
    '-w': true,
    '--selectProjects': true,
  },
}

export function keptOptions(kind: 'vitest' | 'jest', words: readonly string[]): string[] {
  const table = KEEP_OPTIONS[kind]
  const kept: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    const [flag] = word.split('=', 1) as [string]
    if (!(flag in table)) continue
    kept.push(word)
    if (table[flag] && !word.includes('=') && i + 1 < words.length) kept.push(words[++i] as string)
  }
  return kept
}

/** Node options that take a separate value; needed to tell values from test paths. */
const NODE_VALUE_OPTIONS = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
  '--env-file',
  '--test-concurrency',
  '--test-timeout',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-shard',
  '--input-type',
  '--stack-size',
  '--max-old-space-size',
  '--tsconfig',
])

/** Options that would fight ours (we choose the reporters) or never finish (watch). */
const NODE_DROP_OPTIONS = new Set([
  '--test',
  '--watch',
  '--test-only',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-shard',
  '--experimental-test-coverage',
])

/** Splits the words after `node` in a test script into options to keep and test paths. */
export function splitNodeArgs(words: readonly string[]): {
  options: string[]
  suiteArgs: string[]
} {
  const options: string[] = []
  const suiteArgs: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    const [flag] = word.split('=', 1) as [string]
    const takesValue = NODE_VALUE_OPTIONS.has(flag) && !word.includes('=')
    const value = takesValue ? words[++i] : undefined
    if (!word.startsWith('-')) suiteArgs.push(word)
    else if (!NODE_DROP_OPTIONS.has(flag))
      options.push(word, ...(value === undefined ? [] : [value]))
  }
  return { options, suiteArgs }
}
