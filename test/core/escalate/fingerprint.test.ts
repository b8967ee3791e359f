import { describe, expect, it } from 'vitest'
import {
  errorClass,
  fingerprint,
  fingerprintMarker,
  fingerprintParts,
} from '../../../src/main/core/escalate/fingerprint'
import { failedCheck, failedTask } from './task-fixture'

describe('fingerprint', () => {
  it('is 16 hex digits and stable for the same task', () => {
    const task = failedTask()
    expect(fingerprint(task)).toMatch(/^[0-9a-f]{16}$/)
    expect(fingerprint(task)).toBe(fingerprint(failedTask()))
  })

  it('ignores what changes between two runs of the same failure', () => {
    const first = failedTask({ id: 'task_one', attempts: 2 })
    const second = failedTask({
      id: 'task_two',
      attempts: 4,
      failures: [
        {
          name: 'adds two numbers',
          file: 'test/math.test.ts',
          message: 'AssertionError: expected 7 to be 9 at line 44',
        },
      ],
      diff: '--- a/src/math.ts\n+++ b/src/math.ts\n@@ other @@\n',
    })
    expect(fingerprint(second)).toBe(fingerprint(first))
  })

  it('does not depend on the order of files or failures', () => {
    const a = { name: 'a', file: 't/a.test.ts', message: 'TypeError: x is undefined' }
    const b = { name: 'b', file: 't/b.test.ts', message: 'TypeError: y is undefined' }
    expect(fingerprint(failedTask({ files: ['x.ts', 'y.ts'], failures: [a, b] }))).toBe(
      fingerprint(failedTask({ files: ['y.ts', 'x.ts'], failures: [b, a] })),
    )
  })

  it('differs when the files, the failing tests or the error class differ', () => {
    const base = fingerprint(failedTask())
    expect(fingerprint(failedTask({ files: ['src/other.ts'] }))).not.toBe(base)
    const otherTest = [
      { name: 'subtracts', file: 'test/math.test.ts', message: 'AssertionError: no' },
    ]
    expect(fingerprint(failedTask({ failures: otherTest }))).not.toBe(base)
    const otherClass = [
      {
        name: 'adds two numbers',
        file: 'test/math.test.ts',
        message: 'TypeError: add is not a function',
      },
    ]
    expect(fingerprint(failedTask({ failures: otherClass }))).not.toBe(base)
  })

  it('uses the last attempt that ran checks, not the detection run', () => {
    const task = failedTask()
    const later = [{ name: 'late', file: 'test/late.test.ts', message: 'RangeError: too big' }]
    task.attempts[1]!.checks = [failedCheck(later)]
    expect(fingerprintParts(task).tests).toEqual(['test/late.test.ts › late'])
    expect(fingerprintParts(task).errorClass).toBe('RangeError')
  })
})

describe('errorClass', () => {
  it('falls back to Timeout, then an error name in the output, then CheckFailed', () => {
    const timedOut = failedTask({ failures: [] })
    for (const c of [...timedOut.detection, ...timedOut.attempts.flatMap((a) => a.checks)]) {
      c.timedOut = true
    }
    expect(errorClass(timedOut)).toBe('Timeout')
    expect(errorClass(failedTask({ failures: [], output: 'SyntaxError: Unexpected token' }))).toBe(
      'SyntaxError',
    )
    expect(errorClass(failedTask({ failures: [], output: 'exit 2' }))).toBe('CheckFailed')
  })
})

describe('fingerprintMarker', () => {
  it('is an HTML comment GitHub does not render', () => {
    expect(fingerprintMarker('abc123')).toBe('<!-- fixloop:fingerprint=abc123 -->')
  })
})
