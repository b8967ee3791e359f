import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import { runDetection } from '../../../src/main/core/checks/detection'
import type { CheckEvent } from '../../../src/main/core/checks/types'
import { edit, fixtureProject } from './fixtures'

const noConfig = { testCommand: null }
/** Only the test file names that reached the runner's command line. */
const testArgs = (command: string[]) => command.filter((a) => /\.test\.js$/.test(a))

describe('runDetection with node’s test runner', () => {
  it('runs only the test paired with an edited file and parses what failed', async () => {
    const root = fixtureProject('node-basic')
    edit(root, 'src/math.js', 'a + b', 'a - b')
    const events: CheckEvent[] = []
    const runner = detectRunner(root, noConfig)
    const result = await runDetection(runner, ['src/math.js'], { onCheck: (e) => events.push(e) })
    expect(result.verdict).toBe('red')
    expect(result.selection).toEqual([
      { file: 'test/math.test.js', reason: 'name', because: 'src/math.js' },
    ])
    expect(result.checks).toHaveLength(1)
    const [check] = result.checks
    expect(testArgs(check?.command ?? [])).toEqual(['test/math.test.js'])
    expect(check?.failures).toEqual([
      {
        name: 'math > adds',
        file: 'test/math.test.js',
        message: expect.stringContaining('-1 !== 5'),
      },
    ])
    // The test was chosen for the changed file: the change broke it, so it is not re-run.
    expect(result.reruns).toEqual([])
    expect(events.map((e) => e.type)).toEqual(['start', 'end'])
  })

  it('does not re-run a red test file that is itself in the change', async () => {
    const root = fixtureProject('node-basic')
    edit(root, 'test/math.test.js', 'add(2, 3), 5', 'add(2, 3), 6')
    const result = await runDetection(detectRunner(root, noConfig), ['test/math.test.js'], {
      settings: { flakyReruns: 3 },
    })
    expect(result.verdict).toBe('red')
    expect(result.checks[0]?.failures.map((f) => f.file)).toEqual(['test/math.test.js'])
    expect(result.reruns).toEqual([])
  })

  it('re-runs a red test the change did not touch exactly once by default', async () => {
    const root = fixtureProject('node-basic')
    edit(root, 'src/math.js', 'a + b', 'a - b')
    // Nothing is named after orphan.js, so the whole suite runs: the red test may be flaky.
    const result = await runDetection(detectRunner(root, noConfig), ['src/orphan.js'])
    expect(result.selection).toEqual([{ file: '*', reason: 'fallback' }])
    expect(result.verdict).toBe('red')
    expect(result.reruns.map((r) => [r.name, r.passed])).toEqual([['related (re-run 1/1)', false]])
    expect(testArgs(result.reruns[0]?.command ?? [])).toEqual(['test/math.test.js'])
  })

  it('is green without re-runs when the change breaks nothing', async () => {
    const root = fixtureProject('node-basic')
    edit(root, 'src/strings.js', '`${s.toUpperCase()}!`', "s.toUpperCase() + '!'")
    const result = await runDetection(detectRunner(root, noConfig), [
      path.join(root, 'src/strings.js'),
    ])
    expect(result.verdict).toBe('green')
    expect(result.reruns).toEqual([])
    expect(result.selection).toEqual([
      { file: 'src/strings.test.js', reason: 'name', because: 'src/strings.js' },
    ])
  })

  it('pairs __tests__ folders and falls back to the whole suite for a file no test is named after', async () => {
    const root = fixtureProject('node-basic')
    const runner = detectRunner(root, noConfig)
    const paired = await runDetection(runner, ['src/dates.js'])
    expect(paired.selection.map((s) => s.file)).toEqual(['src/__tests__/dates.test.js'])
    const orphan = await runDetection(runner, ['src/orphan.js'])
    expect(orphan.selection).toEqual([{ file: '*', reason: 'fallback' }])
    expect(orphan.verdict).toBe('green')
    // node's own discovery ran all four tests.
    expect(orphan.checks[0]?.output).toMatch(/ℹ tests 4\b/)
  })

  it('reports a test that fails once and then passes as flaky, after one re-run of that file alone', async () => {
    const root = fixtureProject('node-flaky')
    // A change no test is named after: the whole suite runs, and clock.test.js is not in the change.
    writeFileSync(path.join(root, 'src/unrelated.js'), 'export const u = 1\n')
    const result = await runDetection(detectRunner(root, noConfig), ['src/unrelated.js'])
    expect(result.verdict).toBe('flaky')
    expect(result.checks[0]).toMatchObject({ passed: false, flaky: true })
    expect(result.checks[0]?.failures.map((f) => f.name)).toEqual(['ticks (flaky)'])
    expect(result.reruns).toHaveLength(1)
    expect(result.reruns[0]?.passed).toBe(true)
    expect(testArgs(result.reruns[0]?.command ?? [])).toEqual(['test/clock.test.js'])
  })

  it('does not re-run when flakyReruns is 0', async () => {
    const root = fixtureProject('node-flaky')
    const result = await runDetection(detectRunner(root, noConfig), ['src/unrelated.js'], {
      settings: { flakyReruns: 0 },
    })
    expect(result.verdict).toBe('red')
    expect(result.reruns).toEqual([])
  })

  it('passes file names with spaces and quotes through untouched', async () => {
    const root = fixtureProject('node-basic')
    const dir = path.join(root, `src/it's "odd" $(dir)`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(path.join(dir, 'my file.js'), 'export const v = 1\n')
    mkdirSync(path.join(root, `test/it's "odd" $(dir)`), { recursive: true })
    writeFileSync(
      path.join(root, `test/it's "odd" $(dir)/my file.test.js`),
      "import assert from 'node:assert/strict'\nimport { test } from 'node:test'\n" +
        "import { v } from '../../src/it\\'s \"odd\" $(dir)/my file.js'\n" +
        "test('odd names', () => assert.equal(v, 2))\n",
    )
    const result = await runDetection(
      detectRunner(root, noConfig),
      [`src/it's "odd" $(dir)/my file.js`],
      {
        settings: { flakyReruns: 0 },
      },
    )
    expect(result.selection.map((s) => s.file)).toEqual([`test/it's "odd" $(dir)/my file.test.js`])
    expect(result.checks[0]?.failures).toEqual([
      expect.objectContaining({
        name: 'odd names',
        file: `test/it's "odd" $(dir)/my file.test.js`,
      }),
    ])
  })

  it('runs a configured command with {tests} and {files} placeholders', async () => {
    const root = fixtureProject('node-basic')
    edit(root, 'src/math.js', 'a * b', 'a ** b')
    const runner = detectRunner(root, {
      testCommand: ['node', '--test', '--test-reporter=spec', '{tests}'],
    })
    const result = await runDetection(runner, ['src/math.js'], { settings: { flakyReruns: 0 } })
    expect(result.selection).toEqual([
      { file: 'test/math.test.js', reason: 'name', because: 'src/math.js' },
    ])
    expect(result.verdict).toBe('red')
    // No report for a configured command: failures come from the spec text.
    expect(result.checks[0]?.failures.map((f) => [f.name, f.file])).toEqual([
      ['multiplies', 'test/math.test.js'],
    ])

    const echo = detectRunner(root, {
      testCommand: ['node', '-e', 'console.log(process.argv.slice(1))', '{files}'],
    })
    const echoed = await runDetection(echo, ['src/math.js', 'src/dates.js'])
    expect(echoed.selection).toEqual([
      { file: 'src/math.js', reason: 'config', because: 'src/math.js' },
      { file: 'src/dates.js', reason: 'config', because: 'src/dates.js' },
    ])
    expect(echoed.checks[0]?.output).toContain("[ 'src/math.js', 'src/dates.js' ]")
  })

  it('runs a plain npm test script as the whole suite and reads its text', async () => {
    const root = fixtureProject('npm-script')
    edit(root, 'test/one.test.js', 'assert.equal(1, 1)', 'assert.equal(1, 2)')
    const runner = detectRunner(root, noConfig)
    expect(runner.kind).toBe('npm')
    const result = await runDetection(runner, ['test/one.test.js'], {
      settings: { flakyReruns: 0 },
    })
    expect(result.selection).toEqual([{ file: '*', reason: 'fallback' }])
    expect(result.checks[0]?.failures.map((f) => [f.name, f.file])).toEqual([
      ['one is one', 'test/one.test.js'],
    ])
  })
})
