import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import { planTestFilesCheck } from '../../../src/main/core/checks/plan-checks'
import { executeCheck, runCheck } from '../../../src/main/core/checks/run-check'
import type { PlannedCheck } from '../../../src/main/core/checks/types'
import { isAlive, waitFor } from '../../support/processes'
import { fixtureProject, tempDir } from './fixtures'

function nodeCheck(cwd: string, script: string, extra: Partial<PlannedCheck> = {}): PlannedCheck {
  return {
    name: 'probe',
    command: [process.execPath, '-e', script],
    cwd,
    env: {},
    format: 'text',
    selection: [],
    graph: null,
    wholeSuite: false,
    ...extra,
  }
}

describe('runCheck', () => {
  it('reports a passing command with its exit code, command and duration', async () => {
    const dir = tempDir()
    const result = await runCheck(nodeCheck(dir, 'console.log("fine")'))
    expect(result).toMatchObject({
      name: 'probe',
      passed: true,
      exitCode: 0,
      signal: null,
      timedOut: false,
    })
    expect(result.command[0]).toBe(process.execPath)
    expect(result.output).toContain('fine')
    expect(result.durationMs).toBeGreaterThan(0)
  })

  it('runs in the project root with CI=true and colour off, never through a shell', async () => {
    const dir = tempDir()
    const script =
      'console.log(JSON.stringify({ cwd: process.cwd(), ci: process.env.CI, noColor: process.env.NO_COLOR, force: process.env.FORCE_COLOR, arg: process.argv[1] }))'
    const check = nodeCheck(dir, script, {
      command: [process.execPath, '-e', script, '$(echo hi) `x` ;&|'],
    })
    const result = await runCheck(check)
    const seen = JSON.parse(result.output.trim()) as Record<string, string>
    expect(seen).toEqual({
      cwd: dir,
      ci: 'true',
      noColor: '1',
      force: '0',
      arg: '$(echo hi) `x` ;&|',
    })
  })

  it('parses node test runner failures from its TAP report', async () => {
    const root = fixtureProject('node-basic')
    writeFileSync(
      path.join(root, 'src/math.js'),
      'export const add = (a, b) => a - b\nexport const mul = (a, b) => a * b\n',
    )
    const runner = detectRunner(root, { testCommand: null })
    const check = planTestFilesCheck(runner, 'related', [
      { file: 'test/math.test.js', reason: 'name' },
    ])
    const result = await runCheck(check)
    expect(result.passed).toBe(false)
    expect(result.exitCode).toBe(1)
    expect(result.failures).toEqual([
      {
        name: 'math > adds',
        file: 'test/math.test.js',
        message: expect.stringContaining('-1 !== 5'),
      },
    ])
    // The human-readable spec reporter goes to the output.
    expect(result.output).toContain('✖ adds')
  })

  it('counts the tests the report says ran', async () => {
    const root = fixtureProject('node-basic')
    const runner = detectRunner(root, { testCommand: null })
    const check = planTestFilesCheck(runner, 'related', [
      { file: 'test/math.test.js', reason: 'name' },
    ])
    const { result, tests } = await executeCheck(check)
    expect(result.tests).toEqual({ passed: 2, failed: 0, skipped: 0 })
    expect(tests?.passed).toEqual([{ name: 'math > adds' }, { name: 'math > multiplies' }])
  })

  it("names a text run's passing tests from all of its output, not only the tail it keeps", async () => {
    const dir = tempDir()
    const lines = Array.from({ length: 200 }, (_, i) => `✔ test number ${i} (1ms)`)
    const script = `console.log(${JSON.stringify(lines.join('\n'))}); console.log('ℹ tests 200\\nℹ pass 200\\nℹ fail 0')`
    const { result, tests } = await executeCheck(nodeCheck(dir, script), { maxOutputBytes: 500 })
    expect(result.output.length).toBeLessThan(700)
    expect(result.tests).toEqual({ passed: 200, failed: 0, skipped: 0 })
    expect(tests?.named).toBe(true)
    expect(tests?.passed[0]).toEqual({ name: 'test number 0' })
  })

  it('has no tally when the output says nothing about tests', async () => {
    const { result, tests } = await executeCheck(nodeCheck(tempDir(), 'console.log("built")'))
    expect(tests).toBeNull()
    expect(result).not.toHaveProperty('tests')
  })

  // The timeout leaves node time to start the test and its grandchild even on a loaded machine.
  it('kills a hung check and its grandchild on timeout', async () => {
    const root = fixtureProject('node-hang')
    const runner = detectRunner(root, { testCommand: null })
    const check = planTestFilesCheck(runner, 'related', [
      { file: 'test/hang.test.js', reason: 'name' },
    ])
    const started = Date.now()
    const result = await runCheck(check, { timeoutMs: 4000, killGraceMs: 300 })
    expect(result.timedOut).toBe(true)
    expect(result.passed).toBe(false)
    expect(result.output).toContain('timeout')
    expect(Date.now() - started).toBeLessThan(15_000)
    const pid = Number(readFileSync(path.join(root, 'grandchild.pid'), 'utf8'))
    expect(pid).toBeGreaterThan(0)
    expect(await waitFor(() => !isAlive(pid))).toBe(true)
  })

  it('stops on abort: the tree is killed and the promise rejects with the reason', async () => {
    const root = fixtureProject('node-hang')
    const runner = detectRunner(root, { testCommand: null })
    const check = planTestFilesCheck(runner, 'related', [
      { file: 'test/hang.test.js', reason: 'name' },
    ])
    const controller = new AbortController()
    const pidFile = path.join(root, 'grandchild.pid')
    const running = runCheck(check, { signal: controller.signal, killGraceMs: 300 })
    expect(await waitFor(() => readable(pidFile), 10_000)).toBe(true)
    const reason = new Error('task cancelled')
    controller.abort(reason)
    await expect(running).rejects.toBe(reason)
    const pid = Number(readFileSync(pidFile, 'utf8'))
    expect(await waitFor(() => !isAlive(pid))).toBe(true)
  })

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('no')
    await expect(
      runCheck(nodeCheck(tempDir(), ''), { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason)
  })

  it('keeps only the tail of a large output', async () => {
    const dir = tempDir()
    const script =
      'process.stdout.write("x".repeat(500000)); process.stdout.write("é".repeat(10) + "THE END")'
    const result = await runCheck(nodeCheck(dir, script), { maxOutputBytes: 1000 })
    expect(result.output.endsWith('THE END')).toBe(true)
    expect(result.output).toMatch(/^\[… \d+ earlier bytes omitted\]\n/)
    expect(Buffer.byteLength(result.output.replace(/^\[.*\]\n/, ''))).toBeLessThanOrEqual(1000)
    expect(result.output).not.toContain('\uFFFD')
  })

  it('turns a command that cannot start into a red result, not an exception', async () => {
    const result = await runCheck(
      nodeCheck(tempDir(), '', { command: ['/nonexistent/fixloop-no-such-binary'] }),
    )
    expect(result).toMatchObject({ passed: false, exitCode: null, timedOut: false })
    expect(result.output).toMatch(/could not start .*ENOENT/)
  })

  it('reports a check killed by a signal', async () => {
    const result = await runCheck(nodeCheck(tempDir(), 'process.kill(process.pid, "SIGTERM")'))
    expect(result).toMatchObject({ passed: false, exitCode: null, signal: 'SIGTERM' })
  })
})

function readable(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').length > 0
  } catch {
    return false
  }
}
