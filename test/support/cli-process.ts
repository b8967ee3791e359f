/**
 * Runs the built `fixloop` command as a real child process and reads its --json lines.
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const REPO = join(import.meta.dirname, '..', '..')
export const BIN = join(REPO, 'bin', 'fixloop.js')

/** Builds out/cli when a test runs before `npm run build`. */
export function ensureCliBuilt(): void {
  if (existsSync(join(REPO, 'out', 'cli', 'index.js'))) return
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-cli.mjs')], { cwd: REPO })
  if (r.status !== 0) throw new Error(`building the CLI failed: ${r.stderr.toString()}`)
}

export interface JsonEvent {
  type: string
  taskId?: string
  [key: string]: unknown
}

export interface RunningCli {
  child: ChildProcess
  events: JsonEvent[]
  stdout: () => string
  stderr: () => string
  /** Resolves with the first event matching, or rejects after the timeout. */
  waitFor(pred: (e: JsonEvent) => boolean, timeoutMs?: number): Promise<JsonEvent>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let partial = ''
  const events: JsonEvent[] = []
  const waiters = new Set<() => void>()
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    partial += chunk.toString()
    const lines = partial.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.startsWith('{')) continue
      try {
        events.push(JSON.parse(line) as JsonEvent)
      } catch {
        // not a JSON line
      }
    }
    for (const w of waiters) w()
  })
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    child,
    events,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pred, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred)
          if (!hit) return false
          clearTimeout(timer)
          waiters.delete(check)
          resolve(hit)
          return true
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(
              `timed out waiting for an event; got ${events.map((e) => e.type).join(', ')}\nstderr: ${err}`,
            ),
          )
        }, timeoutMs)
        if (!check()) {
          waiters.add(check)
          void exited.then(() => {
            if (waiters.has(check) && !check()) {
              waiters.delete(check)
              clearTimeout(timer)
              reject(new Error(`fixloop exited first; stderr: ${err}`))
            }
          })
        }
      })
    },
  }
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
    timeout: 60_000,
  })
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}
