/**
 * Which tests ran, from plain output: for checks without a machine-readable report (a whole suite
 * run through `npm test`, a configured command). Passing tests are named where the reporter lists
 * them — node's spec reporter, TAP, mocha's spec and jest's or vitest's verbose reporters (a check
 * mark per test), `pytest -v`, `go test -v`, cargo — and counted from the summary line of those and
 * of vitest's, jest's and pytest's terse reporters. Output that says neither gives null: the run
 * cannot be confirmed test by test.
 */
import { projectPath, stripAnsi } from './parse-common'
import type { TestCounts, TestRef, TestTally } from './parse-common'
import { parseNodeTap } from './parse-node-tap'

/** "✔ name (1.2ms)", "✓ name (3 ms)", "√ name": one passing test (mocha, jest, node spec). */
const CHECK_MARK = /^(\s*)[✔✓√] (.+?)(?: \(\d+(?:\.\d+)? ?m?s\))?( # (?:SKIP|TODO)\b.*)?$/
/** vitest's default reporter: a file line, "✓ src/a.test.ts (2 tests) 3ms", names no test. */
const VITEST_FILE_LINE = /^\S+ \(\d+ tests?(?: \| \d+ \w+)*\)(?: \d+m?s)?$/
/** vitest's verbose reporter: "✓ src/a.test.ts > suite > name 1ms". */
const VITEST_TEST_LINE = /^(\S+\.[cm]?[jt]sx?) > (.+?)(?: \d+m?s)?$/
/** node's spec reporter marks a failure "✖ name (1.2ms)"; a file that failed to load is named by path. */
const NODE_FAILED_FILE = /^✖ (.+?) \(\d+(?:\.\d+)?m?s\)$/
const PYTEST_VERBOSE = /^(\S+?)::(\S.*?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b/
const GO_VERBOSE = /^\s*--- (PASS|FAIL|SKIP): (\S+) \(/
const CARGO_TEST = /^test (\S+) \.\.\. (ok|FAILED|ignored)\b/

type Summary = { counts: TestCounts; from: 'node' | 'other' }

export function parseTextTally(output: string, root: string): TestTally | null {
  const text = stripAnsi(output)
  if (/^TAP version \d+/m.test(text)) return parseNodeTap(text, root).tests
  const passed: TestRef[] = []
  const lines: TestCounts = { passed: 0, failed: 0, skipped: 0 }
  const count = (outcome: 'passed' | 'failed' | 'skipped', ref?: TestRef) => {
    lines[outcome]++
    if (ref) passed.push(ref)
  }
  // Sets: node's spec reporter lists a failed file again after "✖ failing tests:".
  const emptyFiles = new Set<string>()
  const failedFiles = new Set<string>()
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd()
    let m: RegExpExecArray | null
    if ((m = CHECK_MARK.exec(line))) {
      const name = m[2] as string
      const vitest = VITEST_TEST_LINE.exec(name)
      if (m[3]) count('skipped')
      else if (VITEST_FILE_LINE.test(name)) continue
      // node reports a test file that ran no test (it exited early) as a passing "test".
      else if (m[1] === '' && looksLikeFile(name)) emptyFiles.add(projectPath(root, name))
      else if (vitest)
        count('passed', { name: vitest[2] as string, file: projectPath(root, vitest[1] as string) })
      else count('passed', { name })
    } else if ((m = NODE_FAILED_FILE.exec(line)) && looksLikeFile(m[1] as string)) {
      failedFiles.add(m[1] as string)
    } else if ((m = PYTEST_VERBOSE.exec(line))) {
      const [, file, test, outcome] = m as unknown as [string, string, string, string]
      if (outcome === 'PASSED' || outcome === 'XPASS')
        count('passed', { name: `${file}::${test}`, file: projectPath(root, file) })
      else count(outcome === 'FAILED' || outcome === 'ERROR' ? 'failed' : 'skipped')
    } else if ((m = GO_VERBOSE.exec(line))) {
      const [, outcome, name] = m as unknown as [string, string, string]
      if (outcome === 'PASS') count('passed', { name })
      else count(outcome === 'FAIL' ? 'failed' : 'skipped')
    } else if ((m = CARGO_TEST.exec(line))) {
      const [, name, outcome] = m as unknown as [string, string, string]
      if (outcome === 'ok') count('passed', { name })
      else count(outcome === 'FAILED' ? 'failed' : 'skipped')
    }
  }
  const summary = readSummary(text)
  const counts = summary?.counts ?? lines
  if (summary?.from === 'node') {
    // node counts a file that ran no test, and a file that did not load, as one test each.
    counts.passed = Math.max(0, counts.passed - emptyFiles.size)
    counts.failed = Math.max(0, counts.failed - failedFiles.size)
  }
  const seen = summary || lines.passed + lines.failed + lines.skipped > 0 || emptyFiles.size > 0
  if (!seen) return null
  return { counts, named: passed.length >= counts.passed, passed, emptyFiles: [...emptyFiles] }
}

/** The runner's own count, from the summary lines it prints at the end. */
function readSummary(text: string): Summary | null {
  const node = [...text.matchAll(/^ℹ (pass|fail|cancelled|skipped|todo) (\d+)$/gm)]
  if (node.length > 0) {
    const counts = { passed: 0, failed: 0, skipped: 0 }
    for (const [, key, n] of node) {
      const value = Number(n)
      if (key === 'pass') counts.passed += value
      else if (key === 'fail' || key === 'cancelled') counts.failed += value
      else counts.skipped += value
    }
    return { counts, from: 'node' }
  }
  const counts = { passed: 0, failed: 0, skipped: 0 }
  let found = false
  const add = (parts: string) => {
    for (const [, n, word] of parts.matchAll(/(\d+) ([a-z]+)/g)) {
      const key = SUMMARY_WORDS[word as string]
      if (key) counts[key] += Number(n)
    }
    found = true
  }
  // vitest "Tests  1 failed | 2 passed (3)"; jest "Tests:       1 failed, 2 passed, 3 total"
  for (const m of text.matchAll(/^\s*Tests:?\s+(\d+ [a-z]+(?:(?:, | \| )\d+ [a-z]+)*)/gm))
    add(m[1] as string)
  // mocha "  2 passing (4ms)", "  1 failing", "  1 pending"
  for (const m of text.matchAll(/^\s*(\d+) (passing|failing|pending)\b/gm)) add(`${m[1]} ${m[2]}`)
  // pytest "==== 1 failed, 2 passed, 1 skipped in 0.12s ===="
  for (const m of text.matchAll(/^=+ (\d+ [a-z]+(?:, \d+ [a-z]+)*) in [\d.]+s\b.*=+$/gm))
    add(m[1] as string)
  // cargo "test result: ok. 3 passed; 0 failed; 1 ignored; …", once per test binary
  for (const m of text.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm))
    add(`${m[1]} passed, ${m[2]} failed, ${m[3]} ignored`)
  return found ? { counts, from: 'other' } : null
}

const SUMMARY_WORDS: Record<string, keyof TestCounts> = {
  passed: 'passed',
  passing: 'passed',
  xpassed: 'passed',
  failed: 'failed',
  failing: 'failed',
  error: 'failed',
  errors: 'failed',
  skipped: 'skipped',
  pending: 'skipped',
  todo: 'skipped',
  xfailed: 'skipped',
  ignored: 'skipped',
}

function looksLikeFile(name: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|file:\/\/)/.test(name) && /\.[cm]?[jt]sx?$/.test(name)
}
