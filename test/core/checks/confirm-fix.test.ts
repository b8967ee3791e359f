import { describe, expect, it } from 'vitest'
import { confirmFix } from '../../../src/main/core/checks/confirm-fix'
import type { VerifiedRun } from '../../../src/main/core/checks/confirm-fix'
import type { TestRef, TestTally } from '../../../src/main/core/checks/parse-common'
import type { CheckResult, TestFailure } from '../../../src/shared/domain'

function check(over: Partial<CheckResult> = {}): CheckResult {
  return {
    name: 'related',
    command: ['node', '--test', 'test/math.test.js'],
    passed: true,
    exitCode: 0,
    signal: null,
    timedOut: false,
    durationMs: 10,
    output: '',
    failures: [],
    ...over,
  }
}

const fail = (name: string, file = 'test/math.test.js'): TestFailure => ({
  name,
  file,
  message: 'x',
})

/** Detection's red related check: these tests failed, `passed` others passed. */
function red(failures: TestFailure[], passed = 0): CheckResult {
  return check({
    passed: false,
    exitCode: 1,
    failures,
    tests: { passed, failed: failures.filter((f) => f.name !== f.file).length, skipped: 0 },
  })
}

/** Verification's green run that names these passing tests. */
function green(passed: TestRef[], more: Partial<TestTally> = {}): VerifiedRun {
  const tests: TestTally = {
    counts: { passed: passed.length, failed: 0, skipped: 0 },
    named: true,
    passed,
    emptyFiles: [],
    ...more,
  }
  return { result: check({ tests: { ...tests.counts } }), tests }
}

describe('confirmFix', () => {
  it('confirms a fix when every test that failed is seen passing and no fewer tests ran', () => {
    const c = confirmFix(
      [red([fail('math > adds')], 1)],
      [green([{ name: 'math > adds' }, { name: 'math > multiplies' }])],
      null,
    )
    expect(c).toEqual({
      confirmed: true,
      seenPassing: ['"math > adds" (test/math.test.js)'],
      problems: [],
    })
  })

  it('names a failing test that was not seen passing, even when the count holds', () => {
    const c = confirmFix(
      [red([fail('math > adds')], 1)],
      [green([{ name: 'math > multiplies' }, { name: 'math > other' }])],
      null,
    )
    expect(c.confirmed).toBe(false)
    expect(c.problems).toEqual([
      '"math > adds" (test/math.test.js) failed at detection and was not seen passing',
    ])
  })

  it('counts a test seen passing in the suite ring too', () => {
    const c = confirmFix(
      [red([fail('math > adds')])],
      [green([{ name: 'math > other' }])],
      green([{ name: 'math > adds' }, { name: 'math > other' }]),
    )
    expect(c.confirmed).toBe(true)
  })

  it('says when fewer tests ran than at detection', () => {
    const c = confirmFix(
      [red([fail('a'), fail('b')], 3)],
      [green([{ name: 'a' }, { name: 'b' }])],
      null,
    )
    expect(c.problems).toEqual(['the related tests ran 2 tests where detection ran 5'])
  })

  it('names a test file that ran no test, as a process that exits early leaves it', () => {
    const c = confirmFix(
      [red([fail('adds')])],
      [green([], { emptyFiles: ['test/math.test.js'] })],
      null,
    )
    expect(c.problems).toEqual([
      '"adds" (test/math.test.js) failed at detection and was not seen passing',
      'test/math.test.js ran no test at all, as when the process exits before its tests',
      'the related tests ran 0 tests where detection ran 1',
    ])
  })

  it('does not take a test of the same name in another file for the failing one', () => {
    const c = confirmFix(
      [red([fail('adds', 'test/a.test.js')])],
      [green([{ name: 'adds', file: 'test/b.test.js' }])],
      null,
    )
    expect(c.confirmed).toBe(false)
  })

  it("matches a reporter's leaf name to detection's suite path", () => {
    const c = confirmFix([red([fail('math > adds')])], [green([{ name: 'adds' }])], null)
    expect(c.confirmed).toBe(true)
  })

  describe('a test file that failed to load at detection', () => {
    const crashed = red([fail('test/math.test.js')])

    it('is confirmed by a test of that file passing', () => {
      const c = confirmFix([crashed], [green([{ name: 'adds', file: 'test/math.test.js' }])], null)
      expect(c.confirmed).toBe(true)
    })

    it('when passing tests carry no file (TAP), must add at least one test to the count', () => {
      expect(confirmFix([crashed], [green([{ name: 'adds' }])], null).confirmed).toBe(true)
      expect(confirmFix([crashed], [green([])], null).problems).toEqual([
        'the related tests ran 0 tests; detection ran 0 tests, and what could not run then must add at least 1 test now',
      ])
    })

    it('is not confirmed when the file now runs no test', () => {
      const c = confirmFix([crashed], [green([], { emptyFiles: ['test/math.test.js'] })], null)
      expect(c.problems[0]).toBe('"test/math.test.js" failed at detection and was not seen passing')
    })
  })

  it('cannot confirm from output that says nothing about tests', () => {
    const c = confirmFix(
      [red([fail('adds')])],
      [{ result: check({ command: ['npm', 'test'] }), tests: null }],
      null,
    )
    expect(c.problems).toEqual([
      'Fixloop could not read which tests ran from the output of the related check (`npm test`)',
    ])
  })

  it('cannot confirm by name from a reporter that only counts, and says how to fix that', () => {
    const c = confirmFix(
      [red([fail('adds')], 1)],
      [green([], { counts: { passed: 2, failed: 0, skipped: 0 }, named: false })],
      null,
    )
    expect(c.confirmed).toBe(false)
    expect(c.problems[0]).toMatch(
      /does not name the tests that pass, so "adds" \(test\/math\.test\.js\) cannot be seen passing \(a reporter that lists every test makes a fix confirmable\)/,
    )
  })

  it('cannot confirm a red check that named no failing test', () => {
    const c = confirmFix(
      [check({ passed: false, exitCode: 1, command: ['npm', 'test'] })],
      [green([{ name: 'adds' }])],
      null,
    )
    expect(c.problems).toEqual([
      'detection could not name what failed in the related check (`npm test`), so the fix cannot be confirmed test by test',
    ])
  })

  it("does not ask a type checker's finding to be seen passing as a test", () => {
    const c = confirmFix(
      [check({ passed: false, exitCode: 2, failures: [fail('TS2322 src/a.ts:1', 'src/a.ts')] })],
      [green([])],
      null,
    )
    expect(c.confirmed).toBe(true)
  })
})
