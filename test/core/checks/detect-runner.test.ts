import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import { CheckSetupError } from '../../../src/main/core/checks/errors'
import { fixtureProject, tempDir } from './fixtures'

function project(pkg: unknown, bins: string[] = []): string {
  const root = tempDir()
  writeFileSync(
    path.join(root, 'package.json'),
    typeof pkg === 'string' ? pkg : JSON.stringify(pkg),
  )
  for (const bin of bins) {
    mkdirSync(path.join(root, 'node_modules/.bin'), { recursive: true })
    writeFileSync(path.join(root, 'node_modules/.bin', bin), '#!/bin/sh\n')
    chmodSync(path.join(root, 'node_modules/.bin', bin), 0o755)
  }
  return root
}

const noConfig = { testCommand: null }

function setupError(fn: () => unknown): CheckSetupError {
  try {
    fn()
  } catch (error) {
    if (error instanceof CheckSetupError) return error
    throw error
  }
  throw new Error('expected a CheckSetupError')
}

describe('detectRunner', () => {
  it("detects node's test runner from the test script", () => {
    const runner = detectRunner(fixtureProject('node-basic'), noConfig)
    expect(runner).toMatchObject({ kind: 'node', options: [], suiteArgs: [], env: {} })
    expect(runner.exec).toHaveLength(1)
  })

  it('keeps node options, script env and test paths; drops reporters and watch', () => {
    const root = project({
      scripts: {
        test: 'tsc -p . && NODE_ENV=test node --import tsx --test-reporter dot --watch --test "test/**/*.test.ts" extra/',
      },
    })
    const runner = detectRunner(root, noConfig)
    expect(runner).toMatchObject({
      kind: 'node',
      options: ['--import', 'tsx'],
      suiteArgs: ['test/**/*.test.ts', 'extra/'],
      env: { NODE_ENV: 'test' },
    })
  })

  it('detects vitest from the script and resolves the local binary, keeping --config', () => {
    const root = project(
      { scripts: { test: 'npx vitest run --coverage --config ./v.config.ts' } },
      ['vitest'],
    )
    const runner = detectRunner(root, noConfig)
    expect(runner.kind).toBe('vitest')
    expect(runner.exec).toEqual([path.join(root, 'node_modules/.bin/vitest')])
    expect(runner.options).toEqual(['--config', './v.config.ts'])
  })

  it('detects jest from a dependency when there is no test script', () => {
    const root = project({ devDependencies: { jest: '^29' } }, ['jest'])
    expect(detectRunner(root, noConfig)).toMatchObject({ kind: 'jest', options: [] })
  })

  it('finds a binary hoisted to a parent node_modules (workspaces)', () => {
    const parent = project({ private: true }, ['vitest'])
    const pkg = path.join(parent, 'packages/app')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ scripts: { test: 'vitest' } }))
    expect(detectRunner(pkg, noConfig).exec).toEqual([
      path.join(parent, 'node_modules/.bin/vitest'),
    ])
  })

  it('runs any other test script whole through the package manager', () => {
    const runner = detectRunner(project({ scripts: { test: 'mocha && echo ok' } }), noConfig)
    expect(runner.kind).toBe('npm')
    expect(runner.options).toEqual(['test'])
    expect(path.basename(runner.exec.at(-1) ?? '')).toMatch(/^npm/)
  })

  it('prefers the settings testCommand and resolves its binary', () => {
    const root = fixtureProject('node-basic')
    const runner = detectRunner(root, { testCommand: ['node', '--test', '{tests}'] })
    expect(runner.kind).toBe('config')
    expect(runner.template).toEqual(['node', '--test', '{tests}'])
  })

  it('explains when vitest is named but not installed', () => {
    const error = setupError(() => detectRunner(project({ scripts: { test: 'vitest' } }), noConfig))
    expect(error.code).toBe('runner_not_installed')
    expect(error.message).toMatch(/vitest .*not installed.*install/)
  })

  it("explains npm's placeholder script", () => {
    const pkg = { scripts: { test: 'echo "Error: no test specified" && exit 1' } }
    const error = setupError(() => detectRunner(project(pkg), noConfig))
    expect(error.code).toBe('no_test_command')
    expect(error.message).toMatch(/testCommand/)
  })

  it('explains a missing or broken package.json', () => {
    expect(setupError(() => detectRunner(tempDir(), noConfig)).code).toBe('no_package_json')
    expect(setupError(() => detectRunner(project('{ nope'), noConfig)).code).toBe(
      'bad_package_json',
    )
  })

  it('explains a testCommand whose binary cannot be found', () => {
    const error = setupError(() =>
      detectRunner(fixtureProject('node-basic'), {
        testCommand: ['fixloop-no-such-tool', '{files}'],
      }),
    )
    expect(error.code).toBe('command_not_found')
    expect(error.message).toContain('fixloop-no-such-tool')
  })
})
