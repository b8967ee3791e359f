/**
 * Shared by the sandbox tests: temp dirs that clean up after themselves, a runner for wrapped
 * commands spawned the way checks are (no shell, own process group), and the real sandbox of this
 * machine, detected once, with the reason when bwrap tests must be skipped.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { onTestFinished } from 'vitest'
import { killTree, spawnTree } from '../../../src/main/core/checks/process-tree'
import { createSandbox } from '../../../src/main/core/sandbox'
import type { Sandbox } from '../../../src/main/core/sandbox'

export function tempDir(prefix = 'fixloop-sandbox-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The real sandbox here; tests that need bwrap skip when it is not active, saying why. */
export const hostSandbox: Sandbox = await createSandbox({ mode: 'auto' })
export const bwrapReady = hostSandbox.status.kind === 'bwrap' && hostSandbox.status.active
if (process.platform === 'linux' && !bwrapReady)
  console.warn(`sandbox tests: bwrap tests skipped: ${hostSandbox.status.detail}`)
export const bwrapSuite = bwrapReady
  ? 'bwrap sandbox'
  : `bwrap sandbox (skipped: ${hostSandbox.status.detail})`

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Spawns argv like run-check does and waits for it; killed at the end of the test if still running. */
export function run(argv: readonly string[], cwd: string, env = process.env): Promise<Finished> {
  const child = spawnTree(argv, { cwd, env })
  onTestFinished(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      killTree(child.pid, 'SIGKILL')
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** `node -e script` as argv. */
export const node = (script: string, ...args: string[]): string[] => [
  process.execPath,
  '-e',
  script,
  ...args,
]

/** Host PIDs of the processes whose command line contains `marker`. */
export function pidsWith(marker: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (cmdline.includes(marker) && !cmdline.includes('bwrap')) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/** Whether `process.kill(pid, 0)` still finds the process (ESRCH means it is gone and reaped). */
export function exists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw error
  }
}

export async function waitUntil(what: string, test: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
