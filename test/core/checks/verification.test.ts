import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
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
})
