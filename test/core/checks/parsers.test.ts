import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseJestJson } from '../../../src/main/core/checks/parse-jest-json'
import { parseNodeTap } from '../../../src/main/core/checks/parse-node-tap'
import { isCheckerFailure, parseText } from '../../../src/main/core/checks/parse-text'
import { parseTextTally } from '../../../src/main/core/checks/parse-text-tally'
import { REPO_ROOT, tempDir } from './fixtures'

/** A node:test file with the shapes the TAP parser must tell apart. */
const NODE_TESTS = `
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
describe('outer', () => {
  describe('inner', () => {
    test('deep # with hash', () => assert.equal(1, 2))
    test('passes', () => {})
  })
})
test('throws', () => { throw new Error('boom\\nsecond line') })
test('skipped', { skip: true }, () => { throw new Error('x') })
test('todo', { todo: true }, () => { throw new Error('x') })
`

/** This process's env minus what vitest sets for its workers, which node's runner would obey. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' }
  for (const [k, v] of Object.entries(process.env))
    if (!/^(VITEST|NODE_TEST_CONTEXT)/.test(k)) env[k] = v
  return env
}

/** Runs node's real test runner over the files and returns [tap, spec] output. */
function runNodeTests(files: Record<string, string>): { root: string; tap: string; spec: string } {
  const root = tempDir()
  writeFileSync(path.join(root, 'package.json'), '{"type":"module"}')
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(root, name), body)
  const names = Object.keys(files).map((n) => `./${n}`)
  const run = (reporter: string) => {
    try {
      return execFileSync(process.execPath, ['--test', `--test-reporter=${reporter}`, ...names], {
        cwd: root,
        encoding: 'utf8',
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (error) {
      return (error as { stdout: string }).stdout
    }
  }
  return { root, tap: run('tap'), spec: run('spec') }
}

describe('parseNodeTap', () => {
  it("reads leaf failures of node's real TAP output with suite paths, files and messages", () => {
    const { root, tap } = runNodeTests({
      'a.test.js': NODE_TESTS,
      'crash.test.js': "throw new Error('at load')\n",
    })
    const failures = parseNodeTap(tap, root).failures
    expect(failures.map((f) => [f.name, f.file]).sort()).toEqual([
      ['crash.test.js', 'crash.test.js'],
      ['outer > inner > deep # with hash', 'a.test.js'],
      ['throws', 'a.test.js'],
    ])
    const byName = Object.fromEntries(failures.map((f) => [f.name, f.message]))
    expect(byName['outer > inner > deep # with hash']).toMatch(
      /AssertionError: Expected values to be strictly equal[\s\S]*expected: 2\nactual: 1/,
    )
    expect(byName.throws).toMatch(/^boom\nsecond line/)
    // A file that crashed before any test ran: its stderr is the message.
    expect(byName['crash.test.js']).toContain('Error: at load')
  })

  it('finds nothing in a green run', () => {
    const { root, tap } = runNodeTests({
      'ok.test.js': "import { test } from 'node:test'\ntest('fine', () => {})\n",
    })
    expect(parseNodeTap(tap, root).failures).toEqual([])
  })

  it('tallies leaf tests, passing ones by name; suites, skips and todos are not runs', () => {
    const { root, tap } = runNodeTests({ 'a.test.js': NODE_TESTS })
    expect(parseNodeTap(tap, root).tests).toEqual({
      counts: { passed: 1, failed: 2, skipped: 2 },
      named: true,
      passed: [{ name: 'outer > inner > passes' }],
      emptyFiles: [],
    })
  })

  it('counts no test for a file that exits before its tests, and names the file', () => {
    const { root, tap } = runNodeTests({
      'exits.test.js': `import { test } from 'node:test'\nprocess.exit(0)\ntest('never runs', () => {})\n`,
      'crash.test.js': "throw new Error('at load')\n",
      'ok.test.js': "import { test } from 'node:test'\ntest('fine', () => {})\n",
    })
    const { tests, failures } = parseNodeTap(tap, root)
    expect(tests).toEqual({
      counts: { passed: 1, failed: 0, skipped: 0 },
      named: true,
      passed: [{ name: 'fine' }],
      emptyFiles: ['exits.test.js'],
    })
    // The file that did not load is still a failure, but not a test that ran.
    expect(failures.map((f) => f.name)).toEqual(['crash.test.js'])
  })
})

describe('parseJestJson', () => {
  it('reads failing assertions and files that failed to run from a jest report', () => {
    const report = readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/checks/reports/jest-report.json'),
      'utf8',
    )
    const parsed = parseJestJson(report, '/proj')
    expect(parsed.testFiles).toEqual(['src/cart.test.js', 'src/broken.test.js'])
    expect(parsed.failures).toEqual([
      {
        name: 'cart > totals > sums prices',
        file: 'src/cart.test.js',
        message: expect.stringContaining('Received: 3.2'),
      },
      {
        name: 'src/broken.test.js',
        file: 'src/broken.test.js',
        message: expect.stringContaining("Cannot find module './missing'"),
      },
    ])
  })

  it('tallies each assertion result, passing ones by name and file', () => {
    const report = readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/checks/reports/jest-report.json'),
      'utf8',
    )
    expect(parseJestJson(report, '/proj').tests).toEqual({
      counts: { passed: 1, failed: 1, skipped: 0 },
      named: true,
      passed: [{ name: 'cart > is empty at first', file: 'src/cart.test.js' }],
      emptyFiles: [],
    })
  })

  it('refuses JSON that is not a report', () => {
    expect(() => parseJestJson('{"a":1}', '/proj')).toThrow(SyntaxError)
  })
})

describe('parseText', () => {
  it("reads node's spec reporter, once per failing test, with the file from its summary", () => {
    const { root, spec } = runNodeTests({ 'a.test.js': NODE_TESTS })
    const failures = parseText(spec, root)
    expect(failures.map((f) => f.name)).toEqual(['deep # with hash', 'throws'])
    expect(failures.map((f) => f.file)).toEqual(['a.test.js', 'a.test.js'])
    expect(failures[0]?.message).toContain('Expected values to be strictly equal')
  })

  it('reads TAP when the output is TAP', () => {
    const { root, tap } = runNodeTests({ 'a.test.js': NODE_TESTS })
    expect(parseText(tap, root).map((f) => f.name)).toEqual([
      'outer > inner > deep # with hash',
      'throws',
    ])
  })

  it("reads tsc's errors", () => {
    const root = tempDir()
    writeFileSync(path.join(root, 'bad.ts'), 'export const n: number = "text"\n')
    let out = ''
    try {
      execFileSync(
        path.join(REPO_ROOT, 'node_modules/.bin/tsc'),
        ['--noEmit', '--strict', 'bad.ts'],
        { cwd: root, encoding: 'utf8' },
      )
    } catch (error) {
      out = (error as { stdout: string }).stdout
    }
    expect(parseText(out, root)).toEqual([
      {
        name: 'TS2322 bad.ts:1',
        file: 'bad.ts',
        message: "Type 'string' is not assignable to type 'number'.",
      },
    ])
  })

  it("reads ESLint's stylish format and jest's default reporter", () => {
    const eslint = [
      '',
      '/proj/src/a.ts',
      "  3:7  error  'x' is assigned a value but never used  no-unused-vars",
      '',
      '✖ 1 problem (1 error, 0 warnings)',
    ].join('\n')
    expect(parseText(eslint, '/proj')).toEqual([
      {
        name: 'no-unused-vars src/a.ts:3',
        file: 'src/a.ts',
        message: "'x' is assigned a value but never used",
      },
    ])
    const jest = [
      'FAIL src/cart.test.js',
      '  ● cart › totals',
      '',
      '    expect(received).toBe(expected)',
    ].join('\n')
    expect(parseText(jest, '/proj').map((f) => f.name)).toEqual([
      'src/cart.test.js',
      'cart > totals',
    ])
  })
})

describe('isCheckerFailure', () => {
  it("tells tsc's and ESLint's findings from failing tests", () => {
    expect(isCheckerFailure({ name: 'TS2322 bad.ts:1', file: 'bad.ts', message: '' })).toBe(true)
    expect(
      isCheckerFailure({ name: 'no-unused-vars src/a.ts:3', file: 'src/a.ts', message: '' }),
    ).toBe(true)
    expect(isCheckerFailure({ name: 'math > adds', file: 'test/math.test.js', message: '' })).toBe(
      false,
    )
    expect(isCheckerFailure({ name: 'src/a.test.js', file: 'src/a.test.js', message: '' })).toBe(
      false,
    )
  })
})

describe('parseTextTally', () => {
  it("names passing tests from node's spec reporter and takes the count from its summary", () => {
    const { root, spec } = runNodeTests({ 'a.test.js': NODE_TESTS })
    const tally = parseTextTally(spec, root)
    expect(tally?.counts).toEqual({ passed: 1, failed: 2, skipped: 2 })
    expect(tally?.named).toBe(true)
    expect(tally?.passed.map((p) => p.name)).toContain('passes')
  })

  it('does not count a test file that exited early as a passing test', () => {
    const { root, spec } = runNodeTests({
      'exits.test.js': `import { test } from 'node:test'\nprocess.exit(0)\ntest('never runs', () => {})\n`,
    })
    expect(parseTextTally(spec, root)).toEqual({
      counts: { passed: 0, failed: 0, skipped: 0 },
      named: true,
      passed: [],
      emptyFiles: ['exits.test.js'],
    })
  })

  it('reads TAP when the output is TAP', () => {
    const { root, tap } = runNodeTests({ 'a.test.js': NODE_TESTS })
    expect(parseTextTally(tap, root)?.passed).toEqual([{ name: 'outer > inner > passes' }])
  })

  it("names tests from vitest's verbose reporter, and only counts them from its default one", () => {
    const verbose = [
      ' ✓ src/cart.test.js > cart > totals items 1ms',
      ' ✓ src/pricing.test.js > rounds to cents 1ms',
      '',
      ' Test Files  2 passed (2)',
      '      Tests  2 passed (2)',
    ].join('\n')
    expect(parseTextTally(verbose, '/proj')).toEqual({
      counts: { passed: 2, failed: 0, skipped: 0 },
      named: true,
      passed: [
        { name: 'cart > totals items', file: 'src/cart.test.js' },
        { name: 'rounds to cents', file: 'src/pricing.test.js' },
      ],
      emptyFiles: [],
    })
    const terse = [
      ' ✓ src/cart.test.js (1 test) 3ms',
      ' ❯ src/pricing.test.js (2 tests | 1 failed) 4ms',
      '      Tests  1 failed | 2 passed (3)',
    ].join('\n')
    expect(parseTextTally(terse, '/proj')).toMatchObject({
      counts: { passed: 2, failed: 1, skipped: 0 },
      named: false,
      passed: [],
    })
  })

  it("reads jest's and mocha's reporters", () => {
    const jest = [
      'PASS src/cart.test.js',
      '  cart',
      '    ✓ is empty at first (3 ms)',
      '    ○ skipped later',
      '',
      'Tests:       1 skipped, 1 passed, 2 total',
    ].join('\n')
    expect(parseTextTally(jest, '/proj')).toMatchObject({
      counts: { passed: 1, failed: 0, skipped: 1 },
      named: true,
      passed: [{ name: 'is empty at first' }],
    })
    const mocha = [
      '  cart',
      '    ✔ totals',
      '    1) sums',
      '',
      '  1 passing (4ms)',
      '  1 failing',
    ].join('\n')
    expect(parseTextTally(mocha, '/proj')).toMatchObject({
      counts: { passed: 1, failed: 1, skipped: 0 },
      named: true,
      passed: [{ name: 'totals' }],
    })
  })

  it('reads pytest, go test -v and cargo test', () => {
    const pytest = [
      'test_a.py::test_add PASSED                                               [ 25%]',
      'test_a.py::test_bad FAILED                                               [ 50%]',
      'test_a.py::test_skip SKIPPED (unconditional skip)                        [ 75%]',
      'test_a.py::TestK::test_m PASSED                                          [100%]',
      '==================== 1 failed, 2 passed, 1 skipped in 0.48s ====================',
    ].join('\n')
    expect(parseTextTally(pytest, '/proj')).toMatchObject({
      counts: { passed: 2, failed: 1, skipped: 1 },
      named: true,
      passed: [
        { name: 'test_a.py::test_add', file: 'test_a.py' },
        { name: 'test_a.py::TestK::test_m', file: 'test_a.py' },
      ],
    })
    // pytest without -v: a count, no names.
    expect(parseTextTally('=== 3 passed in 0.1s ===', '/proj')).toMatchObject({
      counts: { passed: 3, failed: 0, skipped: 0 },
      named: false,
    })
    const go = ['=== RUN   TestAdd', '--- PASS: TestAdd (0.00s)', '--- FAIL: TestSub (0.00s)'].join(
      '\n',
    )
    expect(parseTextTally(go, '/proj')).toMatchObject({
      counts: { passed: 1, failed: 1, skipped: 0 },
      passed: [{ name: 'TestAdd' }],
    })
    const cargo = [
      'test tests::it_works ... ok',
      'test tests::later ... ignored',
      '',
      'test result: ok. 1 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out',
    ].join('\n')
    expect(parseTextTally(cargo, '/proj')).toMatchObject({
      counts: { passed: 1, failed: 0, skipped: 1 },
      named: true,
      passed: [{ name: 'tests::it_works' }],
    })
  })

  it('returns null for output that says nothing about tests', () => {
    expect(parseTextTally('Build finished.\n', '/proj')).toBeNull()
    expect(parseTextTally('', '/proj')).toBeNull()
  })
})
