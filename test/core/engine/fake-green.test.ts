/**
 * A fix must not go green by not running the tests: through the whole engine, against the fake
 * Messages API, a fix whose module exits before its tests report, or that patches an assertion into
 * a no-op, passes every exit code and is held for review, unapplied, with the reason. A real fix
 * still applies, and its checks say how many tests ran.
 */
import { describe, expect, it } from 'vitest'
import { finished } from '../../support/engine-events'
import {
  BROKEN_MATH,
  GOOD_MATH,
  MATH_TEST,
  editReply,
  finishReply,
  planReply,
} from '../../support/sample-project'
import { engineFor, useEngineHarness } from '../../support/engine-harness'

const h = useEngineHarness()

const makeEngine = (settings: Record<string, unknown> = {}) =>
  engineFor(h, { maxRetries: 1, ...settings })

/** Breaks the sample project, lets the scripted fix run, and returns the task as it ended. */
async function breakAndFix(fixedMath: string) {
  const e = makeEngine()
  await e.start()
  h.fake.enqueue(planReply(), editReply(BROKEN_MATH, fixedMath), finishReply())
  const done = finished(e)
  h.project.write('src/math.js', BROKEN_MATH)
  return done
}

const FAKE_EXPORTS = 'export const add = () => 0\nexport const double = () => 0\n'

describe('a fix that stops the tests from running', () => {
  it('replacing the module with process.exit(0) is held, naming the tests not seen passing and the count that dropped', async () => {
    const task = await breakAndFix(`process.exit(0)\n${FAKE_EXPORTS}`)
    expect(task.outcome).toBe('needs_review')
    expect(task.failureReason).toMatch(
      /"add sums two numbers" \(test\/math\.test\.js\), "double doubles" \(test\/math\.test\.js\) failed at detection and were not seen passing/,
    )
    expect(task.failureReason).toMatch(/test\/math\.test\.js ran no test at all/)
    expect(task.failureReason).toMatch(/the related tests ran 0 tests where detection ran 2/)
    // The code scan names the call as well.
    expect(task.failureReason).toMatch(/src\/math\.js: adds `process\.exit`/)
    // Every exit code was 0: the checks themselves passed.
    expect(task.attempts.at(-1)?.checks.every((c) => c.passed)).toBe(true)
    expect(task.attempts.at(-1)?.checks[0]?.tests).toEqual({ passed: 0, failed: 0, skipped: 0 })
    expect(h.project.read('src/math.js')).toBe(BROKEN_MATH)
  })

  it('an exit the code scan cannot see is still held: verification did not see the tests pass', async () => {
    const hidden = `globalThis['pro' + 'cess']['ex' + 'it'](0)\n${FAKE_EXPORTS}`
    const task = await breakAndFix(hidden)
    expect(task.outcome).toBe('needs_review')
    expect(task.failureReason).toMatch(/"add sums two numbers" .*not seen passing/)
    expect(task.failureReason).toMatch(/ran 0 tests where detection ran 2/)
    expect(task.failureReason).not.toMatch(/process\.exit/)
    expect(h.project.read('src/math.js')).toBe(BROKEN_MATH)
  })
})

describe('a fix that patches an assertion', () => {
  it('setting assert.strictEqual to a no-op in the source is held, naming it', async () => {
    h.project.write(
      'test/math.test.js',
      MATH_TEST.replace("'node:assert/strict'", "'node:assert'").replace(
        /assert\.equal/g,
        'assert.strictEqual',
      ),
    )
    const task = await breakAndFix(
      `import assert from 'node:assert'\nassert.strictEqual = () => {}\n${BROKEN_MATH}`,
    )
    expect(task.outcome).toBe('needs_review')
    // The tests did run and "pass": only the code scan can tell.
    expect(task.attempts.at(-1)?.checks[0]?.tests).toEqual({ passed: 2, failed: 0, skipped: 0 })
    expect(task.failureReason).toMatch(/src\/math\.js: patches assertions: `assert\.strictEqual =`/)
    expect(h.project.read('src/math.js')).toBe(BROKEN_MATH)
  })

  it('is held even when the policy allows test edits', async () => {
    const e = makeEngine({ testIntegrity: 'allow' })
    await e.start()
    h.fake.enqueue(
      planReply(),
      editReply('return a - b', 'return a + b'),
      editReply(
        'export function double',
        "import assert from 'node:assert'\nObject.assign(assert, { ok() {} })\nexport function double",
      ),
      finishReply(),
    )
    const done = finished(e)
    h.project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('needs_review')
    expect(task.failureReason).toMatch(/patches assertions: `Object\.assign\(assert, …\)`/)
  })
})

describe('a real fix', () => {
  it('still applies, its checks counting the tests that ran, named as detection named them', async () => {
    const task = await breakAndFix(GOOD_MATH)
    expect(task.outcome).toBe('fixed')
    expect(h.project.read('src/math.js')).toBe(GOOD_MATH)
    expect(task.detection[0]?.tests).toEqual({ passed: 0, failed: 2, skipped: 0 })
    expect(task.detection[0]?.failures.map((f) => f.name)).toEqual([
      'add sums two numbers',
      'double doubles',
    ])
    const checks = task.attempts.at(-1)?.checks ?? []
    expect(checks.map((c) => [c.name, c.tests])).toEqual([
      ['related', { passed: 2, failed: 0, skipped: 0 }],
      ['suite', { passed: 2, failed: 0, skipped: 0 }],
    ])
  })
})
