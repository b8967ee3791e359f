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
        if (!entry.name.startsWith('.') && !SKIP_DIRS.has(entry.name)) walk(child)
      } else if (entry.isFile()) out.push(child)
    }
  }
  walk('')
  return out
}

/** Whether `file` (project-relative) is a test file by the runner's own naming rules. */
export function isTestFile(file: string, kind: RunnerKind): boolean {
  if (!CODE_EXT.test(file) || file.endsWith('.d.ts')) return false
  const parts = file.split('/')
  const stem = (parts.at(-1) as string).replace(CODE_EXT, '')
  const dirs = parts.slice(0, -1)
  if (/\.(test|spec)$/.test(stem)) return true
  if (kind === 'vitest') return false
  if (dirs.includes('__tests__')) return true
  if (kind === 'jest') return false
  // node's test runner: test.js, test-x.js, x-test.js, x_test.js, and anything in a test/ folder.
  return (
    /^test([-_].+)?$/.test(stem) ||
    /[-_]test$/.test(stem) ||
    dirs.includes('test') ||
    dirs.includes('tests')
  )
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
  const byKey = new Map<string, string[]>()
  const byStem = new Map<string, string[]>()
  for (const test of testFiles) {
    const key = subjectKey(test)
    byKey.set(key, [...(byKey.get(key) ?? []), test])
    const stem = stemOf(test)
    byStem.set(stem, [...(byStem.get(stem) ?? []), test])
  }
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
  const re = globToRegExp(pattern.replace(/^\.\//, ''))
  return files.filter((f) => re.test(f))
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
