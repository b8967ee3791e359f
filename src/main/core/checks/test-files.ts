/**
 * Test discovery by naming convention, the fallback when a runner has no module graph to ask:
 * the changed file itself when it is a test, a sibling `x.test.ts` / `x.spec.ts`, `__tests__/x…`,
 * and a `test/` (or `tests/`) tree mirroring `src/`.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import type { SelectedTest } from '../../../shared/domain'
import type { RunnerKind } from './types'

const CODE_EXT = /\.(?:[cm]?[jt]sx?)$/
const SLASH = 0x2f
/** Folders that never hold the project's own tests, and can be huge. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'out', 'coverage', 'bower_components'])
/** Segments that only say "this is source" or "this is test" and are ignored when pairing paths. */
const LAYOUT_SEGMENTS = new Set([
  'src',
  'lib',
  'source',
  'test',
  'tests',
  '__tests__',
  'spec',
  'specs',
])
/** Stems too common to pair by name alone. */
const GENERIC_STEMS = new Set(['index', 'main', 'mod', 'types', 'utils', 'util', 'helpers'])

export interface ListOptions {
  /** Stop after this many files, so a stray huge tree cannot stall planning. @default 200000 */
  maxFiles?: number
}

/** Every file under root (project-relative, forward slashes), skipping dot folders and build output. */
export function listProjectFiles(root: string, options: ListOptions = {}): string[] {
  const max = options.maxFiles ?? 200_000
  const out: string[] = []
  const walk = (rel: string) => {
    let entries
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true })
    } catch {
      return // unreadable or vanished folders are the watcher's concern, not a planning error
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      if (out.length >= max) return
      const child = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (!skipsFolder(entry.name)) walk(child)
      } else if (entry.isFile()) out.push(child)
    }
  }
  walk('')
  return out
}

/** Whether test discovery passes over a folder of this name: dot folders and build output. */
export function skipsFolder(name: string): boolean {
  return name.startsWith('.') || SKIP_DIRS.has(name)
}

/**
 * The order `listProjectFiles` lists files in: by path segment, each compared by code unit. That is
 * plain code-unit order with '/' below every other character (`a/b` before `a-c`).
 */
export function compareWalkOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return x === SLASH ? -1 : y === SLASH ? 1 : x - y
  }
  return a.length - b.length
}

export type TestRank = 0 | 1 | 2 | 3

/**
 * How widely `file` counts as a test, from one look at its name: 0 not a test; 1 for every runner
 * (`x.test.ts`, `x.spec.ts`); 2 for jest and node (in `__tests__/`); 3 for node's test runner only
 * (`test.js`, `test-x.js`, `x_test.js`, anything in `test/`). `isTestFile` is this rank against the
 * runner's widest, so an index can judge each file once for every runner.
 */
export function testRank(file: string): TestRank {
  if (!CODE_EXT.test(file) || file.endsWith('.d.ts')) return 0
  const parts = file.split('/')
  const stem = (parts.at(-1) as string).replace(CODE_EXT, '')
  const dirs = parts.slice(0, -1)
  if (/\.(test|spec)$/.test(stem)) return 1
  if (dirs.includes('__tests__')) return 2
  const node =
    /^test([-_].+)?$/.test(stem) ||
    /[-_]test$/.test(stem) ||
    dirs.includes('test') ||
    dirs.includes('tests')
  return node ? 3 : 0
}

/** The widest test rank each runner's naming rules accept (config and npm follow node's). */
export const WIDEST_RANK: Record<RunnerKind, TestRank> = {
  vitest: 1,
  jest: 2,
  node: 3,
  config: 3,
  npm: 3,
}

/** Whether `file` (project-relative) is a test file by the runner's own naming rules. */
export function isTestFile(file: string, kind: RunnerKind): boolean {
  const rank = testRank(file)
  return rank > 0 && rank <= WIDEST_RANK[kind]
}

function stemOf(file: string): string {
  const base = (file.split('/').at(-1) as string).replace(CODE_EXT, '').replace(/\.d$/, '')
  return base.replace(/[.\-_](test|spec)$/, '').replace(/^test[-_](?=.)/, '')
}

/** The path a file is "about": layout folders and test markers removed, `src/a/b.ts` → `a/b`. */
function subjectKey(file: string): string {
  const dirs = file
    .split('/')
    .slice(0, -1)
    .filter((s) => !LAYOUT_SEGMENTS.has(s))
  return [...dirs, stemOf(file)].join('/')
}

/** Named like a test (`x.test.js`, `x-test.js`, `test-x.js`), not merely kept in a test folder. */
function hasTestMarker(file: string): boolean {
  const stem = (file.split('/').at(-1) as string).replace(CODE_EXT, '')
  return (
    /[.\-_](test|spec)$/.test(stem) ||
    /^test([-_].+)?$/.test(stem) ||
    file.split('/').includes('__tests__')
  )
}

export interface NameSelection {
  selection: SelectedTest[]
  /**
   * Changed code files no test could be paired with: an untested module, or a helper in a test
   * folder. Without a module graph nobody knows what they affect, so the caller runs the suite.
   */
  unpaired: string[]
}

/**
 * Tests paired with the changed files by name. A changed test selects itself; otherwise tests whose
 * subject path matches (sibling, `__tests__`, `test/` mirror) and, when none does, tests with the
 * same file stem anywhere (skipped for generic stems like `index`). Reason 'name'. Files that are
 * not code (README.md, images) pair with nothing and are not reported as unpaired.
 */
export function selectTestsByName(
  changedFiles: readonly string[],
  testFiles: readonly string[],
  kind: RunnerKind,
): NameSelection {
  const { byKey, byStem } = pairingOf(testFiles)
  const chosen = new Map<string, SelectedTest>()
  const unpaired: string[] = []
  const choose = (file: string, because: string) => {
    if (!chosen.has(file)) chosen.set(file, { file, reason: 'name', because })
  }
  for (const changed of changedFiles) {
    if (isTestFile(changed, kind) && hasTestMarker(changed)) {
      choose(changed, changed)
      continue
    }
    if (!CODE_EXT.test(changed)) continue
    // A file in a test folder without a test name is most likely a helper: what uses it is unknown.
    if (isTestFile(changed, kind)) {
      unpaired.push(changed)
      continue
    }
    const paired = byKey.get(subjectKey(changed)) ?? []
    const stem = stemOf(changed)
    const loose = paired.length === 0 && !GENERIC_STEMS.has(stem) ? (byStem.get(stem) ?? []) : []
    for (const test of [...paired, ...loose]) choose(test, changed)
    if (paired.length + loose.length === 0) unpaired.push(changed)
  }
  return { selection: [...chosen.values()], unpaired }
}

interface Pairing {
  byKey: Map<string, string[]>
  byStem: Map<string, string[]>
}

/** Kept per list: the file index hands out the same list until its tests change. */
const pairings = new WeakMap<readonly string[], Pairing>()

/** The tests by subject path and by stem, in list order. */
function pairingOf(testFiles: readonly string[]): Pairing {
  let pairing = pairings.get(testFiles)
  if (pairing) return pairing
  pairing = { byKey: new Map(), byStem: new Map() }
  for (const test of testFiles) {
    for (const [map, key] of [
      [pairing.byKey, subjectKey(test)],
      [pairing.byStem, stemOf(test)],
    ] as const) {
      const list = map.get(key)
      if (list) list.push(test)
      else map.set(key, [test])
    }
  }
  pairings.set(testFiles, pairing)
  return pairing
}

/** Whether a word from a test script is a glob the shell would have expanded. */
export function isGlob(word: string): boolean {
  return /[*?[{]/.test(word)
}

/**
 * Matches project files against a shell-style glob (`*`, `**`, `?`, `[…]`, `{a,b}`), for node
 * test scripts such as `node --test test/*.test.js`: the shell expanded those, and without a shell
 * node before v21 would take the pattern literally.
 */
export function matchGlob(pattern: string, files: readonly string[]): string[] {
  return files.filter(globMatcher(pattern))
}

/** `matchGlob`'s test for one file, the pattern compiled once. */
export function globMatcher(pattern: string): (file: string) => boolean {
  const re = globToRegExp(pattern.replace(/^\.\//, ''))
  return (file) => re.test(file)
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/'
        re += slash ? '(?:.*/)?' : '.*'
        i += slash ? 2 : 1
      } else re += '[^/]*'
    } else if (ch === '?') re += '[^/]'
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1)
      if (end === -1) re += '\\['
      else {
        re += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else if (ch === '{') {
      const end = glob.indexOf('}', i + 1)
      if (end === -1) re += '\\{'
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((alt) => alt.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`
        i = end
      }
    } else re += ch.replace(/[.+^$()|\\/]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}
