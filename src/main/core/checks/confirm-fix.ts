/**
 * Confirms a green verification against the red detection it answers. An exit code of 0 says only
 * that nothing reported a failure; a module that calls `process.exit(0)`, a test file that stops
 * early or a test that is skipped all exit 0. So a fix is confirmed only when every test that failed
 * at detection is seen passing, by name, and the related tests ran no fewer tests than detection did.
 * Where a runner's output does not name its tests, nothing is confirmed: the fix is held instead.
 */
import type { CheckResult, TestFailure } from '../../../shared/domain'
import type { TestRef, TestTally } from './parse-common'
import { isCheckerFailure } from './parse-text'

/** A verification check and its tests, passing ones by name. */
export interface VerifiedRun {
  result: CheckResult
  tests: TestTally | null
}

export interface FixConfirmation {
  /** Every test that failed at detection was seen passing, and no fewer tests ran. */
  confirmed: boolean
  /** The tests that failed at detection and were seen passing, as "name (file)". */
  seenPassing: string[]
  /** One sentence per gap, naming the tests or the counts; empty when confirmed. */
  problems: string[]
}

/** Most test names listed in one sentence; the rest are counted. */
const MAX_NAMES = 5

/** What verification's runs, together, show of the tests. */
interface Seen {
  passed: TestRef[]
  /** Some run names its passing tests. */
  named: boolean
  /** Some passing test is known by its file. */
  filesKnown: boolean
  emptyFiles: Set<string>
}

/** Detection's failures, matched against what verification saw pass. */
interface Match {
  seen: TestFailure[]
  missing: TestFailure[]
  /** Red checks that named no failure at all. */
  unnamed: CheckResult[]
  /**
   * What could not run at detection (a file that did not load, a check that named nothing) must
   * add at least one test now: the related tests must run this many more than detection did.
   */
  mustAdd: number
}

/**
 * @param detected the related checks as detection ran them (red and green)
 * @param related the related checks as verification ran them
 * @param suite the whole suite as verification ran it, when it did (its passes count too)
 */
export function confirmFix(
  detected: readonly CheckResult[],
  related: readonly VerifiedRun[],
  suite: VerifiedRun | null,
): FixConfirmation {
  const runs = suite ? [...related, suite] : [...related]
  const passed = runs.flatMap((r) => r.tests?.passed ?? [])
  const seen: Seen = {
    passed,
    named: runs.some((r) => r.tests?.named),
    filesKnown: passed.some((p) => p.file !== undefined),
    emptyFiles: new Set(runs.flatMap((r) => r.tests?.emptyFiles ?? [])),
  }
  const match = matchDetected(detected, seen)
  const problems = [
    ...namingProblems(match, seen, related),
    ...countProblems(detected, related, match.mustAdd),
  ]
  return { confirmed: problems.length === 0, seenPassing: match.seen.map(label), problems }
}

function matchDetected(detected: readonly CheckResult[], seen: Seen): Match {
  const match: Match = { seen: [], missing: [], unnamed: [], mustAdd: 0 }
  for (const check of detected.filter((c) => !c.passed)) {
    if (check.failures.length === 0) {
      match.unnamed.push(check)
      match.mustAdd++
    }
    // A type checker's or linter's finding is answered by its check passing, not by a test.
    for (const failure of check.failures.filter((f) => !isCheckerFailure(f))) {
      const file = failure.file
      const isFile = file !== undefined && failure.name === file
      if (isFile && seen.emptyFiles.has(file)) match.missing.push(failure)
      else if (isFile && seen.passed.some((p) => p.file === file)) match.seen.push(failure)
      else if (isFile && seen.named && !seen.filesKnown) {
        // The format does not say which file a passing test is in (node's TAP): count instead.
        match.seen.push(failure)
        match.mustAdd++
      } else if (!isFile && seen.passed.some((p) => sameTest(p, failure))) match.seen.push(failure)
      else match.missing.push(failure)
    }
  }
  return match
}

function namingProblems(match: Match, seen: Seen, related: readonly VerifiedRun[]): string[] {
  const problems: string[] = []
  const unreadable = related.filter((r) => r.tests === null).map((r) => r.result)
  if (unreadable.length > 0)
    problems.push(
      `Fixloop could not read which tests ran from the output of ${unreadable.map(withCommand).join(', ')}`,
    )
  if (match.unnamed.length > 0) {
    const checks = match.unnamed.map(
      (c) => `${withCommand(c)}${c.timedOut ? ', which timed out' : ''}`,
    )
    problems.push(
      `detection could not name what failed in ${checks.join(', ')}, so the fix cannot be ` +
        'confirmed test by test',
    )
  }
  const { missing } = match
  if (missing.length === 0 || unreadable.length > 0) return problems
  if (!seen.named) {
    problems.push(
      `the output of ${related.map((r) => withCommand(r.result)).join(', ')} does not name the tests ` +
        `that pass, so ${list(missing)} cannot be seen passing (a reporter that lists every test ` +
        'makes a fix confirmable)',
    )
    return problems
  }
  problems.push(`${list(missing)} failed at detection and ${was(missing)} not seen passing`)
  const stopped = [...new Set(missing.map((f) => f.file))].filter(
    (f): f is string => f !== undefined && seen.emptyFiles.has(f),
  )
  if (stopped.length > 0)
    problems.push(
      `${stopped.join(', ')} ran no test at all, as when the process exits before its tests`,
    )
  return problems
}

function countProblems(
  detected: readonly CheckResult[],
  related: readonly VerifiedRun[],
  mustAdd: number,
): string[] {
  const before = countRun(detected)
  const after = countRun(related.map((r) => r.result))
  if (before === null || after === null || after >= before + mustAdd) return []
  return [
    mustAdd > 0
      ? `the related tests ran ${nTests(after)}; detection ran ${nTests(before)}, and what could ` +
        `not run then must add at least ${nTests(mustAdd)} now`
      : `the related tests ran ${nTests(after)} where detection ran ${before}`,
  ]
}

/** Tests that ran (passed or failed) in these checks; null when one of them cannot say. */
function countRun(checks: readonly CheckResult[]): number | null {
  let n = 0
  for (const c of checks) {
    if (!c.tests) return null
    n += c.tests.passed + c.tests.failed
  }
  return n
}

/**
 * The same test: the same name (or, across reporters, the same last segment when one side gives
 * only that), and the same file when both say.
 */
function sameTest(passed: TestRef, failure: TestFailure): boolean {
  if (passed.file && failure.file && passed.file !== failure.file) return false
  if (passed.name === failure.name) return true
  const leaf = (name: string) => name.split(' > ').at(-1)
  const single = (name: string) => !name.includes(' > ')
  return (
    (single(passed.name) && leaf(failure.name) === passed.name) ||
    (single(failure.name) && leaf(passed.name) === failure.name)
  )
}

function label(f: TestFailure): string {
  return f.file && f.file !== f.name ? `"${f.name}" (${f.file})` : `"${f.name}"`
}

function list(failures: readonly TestFailure[]): string {
  const names = failures.slice(0, MAX_NAMES).map(label)
  const more = failures.length - names.length
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ')
}

const was = (failures: readonly unknown[]) => (failures.length === 1 ? 'was' : 'were')
const nTests = (n: number) => `${n} test${n === 1 ? '' : 's'}`
const withCommand = (c: CheckResult) => `the ${c.name} check (\`${c.command.join(' ')}\`)`
