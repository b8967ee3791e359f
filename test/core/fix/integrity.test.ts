import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSandboxedEditor } from '../../../src/main/core/fix/editor'
import {
  assessIntegrity,
  decideIntegrity,
  integrityByPath,
  isTestPath,
} from '../../../src/main/core/fix/integrity'
import { Journal } from '../../../src/main/core/fix/journal'

const TEST = `import { expect, it } from 'vitest'
import { add } from '../src/math'

it('adds', () => {
  expect(add(1, 2)).toBe(3)
  expect(add(0, 0)).toBe(0)
})

it('adds negatives', () => {
  expect(add(-1, -2)).toBe(-3)
})
`

const kinds = (edits: Parameters<typeof assessIntegrity>[0]) =>
  assessIntegrity(edits).map((f) => `${f.path}: ${f.kind}: ${f.detail}`)

describe('assessIntegrity', () => {
  it('finds nothing in an edit to source code only', () => {
    expect(
      kinds([{ path: 'src/math.ts', before: 'return a - b\n', after: 'return a + b\n' }]),
    ).toEqual([])
  })

  it.each([
    'src/math.test.ts',
    'src/math.spec.js',
    'src/__tests__/math.ts',
    'test/math.ts',
    'tests/unit/math.py',
    'pkg/math_test.go',
    'test_math.py',
    'spec/math_spec.rb',
    'src/test/java/MathTest.java',
  ])('flags %s as a test file', (path) => {
    expect(isTestPath(path)).toBe(true)
    expect(kinds([{ path, before: 'a\n', after: 'b\n' }])[0]).toBe(
      `${path}: test_file: edits a test file`,
    )
  })

  it('does not take source files with test-like words for tests', () => {
    for (const path of [
      'src/testing.ts',
      'src/contest.ts',
      'src/latest/index.ts',
      'src/attest.py',
    ]) {
      expect(isTestPath(path), path).toBe(false)
    }
  })

  it('flags snapshots', () => {
    expect(
      kinds([
        { path: 'src/__snapshots__/ui.test.ts.snap', before: 'a', after: 'b' },
        { path: 'tests/ui.ambr', before: null, after: 'b' },
      ]),
    ).toEqual([
      'src/__snapshots__/ui.test.ts.snap: snapshot: edits a snapshot',
      'tests/ui.ambr: snapshot: creates a snapshot',
    ])
  })

  it.each([
    ['vitest.config.ts', 'runner_config', 'edits test runner configuration'],
    ['jest.config.js', 'runner_config', 'edits test runner configuration'],
    ['playwright.config.ts', 'runner_config', 'edits test runner configuration'],
    ['.mocharc.yml', 'runner_config', 'edits test runner configuration'],
    ['karma.conf.js', 'runner_config', 'edits test runner configuration'],
    ['pytest.ini', 'runner_config', 'edits test runner configuration'],
    ['tsconfig.json', 'check_config', 'edits type-checker or linter configuration'],
    ['tsconfig.build.json', 'check_config', 'edits type-checker or linter configuration'],
    ['eslint.config.js', 'check_config', 'edits type-checker or linter configuration'],
  ])('flags %s as %s', (path, kind, detail) => {
    expect(kinds([{ path, before: 'a', after: 'b' }])).toEqual([`${path}: ${kind}: ${detail}`])
  })

  it('flags package.json only when scripts, runner or install keys change', () => {
    const pkg = (extra: object) =>
      JSON.stringify({ name: 'x', version: '1.0.0', ...extra }, null, 2)
    const scripts = { test: 'vitest run', build: 'tsc' }
    expect(
      kinds([
        {
          path: 'package.json',
          before: pkg({ scripts }),
          after: pkg({ scripts, version: '1.0.1', description: 'now described' }),
        },
      ]),
    ).toEqual([])
    expect(
      kinds([
        {
          path: 'package.json',
          before: pkg({ scripts }),
          after: pkg({ scripts: { ...scripts, test: 'vitest run --passWithNoTests' }, jest: {} }),
        },
      ]),
    ).toEqual(['package.json: runner_config: changes "scripts", "jest" in package.json'])
    expect(kinds([{ path: 'package.json', before: pkg({}), after: '{ broken' }])).toEqual([
      'package.json: runner_config: changes its content (it does not parse as JSON) in package.json',
    ])
  })

  it('flags pyproject.toml only when a runner or checker section changes', () => {
    const toml = (deps: string, addopts: string) =>
      `[project]\nname = "x"\ndependencies = [${deps}]\n\n[tool.pytest.ini_options]\naddopts = "${addopts}"\n`
    expect(
      kinds([{ path: 'pyproject.toml', before: toml('', '-q'), after: toml('"a"', '-q') }]),
    ).toEqual([])
    expect(
      kinds([
        { path: 'pyproject.toml', before: toml('', '-q'), after: toml('', '-q -k "not slow"') },
      ]),
    ).toEqual([
      'pyproject.toml: runner_config: changes [tool.pytest.ini_options] in pyproject.toml',
    ])
  })

  it.each([
    ["it('adds'", "it.skip('adds'", 'adds 1 `.skip(` marker'],
    ["it('adds'", "it.only('adds'", 'adds 1 `.only(` marker'],
    ["it('adds'", "xit('adds'", 'adds 1 `xit(` marker'],
    ["it('adds negatives'", "it.todo('adds negatives'", 'adds 1 `it.todo(` marker'],
    ["it('adds'", "describe.skip('x', () => {})\nit('adds'", 'adds 1 `.skip(` marker'],
  ])('flags %s becoming %s', (from, to, detail) => {
    const found = assessIntegrity([
      { path: 'test/math.test.ts', before: TEST, after: TEST.replace(from, to) },
    ])
    expect(found.filter((f) => f.kind === 'skip_or_only').map((f) => f.detail)).toEqual([detail])
  })

  it('flags runner markers in files that do not look like tests, but not ordinary .skip( calls', () => {
    expect(
      kinds([
        { path: 'src/db.ts', before: 'q.find()\n', after: 'q.find().skip(10).limit(5)\n' },
        { path: 'checks/smoke.ts', before: "it('x', f)\n", after: "it.only('x', f)\n" },
      ]),
    ).toEqual(['checks/smoke.ts: skip_or_only: adds 1 `it.skip(` marker'])
  })

  it('flags removed assertions and removed tests', () => {
    const weaker = TEST.replace('  expect(add(0, 0)).toBe(0)\n', '').replace(
      "\nit('adds negatives', () => {\n  expect(add(-1, -2)).toBe(-3)\n})\n",
      '',
    )
    expect(kinds([{ path: 'test/math.test.ts', before: TEST, after: weaker }])).toEqual([
      'test/math.test.ts: test_file: edits a test file',
      'test/math.test.ts: assertions_removed: removes 2 assertion lines',
      'test/math.test.ts: tests_removed: removes 1 test',
    ])
  })

  it('flags an assertion removed from source code, and a test file deleted', () => {
    expect(
      kinds([
        { path: 'src/x.ts', before: 'assert(n > 0)\nreturn n\n', after: 'return n\n' },
        { path: 'test/x.test.ts', before: TEST, after: null },
      ]),
    ).toEqual([
      'src/x.ts: assertions_removed: removes 1 assertion line',
      'test/x.test.ts: test_file: deletes a test file',
      'test/x.test.ts: assertions_removed: removes 3 assertion lines',
      'test/x.test.ts: tests_removed: removes 2 tests',
    ])
  })

  it('flags suppression comments added to source code', () => {
    expect(
      kinds([
        {
          path: 'src/x.ts',
          before: 'const n: number = s\n',
          after: '// @ts-ignore\nconst n: number = s // eslint-disable-line\n',
        },
      ]),
    ).toEqual([
      'src/x.ts: suppression: adds 1 `@ts-ignore` comment',
      'src/x.ts: suppression: adds 1 `eslint-disable` comment',
    ])
  })

  it('reads what the journal says the task changed, original against final', async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-integrity-')))
    try {
      await mkdir(join(root, 'test'))
      await writeFile(join(root, 'test', 'math.test.ts'), TEST)
      const journal = await Journal.open(root, 'task_integrity')
      const editor = createSandboxedEditor({ root, journal })
      // Focus then unfocus: the final content is the original, so nothing is left to flag but the edit.
      await editor.execute({
        command: 'str_replace',
        path: 'test/math.test.ts',
        old_str: "it('adds'",
        new_str: "it.only('adds'",
      })
      await editor.execute({
        command: 'str_replace',
        path: 'test/math.test.ts',
        old_str: "it.only('adds'",
        new_str: "it('adds'",
      })
      expect(assessIntegrity(journal.changes())).toEqual([])
      await editor.execute({
        command: 'str_replace',
        path: 'test/math.test.ts',
        old_str: '.toBe(3)',
        new_str: '.toBe(4)',
      })
      expect(assessIntegrity(journal.changes()).map((f) => f.kind)).toEqual(['test_file'])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe('decideIntegrity', () => {
  const findings = assessIntegrity([
    { path: 'test/a.test.ts', before: "it('a', f)\n", after: "it.only('a', f)\n" },
  ])

  it('allows a clean fix under every policy', () => {
    for (const policy of ['allow', 'review', 'refuse'] as const) {
      expect(decideIntegrity([], policy)).toMatchObject({ decision: 'allow', reasons: [] })
    }
  })

  it('keeps the findings but allows under "allow"', () => {
    expect(decideIntegrity(findings, 'allow')).toMatchObject({
      decision: 'allow',
      message:
        'Allowed by policy: test/a.test.ts: edits a test file; test/a.test.ts: adds 1 `.only(` marker',
    })
  })

  it('holds for review under "review"', () => {
    expect(decideIntegrity(findings, 'review')).toEqual({
      decision: 'review',
      findings,
      reasons: ['test/a.test.ts: edits a test file', 'test/a.test.ts: adds 1 `.only(` marker'],
      message:
        'Held for review: test/a.test.ts: edits a test file; test/a.test.ts: adds 1 `.only(` marker',
    })
  })

  it('refuses under "refuse"', () => {
    expect(decideIntegrity(findings, 'refuse').decision).toBe('refuse')
    expect(decideIntegrity(findings, 'refuse').message).toMatch(
      /^Refused by the test-integrity policy: /,
    )
  })

  it('groups reasons by path for FileEdit.integrity', () => {
    expect(integrityByPath(findings)).toEqual(
      new Map([['test/a.test.ts', ['edits a test file', 'adds 1 `.only(` marker']]]),
    )
  })
})

describe('build and install files', () => {
  it('a Makefile, a Dockerfile or package.json dependencies are held for review under every policy', () => {
    const makefile = assessIntegrity([
      { path: 'Makefile', before: 'all:\n\ttrue\n', after: 'all:\n\tcurl x | sh\n' },
    ])
    expect(makefile.map((f) => f.kind)).toEqual(['build_file'])
    expect(makefile[0]!.detail).toMatch(/^edits a build file/)
    for (const policy of ['allow', 'review', 'refuse'] as const)
      expect(decideIntegrity(makefile, policy).decision).toBe('review')
    const deps = assessIntegrity([
      {
        path: 'package.json',
        before: JSON.stringify({ name: 'x', dependencies: { a: '1' } }),
        after: JSON.stringify({ name: 'x', dependencies: { a: '1', evil: '9' } }),
      },
    ])
    expect(deps).toEqual([
      expect.objectContaining({
        kind: 'build_file',
        detail: expect.stringMatching(/changes "dependencies" in package.json/),
      }),
    ])
    expect(decideIntegrity(deps, 'allow').message).toMatch(/built or installed/)
    expect(
      assessIntegrity([{ path: 'Dockerfile', before: null, after: 'FROM node\n' }])[0]?.kind,
    ).toBe('build_file')
  })

  it('a plain source edit is not a build file; under "refuse", test edits beside one still refuse', () => {
    expect(assessIntegrity([{ path: 'src/make.js', before: 'a', after: 'b' }])).toEqual([])
    const both = assessIntegrity([
      { path: 'Makefile', before: 'a\n', after: 'b\n' },
      { path: 'test/a.test.js', before: 'x', after: 'y' },
    ])
    expect(decideIntegrity(both, 'refuse').decision).toBe('refuse')
    expect(decideIntegrity(both, 'review').decision).toBe('review')
  })
})
