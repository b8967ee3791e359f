import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import {
  planRelatedChecks,
  planSuiteCheck,
  planTestFilesCheck,
} from '../../../src/main/core/checks/plan-checks'
import { runRelated } from '../../../src/main/core/checks/related-run'
import { executeCheck } from '../../../src/main/core/checks/run-check'
import type { CheckExecution, PlannedCheck } from '../../../src/main/core/checks/types'
import { isAlive, waitFor } from '../../support/processes'
import { tempDir } from './fixtures'
import { BROKEN_MONEY, GOOD_MONEY, vitestProject, warmRunners } from './warm-support'

/** What must not differ between a warm and a cold run of the same check. */
function verdict(e: CheckExecution) {
  return {
    passed: e.result.passed,
    exitCode: e.result.exitCode,
    timedOut: e.result.timedOut,
    failures: e.result.failures.map((f) => ({
      name: f.name,
      file: f.file,
      message: f.message.split('\n')[0],
    })),
    tests: e.result.tests,
    testFiles: e.testFiles ? [...e.testFiles].sort() : null,
    passing: e.tests?.passed.map((t) => `${t.file} ${t.name}`).sort() ?? null,
  }
}

/** A vitest CLI without the Node API: writes a one-test report where it is told. */
const STAND_IN_CLI = `#!/usr/bin/env node
import { writeFileSync } from 'node:fs'
const out = process.argv.find((a) => a.startsWith('--outputFile.json=')).split('=')[1]
const test = { title: 'a', ancestorTitles: [], status: 'passed' }
const file = { name: process.cwd() + '/a.test.js', status: 'passed', assertionResults: [test] }
writeFileSync(out, JSON.stringify({ testResults: [file] }))
`

const related = (root: string, runner: Parameters<typeof planRelatedChecks>[1], file: string) =>
  planRelatedChecks(root, runner, [file]).checks[0] as PlannedCheck

describe('warm vitest runner', () => {
  it('gives the same result as the cold run, red and green, related and by file', async () => {
    const { root, runner, write } = vitestProject()
    const { warm, logs } = warmRunners()
    const checks = () => [
      related(root, runner, 'src/money.js'),
      planTestFilesCheck(runner, 'files', [{ file: 'src/cart.test.js', reason: 'name' }]),
      planSuiteCheck(runner),
    ]
    for (const money of [GOOD_MONEY, BROKEN_MONEY]) {
      write('src/money.js', money)
      for (const check of checks()) {
        const cold = await executeCheck(check)
        const warmRun = await executeCheck(check, { warm })
        expect(verdict(warmRun), `${check.name} with ${money}`).toEqual(verdict(cold))
      }
    }
    const red = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(red.result.failures).toEqual([
      {
        name: 'cart > totals items',
        file: 'src/cart.test.js',
        message: expect.stringContaining('expected 4.3 to be 3.3'),
      },
    ])
    // The output is vitest's own, as a cold run shows it.
    expect(red.result.output).toContain('FAIL  src/cart.test.js > cart > totals items')
    expect(red.result.command).toEqual(
      expect.arrayContaining(['related', '--run', path.join(root, 'src/money.js')]),
    )
    expect(logs.filter((l) => l.level !== 'debug')).toEqual([])
  })

  it('keeps one process across runs and sees the edits made between them', async () => {
    const { root, runner, write } = vitestProject()
    const { warm } = warmRunners()
    const first = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(first.result.passed).toBe(true)
    const pid = warm.pid(root)
    expect(pid).toBeDefined()

    write('src/money.js', BROKEN_MONEY)
    const broken = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(broken.result.passed).toBe(false)
    expect(broken.result.failures.map((f) => f.name)).toEqual(['cart > totals items'])

    write('src/money.js', GOOD_MONEY)
    const fixed = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(fixed.result.passed).toBe(true)
    expect(warm.pid(root)).toBe(pid)
  })

  it('sees a test file added between runs', async () => {
    const { root, runner, write } = vitestProject()
    const { warm } = warmRunners()
    await executeCheck(related(root, runner, 'src/money.js'), { warm })
    write(
      'src/money.test.js',
      "import { expect, test } from 'vitest'\nimport { round } from './money.js'\ntest('new', () => expect(round(0.5)).toBe(0.6))\n",
    )
    const next = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(next.testFiles?.sort()).toEqual([
      'src/cart.test.js',
      'src/money.test.js',
      'src/pricing.test.js',
    ])
    expect(next.result.failures.map((f) => f.name)).toEqual(['new'])
  })

  it('sets the global setup up and tears it down for each run, as a cold run does', async () => {
    const { root, runner } = vitestProject({
      'vitest.config.mjs':
        "export default { cacheDir: '.vitest-cache', test: { include: ['src/**/*.test.js'], globalSetup: ['./global-setup.mjs'] } }\n",
      'global-setup.mjs': `import { appendFileSync, rmSync, writeFileSync } from 'node:fs'
export function setup() { appendFileSync('setup.log', 'up\\n'); writeFileSync('seed.txt', '0') }
export function teardown() { appendFileSync('setup.log', 'down\\n'); rmSync('seed.txt') }
`,
      'src/seed.test.js': `import { readFileSync, writeFileSync } from 'node:fs'
import { expect, test } from 'vitest'
test('starts from the seed', () => {
  expect(readFileSync('seed.txt', 'utf8')).toBe('0')
  writeFileSync('seed.txt', '1')
})
`,
    })
    const { warm } = warmRunners()
    const check = planTestFilesCheck(runner, 'seed', [{ file: 'src/seed.test.js', reason: 'name' }])
    for (let run = 0; run < 2; run++) {
      const result = await executeCheck(check, { warm })
      expect(result.result.failures).toEqual([])
      expect(result.result.passed).toBe(true)
    }
    expect(readFileSync(path.join(root, 'setup.log'), 'utf8')).toBe('up\ndown\nup\ndown\n')
    expect(warm.pid(root)).toBeDefined()
  })

  it('is started again when its config changes, and uses the new config', async () => {
    const { root, runner, write } = vitestProject()
    const { warm } = warmRunners()
    const before = await executeCheck(planSuiteCheck(runner), { warm })
    expect(before.testFiles).toHaveLength(3)
    const pid = warm.pid(root) as number

    write(
      'vitest.config.mjs',
      "export default { cacheDir: '.vitest-cache', test: { include: ['src/cart.test.js'] } }\n",
    )
    const after = await executeCheck(planSuiteCheck(runner), { warm })
    expect(after.testFiles).toEqual(['src/cart.test.js'])
    expect(warm.pid(root)).not.toBe(pid)
    expect(await waitFor(() => !isAlive(pid))).toBe(true)
  })

  it('is started again when a file its config imports changes', async () => {
    const { root, runner, write } = vitestProject({
      'vitest.config.mjs':
        "import { include } from './include.mjs'\nexport default { cacheDir: '.vitest-cache', test: { include } }\n",
      'include.mjs': "export const include = ['src/**/*.test.js']\n",
    })
    const { warm } = warmRunners()
    expect((await executeCheck(planSuiteCheck(runner), { warm })).testFiles).toHaveLength(3)
    const pid = warm.pid(root)
    write('include.mjs', "export const include = ['src/pricing.test.js']\n")
    const after = await executeCheck(planSuiteCheck(runner), { warm })
    expect(after.testFiles).toEqual(['src/pricing.test.js'])
    expect(warm.pid(root)).not.toBe(pid)
  })

  it('is started again after an install (package.json, the lockfile)', async () => {
    const { root, runner, write } = vitestProject()
    const { warm } = warmRunners()
    await executeCheck(related(root, runner, 'src/money.js'), { warm })
    const pid = warm.pid(root) as number
    write('package-lock.json', '{"lockfileVersion": 3}\n')
    const next = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(next.result.passed).toBe(true)
    expect(warm.pid(root)).not.toBe(pid)
    expect(isAlive(pid)).toBe(false)
  })

  it('runs a check cold when the worker dies mid-run, says so once, and starts a new one next', async () => {
    // The test kills the vitest process that runs it (its worker's parent), once.
    const { root, runner, write } = vitestProject({
      'src/crash.test.js': `import { existsSync, rmSync } from 'node:fs'
import { test } from 'vitest'
test('crashes the runner once', () => {
  if (existsSync('crash-once')) {
    rmSync('crash-once')
    process.kill(process.ppid, 'SIGKILL')
  }
})
`,
    })
    const { warm, logs } = warmRunners()
    const check = planTestFilesCheck(runner, 'files', [
      { file: 'src/crash.test.js', reason: 'name' },
    ])
    await executeCheck(check, { warm })
    const pid = warm.pid(root) as number
    write('crash-once', '')
    const crashed = await executeCheck(check, { warm })
    // Run again as a process of its own: the marker is gone, so it passes.
    expect(crashed.result.passed).toBe(true)
    expect(existsSync(path.join(root, 'crash-once'))).toBe(false)
    expect(isAlive(pid)).toBe(false)
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/stopped mid-run .*this check runs as a process of its own/),
    ])
    const next = await executeCheck(check, { warm })
    expect(next.result.passed).toBe(true)
    expect(warm.pid(root)).toBeDefined()
    expect(warm.pid(root)).not.toBe(pid)
  })

  it('gives up on a worker that keeps dying: its checks run cold from then on', async () => {
    const { root, runner, write } = vitestProject({
      'src/crash.test.js': `import { existsSync } from 'node:fs'
import { test } from 'vitest'
test('crashes the warm runner', () => {
  if (existsSync('crash')) process.kill(process.ppid, 'SIGKILL')
})
`,
    })
    const { warm, logs } = warmRunners({ maxCrashes: 1 })
    const check = planTestFilesCheck(runner, 'files', [
      { file: 'src/crash.test.js', reason: 'name' },
    ])
    write('crash', '')
    const cold = await executeCheck(check, { warm })
    // The cold run is killed the same way: red, and no longer warm.
    expect(cold.result.passed).toBe(false)
    expect(logs.map((l) => l.message).join('\n')).toContain(
      'its checks run as processes of their own from now on',
    )
    expect(warm.pid(root)).toBeUndefined()
    await executeCheck(check, { warm })
    expect(warm.pid(root)).toBeUndefined()
  })

  it('stops the worker when a run times out; the next run starts a fresh one', async () => {
    const { root, runner } = vitestProject({
      'src/hang.test.js': `import { test } from 'vitest'
test('hangs', () => new Promise(() => {}), 600000)
`,
    })
    const { warm } = warmRunners()
    await executeCheck(related(root, runner, 'src/money.js'), { warm })
    const pid = warm.pid(root) as number
    const hang = planTestFilesCheck(runner, 'hang', [{ file: 'src/hang.test.js', reason: 'name' }])
    const started = Date.now()
    const timedOut = await executeCheck(hang, { warm, timeoutMs: 3000 })
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(timedOut.result).toMatchObject({ passed: false, timedOut: true, exitCode: null })
    expect(timedOut.result.output).toContain('[fixloop: stopped after the 3 s timeout]')
    expect(await waitFor(() => !isAlive(pid))).toBe(true)
    expect(warm.pid(root)).toBeUndefined()
    const next = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(next.result.passed).toBe(true)
    expect(warm.pid(root)).not.toBe(pid)
  })

  it('stops the worker and rejects when the check is aborted', async () => {
    const { root, runner } = vitestProject({
      'src/hang.test.js':
        "import { test } from 'vitest'\ntest('hangs', () => new Promise(() => {}), 600000)\n",
    })
    const { warm } = warmRunners()
    await executeCheck(related(root, runner, 'src/money.js'), { warm })
    const pid = warm.pid(root) as number
    const controller = new AbortController()
    const hang = planTestFilesCheck(runner, 'hang', [{ file: 'src/hang.test.js', reason: 'name' }])
    const run = executeCheck(hang, { warm, signal: controller.signal })
    setTimeout(() => controller.abort(new Error('stop now')), 1500)
    await expect(run).rejects.toThrow('stop now')
    expect(await waitFor(() => !isAlive(pid))).toBe(true)
  })

  it('stops every worker on dispose; later checks run cold', async () => {
    const { root, runner } = vitestProject()
    const { warm } = warmRunners()
    await executeCheck(related(root, runner, 'src/money.js'), { warm })
    const pid = warm.pid(root) as number
    await warm.dispose()
    expect(isAlive(pid)).toBe(false)
    const cold = await executeCheck(related(root, runner, 'src/money.js'), { warm })
    expect(cold.result.passed).toBe(true)
    expect(warm.pid(root)).toBeUndefined()
  })

  it('takes the related ring: the graph selection comes from its report', async () => {
    const { root, runner, write } = vitestProject()
    const { warm } = warmRunners()
    write('src/money.js', BROKEN_MONEY)
    const ring = await runRelated(runner, ['src/money.js'], { warm })
    expect(ring.selection.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: 'src/cart.test.js', reason: 'graph', because: 'src/money.js' },
      { file: 'src/pricing.test.js', reason: 'graph', because: 'src/money.js' },
    ])
    expect(warm.pid(root)).toBeDefined()
    // banner.js is imported by no test: the graph finds none, and the suite runs instead.
    const none = await runRelated(runner, ['src/banner.js'], { warm })
    expect(none.selection).toEqual([{ file: '*', reason: 'fallback' }])
    expect(none.results[0]?.tests).toEqual({ passed: 2, failed: 1, skipped: 0 })
  })

  it('runs cold, and says so once, when the vitest has no Node API to run warm', async () => {
    // A project whose "vitest" is a stand-in with a CLI but no createVitest.
    const root = tempDir()
    const pkg = path.join(root, 'node_modules', 'vitest')
    const bin = path.join(root, 'node_modules', '.bin')
    for (const [file, text] of Object.entries({
      [path.join(pkg, 'package.json')]: JSON.stringify({
        name: 'vitest',
        version: '0.0.1',
        type: 'module',
        exports: { './node': './node.js' },
      }),
      [path.join(pkg, 'node.js')]: 'export const version = "0.0.1"\n',
      [path.join(pkg, 'vitest.mjs')]: STAND_IN_CLI,
      [path.join(root, 'package.json')]: JSON.stringify({ scripts: { test: 'vitest run' } }),
    })) {
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, text, { mode: 0o755 })
    }
    mkdirSync(bin)
    symlinkSync('../vitest/vitest.mjs', path.join(bin, 'vitest'))
    const runner = detectRunner(root, { testCommand: null })
    const { warm, logs } = warmRunners()
    for (let i = 0; i < 2; i++) {
      const run = await executeCheck(planSuiteCheck(runner), { warm })
      expect(run.result.passed).toBe(true)
      expect(run.testFiles).toEqual(['a.test.js'])
    }
    expect(logs.map((l) => l.message)).toEqual([
      expect.stringContaining('this vitest has no createVitest/parseCLI Node API'),
    ])
    expect(warm.pid(root)).toBeUndefined()
  })

  it('leaves checks it cannot take to the cold path', async () => {
    const dir = tempDir()
    const { warm } = warmRunners()
    const script = path.join(dir, 'probe.js')
    writeFileSync(script, 'console.log("cold")')
    const check: PlannedCheck = {
      name: 'lint',
      command: [process.execPath, script],
      cwd: dir,
      env: {},
      format: 'text',
      selection: [],
      graph: null,
      wholeSuite: false,
    }
    const run = await executeCheck(check, { warm })
    expect(run.result.output).toContain('cold')
    expect(warm.pid(dir)).toBeUndefined()
  })
})
