import { describe, expect, it } from 'vitest'
import {
  planExtraChecks,
  planRelatedChecks,
  planRerun,
  planSuiteCheck,
} from '../../../src/main/core/checks/plan-checks'
import type { RunnerInfo } from '../../../src/main/core/checks/types'
import type { CheckResult } from '../../../src/shared/domain'

const ROOT = '/proj'

function runner(kind: RunnerInfo['kind'], extra: Partial<RunnerInfo> = {}): RunnerInfo {
  return {
    kind,
    root: ROOT,
    exec: [`/bin/${kind}`],
    options: [],
    suiteArgs: [],
    env: {},
    template: null,
    description: kind,
    ...extra,
  }
}

const red = (files: string[]): CheckResult => ({
  name: 'related',
  command: [],
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 1,
  output: '',
  failures: files.map((file) => ({ name: 't', file, message: 'm' })),
})

describe('planRelatedChecks', () => {
  it("asks jest's module graph with absolute paths and a JSON report", () => {
    const plan = planRelatedChecks(ROOT, runner('jest', { options: ['--config', 'j.js'] }), [
      'src/a.ts',
      '/proj/src/b.ts',
    ])
    expect(plan.checks[0]).toMatchObject({
      format: 'jest-json',
      graph: { changedFiles: ['src/a.ts', 'src/b.ts'] },
      command: [
        '/bin/jest',
        '--config',
        'j.js',
        '--json',
        '--outputFile={report}',
        '--passWithNoTests',
        '--findRelatedTests',
        '/proj/src/a.ts',
        '/proj/src/b.ts',
      ],
    })
  })

  it('plans the whole suite for an npm script, and for no changed files', () => {
    expect(
      planRelatedChecks(ROOT, runner('npm', { options: ['test'] }), ['src/a.ts']).checks[0],
    ).toMatchObject({
      command: ['/bin/npm', 'test'],
      wholeSuite: true,
      selection: [{ file: '*', reason: 'fallback' }],
    })
    expect(planRelatedChecks(ROOT, runner('vitest'), []).checks[0]?.command).toEqual([
      '/bin/vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json={report}',
    ])
  })

  it('drops files outside the project', () => {
    expect(planRelatedChecks(ROOT, runner('jest'), ['/elsewhere/x.ts']).checks[0]?.wholeSuite).toBe(
      true,
    )
  })
})

describe('planRelatedChecks by name (node)', () => {
  const files = ['src/math.js', 'src/orphan.js', 'test/math.test.js', 'test/helpers.js']
  it('runs the paired tests when every changed module has one', () => {
    const plan = planRelatedChecks(ROOT, runner('node'), ['src/math.js', 'README.md'], { files })
    expect(plan.selection).toEqual([
      { file: 'test/math.test.js', reason: 'name', because: 'src/math.js' },
    ])
    expect(plan.checks[0]?.command.at(-1)).toBe('test/math.test.js')
  })

  it('runs the whole suite when any changed module pairs with no test, or a test helper changed', () => {
    for (const changed of [['src/math.js', 'src/orphan.js'], ['test/helpers.js']]) {
      const plan = planRelatedChecks(ROOT, runner('node'), changed, { files })
      expect(plan.selection).toEqual([{ file: '*', reason: 'fallback' }])
      expect(plan.checks[0]?.wholeSuite).toBe(true)
    }
  })
})

describe('planSuiteCheck', () => {
  it("expands the node script's globs itself, since no shell does", () => {
    const check = planSuiteCheck(
      runner('node', { suiteArgs: ['test/*.test.js', 'other/'] }),
      'suite',
      {
        files: ['test/a.test.js', 'test/b.js', 'src/c.test.js'],
      },
    )
    expect(check.command.slice(-2)).toEqual(['test/a.test.js', 'other/'])
  })

  it('runs a testCommand without its placeholders', () => {
    const check = planSuiteCheck(
      runner('config', { template: ['pytest', '-q', '{tests}', '--x={files}'] }),
    )
    expect(check.command).toEqual(['/bin/config', '-q'])
    expect(check.selection).toEqual([{ file: '*', reason: 'config' }])
  })
})

describe('planRerun', () => {
  it('re-runs only the failing test files, keeping their selection reason', () => {
    const first = planRelatedChecks(ROOT, runner('vitest'), ['src/m.ts']).checks[0]
    if (!first) throw new Error('no check')
    const again = planRerun(
      runner('vitest'),
      first,
      red(['src/a.test.ts', 'src/a.test.ts', '/abs/x.test.ts']),
      'related (re-run 1/2)',
    )
    expect(again.name).toBe('related (re-run 1/2)')
    expect(again.command.slice(1, 3)).toEqual(['run', '--passWithNoTests'])
    expect(again.command.at(-1)).toBe('src/a.test.ts')
    expect(again.selection).toEqual([{ file: 'src/a.test.ts', reason: 'graph' }])
  })

  it('repeats the same command when the failures name no test file', () => {
    const first = planSuiteCheck(runner('npm', { options: ['test'] }))
    expect(planRerun(runner('npm'), first, red([]), 'x').command).toEqual(first.command)
  })

  it('guards file names that look like options', () => {
    const first = planRelatedChecks(ROOT, runner('node'), ['-weird.test.js'], {
      files: ['-weird.test.js'],
    }).checks[0]
    expect(first?.command.at(-1)).toBe('./-weird.test.js')
  })
})

describe('planExtraChecks', () => {
  it('marks a check whose binary cannot be found instead of throwing', () => {
    const [check] = planExtraChecks(
      ROOT,
      [{ name: 'lint', command: ['fixloop-nope', '{files}'] }],
      ['a.ts'],
      { env: { PATH: '' } },
    )
    expect(check?.error).toMatch(/fixloop-nope/)
    expect(check?.command).toEqual(['fixloop-nope', 'a.ts'])
  })
})
