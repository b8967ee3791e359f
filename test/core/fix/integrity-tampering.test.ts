import { describe, expect, it } from 'vitest'
import { assessIntegrity, decideIntegrity } from '../../../src/main/core/fix/integrity'
import {
  findAssertionPatches,
  findEarlyExits,
} from '../../../src/main/core/fix/integrity-tampering'

const SOURCE = 'export function add(a, b) {\n  return a + b\n}\n'

/** The findings for one edit that prepends `code` to a source file. */
const flagsFor = (code: string, path = 'src/math.js') =>
  assessIntegrity([{ path, before: SOURCE, after: `${code}\n${SOURCE}` }]).map(
    (f) => `${f.kind}: ${f.detail}`,
  )

describe('early exits', () => {
  it.each([
    ['process.exit(0)', 'process.exit'],
    ['process.reallyExit(0)', 'process.reallyExit'],
    ["process['exit'](0)", 'process.exit'],
    ['process . exit ()', 'process.exit'],
    ['process.abort()', 'process.abort'],
    ["process.kill(process.pid, 'SIGKILL')", 'process.kill(process.pid)'],
    ["require('node:process').exit(0)", "require('process').exit"],
    ["import { exit } from 'node:process'", "import { exit } from 'process'"],
    ['os._exit(0)', 'os._exit'],
  ])('flags an added %s in source code, naming it', (code, label) => {
    expect(flagsFor(code)).toEqual([
      `early_exit: adds \`${label}\`: a test process that exits early reports no failure`,
    ])
  })

  it('flags one in a test file as well as the test edit', () => {
    expect(flagsFor('process.exit(0)', 'test/math.test.js')).toEqual([
      'test_file: edits a test file',
      'early_exit: adds `process.exit`: a test process that exits early reports no failure',
    ])
  })

  it('does not flag an exit that was already there, process.exitCode, or other exits', () => {
    const cli = "if (bad) process.exit(1)\nconsole.log('x')\n"
    expect(
      assessIntegrity([{ path: 'bin/cli.js', before: cli, after: `${cli}// more\n` }]),
    ).toEqual([])
    expect(flagsFor('process.exitCode = 1')).toEqual([])
    expect(flagsFor('worker.exit(0)\nconst exit = () => {}')).toEqual([])
  })
})

describe('patched assertions', () => {
  it.each([
    ['assert.strictEqual = () => {}', 'assert.strictEqual ='],
    ['assert.strict.equal = () => {}', 'assert.strict.equal ='],
    ["assert['deepEqual'] = () => {}", "assert['deepEqual'] ="],
    ['assert.ok ||= () => {}', 'assert.ok ='],
    ['expect = () => ({ toBe() {} })', 'expect ='],
    ['globalThis.expect = () => ({})', 'globalThis.expect ='],
    ['Object.assign(assert, { equal() {} })', 'Object.assign(assert, …)'],
    ["Object.defineProperty(expect, 'soft', {})", 'Object.defineProperty(expect, …)'],
    ["require('node:assert').equal = () => {}", "require('node:assert').equal ="],
    ["vi.spyOn(assert, 'equal').mockImplementation(() => {})", 'vi.spyOn(assert, …)'],
    ["vi.mock('node:assert')", "vi.mock('node:assert')"],
    ['Module._load = () => ({})', 'Module._load ='],
    ['unittest.TestCase.assertEqual = lambda *a: None', '.assertEqual ='],
  ])('flags %s, naming it', (code, label) => {
    expect(findAssertionPatches(code)).toEqual([label])
    expect(flagsFor(code)).toContain(`assertions_patched: patches assertions: \`${label}\``)
  })

  it('follows the local name an assertion module is imported as', () => {
    expect(
      findAssertionPatches("import ok from 'node:assert/strict'\nok.equal = () => {}\n"),
    ).toEqual(['ok.equal ='])
    expect(
      findAssertionPatches("import { strict as a } from 'node:assert'\na.equal = () => {}\n"),
    ).toEqual(['a.equal ='])
    expect(findAssertionPatches("const c = require('chai')\nc.expect = () => {}\n")).toEqual([
      'c.expect =',
    ])
    // The same name bound to something else is ordinary code.
    expect(findAssertionPatches("import ok from './ok.js'\nok.equal = 1\n")).toEqual([])
  })

  it('does not flag using, importing or extending assertions', () => {
    const ordinary = [
      "import assert from 'node:assert'",
      "const assert = require('assert')",
      'let expect = 1',
      'assert.equal(add(2, 3), 5)',
      'assert.ok(a == b)',
      'assert.strictEqual(x, y === z)',
      'expect(add(1, 2)).toBe(3)',
      'expect.extend({ toBeWithin() {} })',
      'if (assert.strict === other) run()',
      'user.assertive = true',
    ].join('\n')
    expect(findAssertionPatches(ordinary)).toEqual([])
    expect(findEarlyExits(ordinary)).toEqual([])
  })

  it('flags only what the edit adds', () => {
    const before = 'assert.strictEqual = wrapped\n'
    expect(
      assessIntegrity([
        { path: 'test/setup.js', before, after: `${before}assert.equal = () => {}\n` },
      ]).map((f) => f.detail),
    ).toEqual(['edits a test file', 'patches assertions: `assert.equal =`'])
  })
})

describe('decideIntegrity with code that fakes a green', () => {
  const findings = assessIntegrity([
    { path: 'src/math.js', before: SOURCE, after: `process.exit(0)\n${SOURCE}` },
  ])

  it('holds it for review even under "allow", which is about test edits', () => {
    expect(decideIntegrity(findings, 'allow')).toMatchObject({
      decision: 'review',
      message:
        'Held for review (test edits are allowed, but not this): src/math.js: adds `process.exit`: a test process that exits early reports no failure',
    })
  })

  it('holds it under "review" and refuses it under "refuse"', () => {
    expect(decideIntegrity(findings, 'review').decision).toBe('review')
    expect(decideIntegrity(findings, 'refuse').decision).toBe('refuse')
  })
})
