import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import { runDetection } from '../../../src/main/core/checks/detection'
import { runVerification } from '../../../src/main/core/checks/verification'
import { planRelatedChecks } from '../../../src/main/core/checks/plan-checks'
import { edit, fixtureProject } from './fixtures'

// A temp copy of the fixture with the repository's node_modules linked in: the project's own
// `node_modules/.bin/vitest` is found by the normal detection, and `import 'vitest'` resolves.
describe('vitest projects', () => {
  it('detects vitest and keeps the script’s --config', () => {
    const root = fixtureProject('vitest-basic', { linkNodeModules: true })
    const runner = detectRunner(root, { testCommand: null })
    expect(runner.kind).toBe('vitest')
    expect(runner.exec).toEqual([path.join(root, 'node_modules/.bin/vitest')])
    expect(runner.options).toEqual(['--config', 'vitest.config.mjs'])
    const plan = planRelatedChecks(root, runner, ['src/money.js'])
    expect(plan.checks[0]?.command.slice(1, 3)).toEqual(['related', '--run'])
    expect(plan.selection).toEqual([])
  })

  it('selects tests through the module graph and parses the JSON report', async () => {
    const root = fixtureProject('vitest-basic', { linkNodeModules: true })
    edit(
      root,
      'src/money.js',
      'Math.round(n * 100) / 100',
      '(n < 100 ? 1 : 0) + Math.round(n * 100) / 100',
    )
    const runner = detectRunner(root, { testCommand: null })
    const result = await runDetection(runner, ['src/money.js'], { settings: { flakyReruns: 1 } })
    // cart.test.js reaches money.js through cart.js; neither test is named after money.js.
    expect(result.selection.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: 'src/cart.test.js', reason: 'graph', because: 'src/money.js' },
      { file: 'src/pricing.test.js', reason: 'graph', because: 'src/money.js' },
    ])
    expect(result.verdict).toBe('red')
    expect(result.checks[0]?.failures).toEqual([
      {
        name: 'cart > totals items',
        file: 'src/cart.test.js',
        message: expect.stringContaining('expected 4.3 to be 3.3'),
      },
    ])
    // The graph says cart.test.js was chosen for the changed file: the change broke it, no re-run.
    expect(result.reruns).toEqual([])
    // vitest's cache stays in the copy (vitest.config.mjs), not in the shared node_modules.
    expect(existsSync(path.join(root, '.vitest-cache'))).toBe(true)
  })

  it('re-runs only the failing file when the graph cannot say which change chose it', async () => {
    const root = fixtureProject('vitest-basic', { linkNodeModules: true })
    edit(
      root,
      'src/money.js',
      'Math.round(n * 100) / 100',
      '(n < 100 ? 1 : 0) + Math.round(n * 100) / 100',
    )
    const runner = detectRunner(root, { testCommand: null })
    const result = await runDetection(runner, ['src/money.js', 'src/banner.js'])
    expect(result.selection.find((s) => s.file === 'src/cart.test.js')).toEqual({
      file: 'src/cart.test.js',
      reason: 'graph',
    })
    expect(result.verdict).toBe('red')
    // One re-run by default, of the failing file alone, not the whole related set.
    expect(result.reruns).toHaveLength(1)
    expect(result.reruns[0]?.command.filter((a) => a.endsWith('.test.js'))).toEqual([
      'src/cart.test.js',
    ])
  })

  it('falls back to the whole suite when the graph finds no test for the change', async () => {
    const root = fixtureProject('vitest-basic', { linkNodeModules: true })
    const runner = detectRunner(root, { testCommand: null })
    const result = await runDetection(runner, ['src/banner.js'])
    expect(result.verdict).toBe('green')
    expect(result.selection).toEqual([{ file: '*', reason: 'fallback' }])
    expect(result.checks).toHaveLength(1)
    expect(result.checks[0]?.command).toContain('run')
    expect(result.checks[0]?.output).toMatch(/Test Files\s+3 passed/)
  })

  it('confirms a fix from the JSON report by name, and not one that skips the failing test', async () => {
    const root = fixtureProject('vitest-basic', { linkNodeModules: true })
    const broken = '(n < 100 ? 1 : 0) + Math.round(n * 100) / 100'
    edit(root, 'src/money.js', 'Math.round(n * 100) / 100', broken)
    const runner = detectRunner(root, { testCommand: null })
    const detection = await runDetection(runner, ['src/money.js'], { settings: { flakyReruns: 0 } })
    expect(detection.checks[0]?.tests).toEqual({ passed: 1, failed: 1, skipped: 0 })

    edit(root, 'src/money.js', broken, 'Math.round(n * 100) / 100')
    const settings = { verifyFullSuite: false }
    const fixed = await runVerification(runner, ['src/money.js'], {
      settings,
      detected: detection.checks,
    })
    expect(fixed.confirmation).toEqual({
      confirmed: true,
      seenPassing: ['"cart > totals items" (src/cart.test.js)'],
      problems: [],
    })

    edit(root, 'src/money.js', 'Math.round(n * 100) / 100', broken)
    edit(root, 'src/cart.test.js', "test('totals items'", "test.skip('totals items'")
    const skipped = await runVerification(runner, ['src/money.js'], {
      settings,
      detected: detection.checks,
    })
    expect(skipped.passed).toBe(true)
    expect(skipped.confirmation?.problems).toEqual([
      '"cart > totals items" (src/cart.test.js) failed at detection and was not seen passing',
      'the related tests ran 1 test where detection ran 2',
    ])
  })
})
