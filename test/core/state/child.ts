/** Starts a TypeScript helper in its own Node process and collects its JSON output lines. */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type Line = Record<string, unknown>

export interface Child {
  proc: ChildProcess
  lines: Line[]
  stderr: () => string
  /** Resolves with the first line (from the start) matching, or rejects after `ms`. */
  waitFor(match: (line: Line) => boolean, ms?: number): Promise<Line>
  /** Resolves once the process has exited and its output is fully read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface StartOptions {
  /** Run this prebuilt JavaScript file instead of the script through tsx. */
  bundle?: string
  env?: NodeJS.ProcessEnv
}

const running = new Set<ChildProcess>()

/** SIGKILLs every child this module started that is still running (for afterAll after a failure). */
export function killStartedChildren(): void {
  for (const proc of running) proc.kill('SIGKILL')
}

export function startChild(script: string, args: string[], opts: StartOptions = {}): Child {
  const path = fileURLToPath(new URL(script, import.meta.url))
  const argv = opts.bundle ? [opts.bundle, ...args] : ['--import', 'tsx', path, ...args]
  const proc = spawn(process.execPath, argv, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  })
  running.add(proc)
  const lines: Line[] = []
  const waiters = new Set<() => void>()
  let buffer = ''
  let err = ''
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk
    let nl
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as Line)
      buffer = buffer.slice(nl + 1)
    }
    for (const w of waiters) w()
  })
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  let done = false
  let how = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => {
      running.delete(proc)
      how = `code ${code}, signal ${signal}`
      done = true
      for (const w of waiters) w()
      resolve({ code, signal })
    }),
  )

  function waitFor(match: (line: Line) => boolean, ms = 20_000): Promise<Line> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`timed out waiting for a line from ${script}; stderr: ${err}`))
      }, ms)
      function check() {
        const found = lines.find(match)
        if (found || done) {
          clearTimeout(timer)
          waiters.delete(check)
          if (found) resolve(found)
          else reject(new Error(`${script} exited (${how}) without the line; stderr: ${err}`))
        }
      }
      waiters.add(check)
      check()
    })
  }
  return { proc, lines, stderr: () => err, waitFor, exited }
}

/**
 * Bundles a helper script into one self-contained ES module in `outDir`. The crash test starts
 * dozens of children; plain Node starts a bundle in a fraction of the CPU tsx needs to transform
 * and load the sources each time, which is what bounds the test on a two-core machine.
 */
export async function bundleChild(script: string, outDir: string): Promise<string> {
  const { build } = await import('esbuild')
  const outfile = join(outDir, basename(script).replace(/\.ts$/, '.mjs'))
  await build({
    entryPoints: [fileURLToPath(new URL(script, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // proper-lockfile and graceful-fs are CommonJS and require node builtins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  })
  return outfile
}
