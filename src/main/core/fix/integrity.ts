/**
 * Test integrity: the cheapest way to turn a red check green is to weaken the check. This module reads
 * what a fix changed and names every way it touched the checks themselves — test files, snapshots,
 * runner or checker configuration, skip/only markers, suppression comments, deleted assertions or
 * tests — so the policy (allow / review / refuse) can hold such a fix for a person. It also names
 * code that fakes a green without touching a test (an early `process.exit`, a patched assertion):
 * those are held even where the policy allows test edits.
 */
import type { IntegrityPolicy } from '../../../shared/settings'
import {
  changedPackageKeys,
  changedReviewedKeys,
  changedPyprojectSections,
} from './integrity-config-files'
import { findAssertionPatches, findEarlyExits } from './integrity-tampering'
import { reviewReason } from './protected-paths'

/** One file's change: its content before the task and after it (null when absent). */
export interface IntegrityEdit {
  /** Project-relative, forward slashes. */
  path: string
  before: string | null
  after: string | null
}

export type IntegrityKind =
  | 'test_file'
  | 'snapshot'
  | 'runner_config'
  | 'check_config'
  | 'skip_or_only'
  | 'suppression'
  | 'assertions_removed'
  | 'tests_removed'
  | 'early_exit'
  | 'assertions_patched'
  /** A file that runs code when the project is built or installed (Makefile, package.json scripts…). */
  | 'build_file'

/**
 * Findings that fake a green from code rather than edit a check: "allow" (which is about edits to
 * tests) does not let them through; they are held for review, or refused under "refuse".
 */
export const FAKE_GREEN_KINDS: ReadonlySet<IntegrityKind> = new Set([
  'early_exit',
  'assertions_patched',
])

/**
 * Findings a person must look at whatever the test policy: edits to what runs when the project is
 * built or installed. Held for review under every policy (refusing a Makefile fix is not the test
 * policy's call), and never applied unseen.
 */
export const ALWAYS_REVIEWED_KINDS: ReadonlySet<IntegrityKind> = new Set(['build_file'])

export interface IntegrityFinding {
  path: string
  kind: IntegrityKind
  /** A sentence for the user: "adds 1 `.only(` marker". */
  detail: string
}

export interface IntegrityDecision {
  /** What the policy makes of the findings: keep the fix, hold it for review, or roll it back. */
  decision: 'allow' | 'review' | 'refuse'
  findings: IntegrityFinding[]
  /** One line per finding, "path: detail". */
  reasons: string[]
  /** One line for the task's outcome and the log. */
  message: string
}

const TEST_DIRS = new Set([
  '__tests__',
  'test',
  'tests',
  'spec',
  'specs',
  'e2e',
  '__mocks__',
  'cypress',
])
const TEST_FILE = [
  /\.(test|spec|e2e|cy)\.[^/]+$/i,
  /_test\.(go|py|exs?)$/,
  /^test_[^/]*\.py$/,
  /_spec\.rb$/,
  /(Test|Tests|Spec)\.(java|kt|scala|cs|swift)$/,
  /^conftest\.py$/,
  /^setupTests\.[cm]?[jt]sx?$/,
]
const SNAPSHOT_DIRS = new Set(['__snapshots__', '__image_snapshots__', 'snapshots'])
const SNAPSHOT_FILE = /\.(snap|ambr)$/

const RUNNER_CONFIG = [
  /^(vitest|vite|jest|playwright|cypress|karma|ava|mocha|wdio|nightwatch|jasmine)\.(config|conf|workspace|setup)\.[^/]+$/,
  /^(vitest|jest)\.(setup|globalSetup|teardown)\.[^/]+$/,
  /^\.mocharc(\.[a-z]+)?$/,
  /^(\.c8rc|\.nycrc)(\.[a-z]+)?$/,
  /^jasmine\.json$/,
  /^(pytest|tox)\.ini$/,
  /^noxfile\.py$/,
  /^\.coveragerc$/,
  /^phpunit\.xml(\.dist)?$/,
  /^\.rspec$/,
]
const CHECK_CONFIG = [
  /^tsconfig(\.[^/]*)?\.json$/,
  /^jsconfig\.json$/,
  /^eslint\.config\.[^/]+$/,
  /^\.eslintrc(\.[a-z]+)?$/,
  /^\.eslintignore$/,
  /^biome\.jsonc?$/,
  /^\.flake8$/,
  /^mypy\.ini$/,
  /^(\.)?ruff\.toml$/,
  /^\.golangci\.ya?ml$/,
  /^clippy\.toml$/,
]

/**
 * Markers that skip, focus (and so skip the rest), or expect failure. The bare `.skip(` / `.only(`
 * forms count in test files only, since `query.skip(10)` is ordinary code elsewhere; there only the
 * runner's own receivers (`it.skip(`, `describe.only(`) count.
 */
const SKIP_MARKERS: [RegExp, string, 'test_files' | 'other_files' | 'all'][] = [
  [/\.skip(If)?\s*\(/g, '.skip(', 'test_files'],
  [/\.only\s*\(/g, '.only(', 'test_files'],
  [/\b(it|test|describe|context|suite|bench)\.(skip|skipIf|only)\s*\(/g, 'it.skip(', 'other_files'],
  [/\b(it|test)\.todo\s*\(/g, 'it.todo(', 'all'],
  [/\b(it|test)\.fails\s*\(/g, 'it.fails(', 'all'],
  [/(?<![.\w$])x(it|test|describe|context)\s*\(/g, 'xit(', 'all'],
  [/(?<![.\w$])f(it|describe)\s*\(/g, 'fit(', 'test_files'],
  [/@pytest\.mark\.(skip|skipif|xfail)\b/g, '@pytest.mark.skip', 'all'],
  [/\bpytest\.skip\s*\(/g, 'pytest.skip(', 'all'],
  [/@unittest\.skip/g, '@unittest.skip', 'all'],
  [/\bself\.skipTest\s*\(/g, 'self.skipTest(', 'all'],
  [/\bt\.Skip(f|Now)?\s*\(/g, 't.Skip(', 'all'],
  [/@(Disabled|Ignore)\b/g, '@Disabled', 'all'],
  [/#\[ignore\]/g, '#[ignore]', 'all'],
]
/** Comments that silence the type checker or the linter. */
const SUPPRESSIONS: [RegExp, string][] = [
  [/@ts-(ignore|nocheck|expect-error)\b/g, '@ts-ignore'],
  [/\beslint-disable/g, 'eslint-disable'],
  [/\bbiome-ignore\b/g, 'biome-ignore'],
  [/#\s*type:\s*ignore/g, '# type: ignore'],
  [/#\s*noqa\b/g, '# noqa'],
  [/#\s*pragma:\s*no cover/g, '# pragma: no cover'],
  [/\/\*\s*istanbul ignore|\/\*\s*c8 ignore|\/\*\s*v8 ignore/g, 'coverage ignore'],
]
const ASSERTION_LINE =
  /(?<![.\w$])expect\s*\(|\bassert\w*\s*[.(!]|\bassert\s|\.should\b|\bt\.(is|not|deepEqual|truthy|falsy|true|false|throws|equal|ok|fail|snapshot|Error|Errorf|Fatal|Fatalf)\s*\(|\bself\.assert\w*\s*\(/
/** Test cases and suites; counted in test files only (`re.test(s)` is ordinary code). */
const TEST_CASE_LINE =
  /(?<![.\w$])(it|test|describe|bench)\s*(\.\w+\s*)?\(|^\s*def test_\w*\s*\(|^\s*func Test\w*\s*\(|^\s*#\[test\]/

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1)
const dirParts = (path: string) => path.split('/').slice(0, -1)

/** Whether a project-relative path is a test file by the usual conventions of the common runners. */
export function isTestPath(path: string): boolean {
  const name = basename(path)
  return dirParts(path).some((p) => TEST_DIRS.has(p)) || TEST_FILE.some((re) => re.test(name))
}

export function isSnapshotPath(path: string): boolean {
  return dirParts(path).some((p) => SNAPSHOT_DIRS.has(p)) || SNAPSHOT_FILE.test(basename(path))
}

/** "runner" or "check" when the file configures a test runner or a checker by its name alone. */
export function configKind(path: string): 'runner' | 'check' | null {
  const name = basename(path)
  if (RUNNER_CONFIG.some((re) => re.test(name))) return 'runner'
  if (CHECK_CONFIG.some((re) => re.test(name))) return 'check'
  return null
}

/** Every way the edits touch or weaken the checks. An empty list means the fix changed code only. */
export function assessIntegrity(edits: readonly IntegrityEdit[]): IntegrityFinding[] {
  const findings: IntegrityFinding[] = []
  for (const edit of edits) {
    if (edit.before === edit.after) continue
    const add = (kind: IntegrityKind, detail: string) =>
      findings.push({ path: edit.path, kind, detail })
    const verb = edit.before === null ? 'creates' : edit.after === null ? 'deletes' : 'edits'
    const testFile = isTestPath(edit.path)
    if (isSnapshotPath(edit.path)) add('snapshot', `${verb} a snapshot`)
    else if (testFile) add('test_file', `${verb} a test file`)
    const config = configKind(edit.path)
    if (config === 'runner') add('runner_config', `${verb} test runner configuration`)
    if (config === 'check') add('check_config', `${verb} type-checker or linter configuration`)
    if (basename(edit.path) === 'package.json') {
      const keys = changedPackageKeys(edit.before, edit.after)
      if (keys.length > 0) add('runner_config', `changes ${keys.join(', ')} in package.json`)
      for (const [key, why] of changedReviewedKeys(edit.before, edit.after))
        add('build_file', `changes "${key}" in package.json (${why})`)
    }
    const build = reviewReason(edit.path)
    if (build) add('build_file', `${verb} ${build}`)
    if (basename(edit.path) === 'pyproject.toml') {
      const sections = changedPyprojectSections(edit.before ?? '', edit.after ?? '')
      if (sections.length > 0)
        add('runner_config', `changes ${sections.join(', ')} in pyproject.toml`)
    }
    for (const [re, label, where] of SKIP_MARKERS) {
      if ((where === 'test_files' && !testFile) || (where === 'other_files' && testFile)) continue
      const added = count(edit.after, re) - count(edit.before, re)
      if (added > 0)
        add('skip_or_only', `adds ${added} \`${label}\` marker${added === 1 ? '' : 's'}`)
    }
    for (const [re, label] of SUPPRESSIONS) {
      const added = count(edit.after, re) - count(edit.before, re)
      if (added > 0)
        add('suppression', `adds ${added} \`${label}\` comment${added === 1 ? '' : 's'}`)
    }
    const lostAssertions =
      countLines(edit.before, ASSERTION_LINE) - countLines(edit.after, ASSERTION_LINE)
    if (lostAssertions > 0) {
      add(
        'assertions_removed',
        `removes ${lostAssertions} assertion line${lostAssertions === 1 ? '' : 's'}`,
      )
    }
    const exits = added(findEarlyExits(edit.before), findEarlyExits(edit.after))
    if (exits.length > 0)
      add('early_exit', `adds ${code(exits)}: a test process that exits early reports no failure`)
    const patches = added(findAssertionPatches(edit.before), findAssertionPatches(edit.after))
    if (patches.length > 0) add('assertions_patched', `patches assertions: ${code(patches)}`)
    const lostTests = !testFile
      ? 0
      : countLines(edit.before, TEST_CASE_LINE) - countLines(edit.after, TEST_CASE_LINE)
    if (lostTests > 0)
      add('tests_removed', `removes ${lostTests} test${lostTests === 1 ? '' : 's'}`)
  }
  return findings
}

/** Applies the policy to the findings. */
export function decideIntegrity(
  findings: readonly IntegrityFinding[],
  policy: IntegrityPolicy,
): IntegrityDecision {
  const reasons = findings.map((f) => `${f.path}: ${f.detail}`)
  if (findings.length === 0) {
    return { decision: 'allow', findings: [], reasons, message: 'The fix changes code only.' }
  }
  const list = reasons.join('; ')
  const mustSee = findings.some((f) => ALWAYS_REVIEWED_KINDS.has(f.kind))
  const onlyThose = findings.every((f) => ALWAYS_REVIEWED_KINDS.has(f.kind))
  // Under "refuse", test edits alongside still refuse the fix; otherwise a person looks first.
  if (mustSee && (policy !== 'refuse' || onlyThose)) {
    return {
      decision: 'review',
      findings: [...findings],
      reasons,
      message: `Held for review (it changes how the project is built or installed): ${list}`,
    }
  }
  if (policy === 'allow' && findings.some((f) => FAKE_GREEN_KINDS.has(f.kind))) {
    return {
      decision: 'review',
      findings: [...findings],
      reasons,
      message: `Held for review (test edits are allowed, but not this): ${list}`,
    }
  }
  if (policy === 'allow') {
    return {
      decision: 'allow',
      findings: [...findings],
      reasons,
      message: `Allowed by policy: ${list}`,
    }
  }
  if (policy === 'review') {
    return {
      decision: 'review',
      findings: [...findings],
      reasons,
      message: `Held for review: ${list}`,
    }
  }
  return {
    decision: 'refuse',
    findings: [...findings],
    reasons,
    message: `Refused by the test-integrity policy: ${list}`,
  }
}

/** The findings of one path as `FileEdit.integrity` wants them. */
export function integrityByPath(findings: readonly IntegrityFinding[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const f of findings) out.set(f.path, [...(out.get(f.path) ?? []), f.detail])
  return out
}

/** What `after` has that `before` has not, counting repeats: each label once. */
function added(before: readonly string[], after: readonly string[]): string[] {
  const left = new Map<string, number>()
  for (const b of before) left.set(b, (left.get(b) ?? 0) + 1)
  const out = new Set<string>()
  for (const a of after) {
    const n = left.get(a) ?? 0
    if (n > 0) left.set(a, n - 1)
    else out.add(a)
  }
  return [...out]
}

const code = (labels: readonly string[]) => labels.map((l) => `\`${l}\``).join(', ')

function count(text: string | null, re: RegExp): number {
  if (!text) return 0
  return text.match(re)?.length ?? 0
}

function countLines(text: string | null, re: RegExp): number {
  if (!text) return 0
  let n = 0
  for (const line of text.split('\n')) if (re.test(line)) n++
  return n
}
