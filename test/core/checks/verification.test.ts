import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import { runDetection } from '../../../src/main/core/checks/detection'
import { runVerification } from '../../../src/main/core/checks/verification'
import type { CheckCommand } from '../../../src/shared/settings'
import { edit, fixtureProject } from './fixtures'

const noConfig = { testCommand: null }

/** An extra check that leaves a marker file (so a test can tell it ran) and exits with `code`. */
function extra(name: string, code: number): CheckCommand {
  return {
    name,
    command: [
      'node',
      '-e',
      `require('fs').writeFileSync('ran-${name}', process.argv.slice(1).join(','));process.exit(${code})`,
      '{files}',
    ],
  }
}

describe('runVerification', () => {
  it('runs related tests, then the whole suite, then the extra checks, in that order', async () => {
    const root = fixtureProject('node-basic')
    const settings = {
      verifyFullSuite: true,
      extraChecks: [extra('typecheck', 0), extra('lint', 0)],
    }
    const result = await runVerification(detectRunner(root, noConfig), ['src/math.js'], {
      settings,
    })
    expect(result.passed).toBe(true)
    expect(result.checks.map((c) => c.name)).toEqual(['related', 'suite', 'typecheck', 'lint'])
    expect(result.selection.map((s) => s.file)).toEqual(['test/math.test.js'])
    expect(result.failed).toBeNull()
  })

  it('stops at the first red ring and names what it skipped', async () => {
    const root = fixtureProject('node-basic')
    // A break in strings.js is invisible to math's related test but not to the suite.
    edit(root, 'src/strings.js', '!`', '?`')
    const settings = { verifyFullSuite: true, extraChecks: [extra('typecheck', 0)] }
    const result = await runVerification(detectRunner(root, noConfig), ['src/math.js'], {
      settings,
    })
    expect(result.passed).toBe(false)
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ['related', true],
      ['suite', false],
    ])
    expect(result.failed?.failures.map((f) => f.name)).toEqual(['shouts'])
    expect(result.skipped).toEqual(['typecheck'])
    expect(existsSync(path.join(root, 'ran-typecheck'))).toBe(false)
  })

  it('skips the suite ring when verifyFullSuite is off, and stops at a red extra check', async () => {
    const root = fixtureProject('node-basic')
    const settings = {
      verifyFullSuite: false,
      extraChecks: [extra('typecheck', 2), extra('lint', 0)],
    }
    const result = await runVerification(detectRunner(root, noConfig), ['src/math.js'], {
      settings,
    })
    expect(result.checks.map((c) => [c.name, c.exitCode])).toEqual([
      ['related', 0],
      ['typecheck', 2],
    ])
    expect(result.skipped).toEqual(['lint'])
    expect(existsSync(path.join(root, 'ran-lint'))).toBe(false)
    // {files} expanded to the changed files.
    expect(result.checks[1]?.command.at(-1)).toBe('src/math.js')
  })

  it('does not run the suite twice when the related ring already was the whole suite', async () => {
    const root = fixtureProject('node-basic')
    const result = await runVerification(detectRunner(root, noConfig), ['src/orphan.js'], {
      settings: { verifyFullSuite: true },
    })
    expect(result.checks.map((c) => c.name)).toEqual(['related'])
    expect(result.selection).toEqual([{ file: '*', reason: 'fallback' }])
  })

  it('reports an extra check whose command cannot be found as red, with the reason', async () => {
    const root = fixtureProject('node-basic')
    const settings = {
      verifyFullSuite: false,
      extraChecks: [{ name: 'lint', command: ['fixloop-no-linter'] }],
    }
    const result = await runVerification(detectRunner(root, noConfig), ['src/math.js'], {
      settings,
    })
    expect(result.failed).toMatchObject({ name: 'lint', passed: false, exitCode: null })
    expect(result.failed?.output).toMatch(
      /fixloop-no-linter.*neither in node_modules\/\.bin nor on PATH/,
    )
  })

  it('confirms a green fix against detection: the test that failed is seen passing, by name', async () => {
    const root = fixtureProject('node-basic')
    edit(root, 'src/math.js', 'a + b', 'a - b')
    const runner = detectRunner(root, noConfig)
    const detection = await runDetection(runner, ['src/math.js'], { settings: { flakyReruns: 0 } })
    edit(root, 'src/math.js', 'a - b', 'a + b')
    const result = await runVerification(runner, ['src/math.js'], {
      settings: { verifyFullSuite: true },
      detected: detection.checks,
    })
    expect(result.passed).toBe(true)
    expect(result.confirmation).toEqual({
      confirmed: true,
      seenPassing: ['"math > adds" (test/math.test.js)'],
      problems: [],
    })
    expect(result.checks.map((c) => [c.name, c.tests?.passed])).toEqual([
      ['related', 2],
      ['suite', 4],
    ])
  })

  it('does not confirm a fix that exits before the tests run, though every check passed', async () => {
    const root = fixtureProject('node-basic')
    edit(root, 'src/math.js', 'a + b', 'a - b')
    const runner = detectRunner(root, noConfig)
    const detection = await runDetection(runner, ['src/math.js'], { settings: { flakyReruns: 0 } })
    edit(root, 'src/math.js', 'export const add', 'process.exit(0)\nexport const add')
    const result = await runVerification(runner, ['src/math.js'], {
      settings: { verifyFullSuite: false },
      detected: detection.checks,
    })
    expect(result.passed).toBe(true)
    expect(result.confirmation?.confirmed).toBe(false)
    expect(result.confirmation?.problems).toEqual([
      '"math > adds" (test/math.test.js) failed at detection and was not seen passing',
      'test/math.test.js ran no test at all, as when the process exits before its tests',
      'the related tests ran 0 tests where detection ran 2',
    ])
  })

  it('confirms nothing when no detection is given, or when verification is red', async () => {
    const root = fixtureProject('node-basic')
    const runner = detectRunner(root, noConfig)
    const plain = await runVerification(runner, ['src/math.js'], {
      settings: { verifyFullSuite: false },
    })
    expect(plain.confirmation).toBeNull()
    edit(root, 'src/math.js', 'a + b', 'a - b')
    const red = await runVerification(runner, ['src/math.js'], {
      settings: { verifyFullSuite: false },
      detected: [],
    })
    expect(red.passed).toBe(false)
    expect(red.confirmation).toBeNull()
  })

  it("confirms a plain npm test script's fix from the names in its output, and not an early exit", async () => {
    const root = fixtureProject('npm-script')
    edit(root, 'test/one.test.js', 'assert.equal(1, 1)', 'assert.equal(1, 2)')
    const runner = detectRunner(root, noConfig)
    const detection = await runDetection(runner, ['test/one.test.js'], {
      settings: { flakyReruns: 0 },
    })
    expect(detection.checks[0]?.tests).toEqual({ passed: 0, failed: 1, skipped: 0 })
    edit(root, 'test/one.test.js', 'assert.equal(1, 2)', 'assert.equal(1, 1)')
    const fixed = await runVerification(runner, ['test/one.test.js'], {
      detected: detection.checks,
    })
    expect(fixed.confirmation?.seenPassing).toEqual(['"one is one" (test/one.test.js)'])
    expect(fixed.confirmation?.confirmed).toBe(true)

    edit(
      root,
      'test/one.test.js',
      "import { test } from 'node:test'",
      "import { test } from 'node:test'\nprocess.exit(0)",
    )
    const exited = await runVerification(runner, ['test/one.test.js'], {
      detected: detection.checks,
    })
    expect(exited.passed).toBe(true)
    expect(exited.confirmation?.problems).toEqual([
      '"one is one" (test/one.test.js) failed at detection and was not seen passing',
      'test/one.test.js ran no test at all, as when the process exits before its tests',
      'the related tests ran 0 tests where detection ran 1',
    ])
  })
})
