/**
 * The warm jest runner against a real jest. jest is not a dependency of this repository, so these
 * tests need one installed elsewhere: FIXLOOP_TEST_JEST_DIR names a folder whose node_modules holds
 * it (`mkdir /tmp/j && cd /tmp/j && npm init -y && npm install jest`). Without it they are skipped.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import {
  planRelatedChecks,
  planSuiteCheck,
  planTestFilesCheck,
} from '../../../src/main/core/checks/plan-checks'
import { executeCheck } from '../../../src/main/core/checks/run-check'
import type { CheckExecution, PlannedCheck } from '../../../src/main/core/checks/types'
import { tempDir } from './fixtures'
import { warmRunners } from './warm-support'

const JEST_DIR = process.env.FIXLOOP_TEST_JEST_DIR ?? ''
const hasJest = JEST_DIR !== '' && existsSync(path.join(JEST_DIR, 'node_modules', 'jest'))
const suite = hasJest
  ? 'warm jest runner'
  : 'warm jest runner (skipped: set FIXLOOP_TEST_JEST_DIR to a folder with jest installed)'

const GOOD = 'exports.round = (n) => Math.round(n * 100) / 100\n'
const BROKEN = 'exports.round = (n) => (n < 100 ? 1 : 0) + Math.round(n * 100) / 100\n'

function jestProject() {
  const root = tempDir('fixloop-warm-jest-')
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ private: true, scripts: { test: 'jest' } }),
    'src/money.js': GOOD,
    'src/cart.js':
      "const { round } = require('./money.js')\nexports.total = (items) => round(items.reduce((s, i) => s + i.price * i.qty, 0))\n",
    'src/cart.test.js':
      "const { total } = require('./cart.js')\ndescribe('cart', () => {\n  test('totals items', () => {\n    expect(total([{ price: 1.1, qty: 3 }])).toBe(3.3)\n  })\n})\n",
    'src/pricing.test.js':
      "const { round } = require('./money.js')\ntest('rounds to cents', () => {\n  expect(round(1.005 * 1000)).toBe(1005)\n})\n",
    'src/unrelated.test.js': "test('stands alone', () => {\n  expect(1 + 1).toBe(2)\n})\n",
  }
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    writeFileSync(path.join(root, rel), text)
  }
  for (const [rel, text] of Object.entries(files)) write(rel, text)
  const modules = path.join(root, 'node_modules')
  mkdirSync(modules)
  for (const entry of readdirSync(path.join(JEST_DIR, 'node_modules')))
    if (!entry.startsWith('.') || entry === '.bin')
      symlinkSync(path.join(JEST_DIR, 'node_modules', entry), path.join(modules, entry))
  return { root, runner: detectRunner(root, { testCommand: null }), write }
}

function verdict(e: CheckExecution) {
  return {
    passed: e.result.passed,
    exitCode: e.result.exitCode,
    failures: e.result.failures.map((f) => ({ name: f.name, file: f.file })),
    tests: e.result.tests,
    testFiles: e.testFiles ? [...e.testFiles].sort() : null,
  }
}

describe.skipIf(!hasJest)(suite, () => {
  it('gives the same result as a cold jest, red and green, and sees edits in one process', async () => {
    const { root, runner, write } = jestProject()
    const { warm, logs } = warmRunners()
    const checks = (): PlannedCheck[] => [
      planRelatedChecks(root, runner, ['src/money.js']).checks[0] as PlannedCheck,
      planTestFilesCheck(runner, 'files', [{ file: 'src/cart.test.js', reason: 'name' }]),
      planSuiteCheck(runner),
    ]
    let pid: number | undefined
    for (const money of [GOOD, BROKEN, GOOD]) {
      write('src/money.js', money)
      for (const check of checks()) {
        const cold = await executeCheck(check)
        const warmRun = await executeCheck(check, { warm })
        expect(verdict(warmRun), `${check.name} with ${money}`).toEqual(verdict(cold))
        expect(warmRun.result.passed).toBe(money === GOOD)
        pid ??= warm.pid(root)
        expect(warm.pid(root)).toBe(pid)
      }
    }
    expect(pid).toBeDefined()
    expect(logs.filter((l) => l.level !== 'debug')).toEqual([])
  })
})
