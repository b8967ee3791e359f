/**
 * Start overhead of the OS sandbox: the same command spawned as checks are (no shell, own process
 * group, piped output), bare and wrapped, alternating so that machine noise hits both alike.
 * The goal: a sandboxed check starts at most 20 ms later than an unsandboxed one.
 *
 *   node --import tsx bench/sandbox.ts [--runs 50]
 *
 * Prints a table and one JSON line. Measures; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnTree } from '../src/main/core/checks/process-tree'
import { createSandbox } from '../src/main/core/sandbox'
import type { WrapSpec } from '../src/main/core/sandbox'

const args = process.argv.slice(2)
const at = args.indexOf('--runs')
const RUNS = at >= 0 ? Number(args[at + 1]) : 50

const started = performance.now()
const sandbox = await createSandbox({ mode: 'auto' })
const detectMs = performance.now() - started
console.log(`sandbox: ${sandbox.status.detail} (detected in ${detectMs.toFixed(1)} ms)`)
if (!sandbox.status.active) {
  console.log('no active sandbox here: nothing to compare')
  console.log(JSON.stringify({ bench: 'sandbox', active: false, detail: sandbox.status.detail }))
  process.exit(0)
}

const root = mkdtempSync(path.join(os.tmpdir(), 'fixloop-bench-sandbox-'))
const shadow = path.join(root, 'shadow')
mkdirSync(shadow)
const spec: WrapSpec = { cwd: shadow, writable: [shadow], tmpDir: path.join(root, 'tmp') }

function once(argv: readonly string[]): Promise<number> {
  const t = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawnTree(argv, { cwd: shadow, env: process.env })
    child.stdout?.resume()
    child.stderr?.resume()
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - t) : reject(new Error(`${argv[0]} exited ${code}`)),
    )
  })
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] as number
}
const round = (ms: number) => Math.round(ms * 10) / 10

interface Row {
  command: string
  plainMedianMs: number
  plainP95Ms: number
  sandboxedMedianMs: number
  sandboxedP95Ms: number
  overheadMedianMs: number
  overheadP95Ms: number
}

const commands: Array<[string, string[]]> = [
  ['/bin/true', ['/bin/true']],
  ['node -e 0', [process.execPath, '-e', '0']],
]
const rows: Row[] = []
let wrapMs = 0
try {
  for (const [name, argv] of commands) {
    await once(argv) // warm the page cache for both
    await once(sandbox.wrap(argv, spec))
    const plain: number[] = []
    const boxed: number[] = []
    for (let i = 0; i < RUNS; i++) {
      plain.push(await once(argv))
      const t = performance.now()
      const wrapped = sandbox.wrap(argv, spec)
      wrapMs += performance.now() - t
      boxed.push(await once(wrapped))
    }
    rows.push({
      command: name,
      plainMedianMs: round(quantile(plain, 0.5)),
      plainP95Ms: round(quantile(plain, 0.95)),
      sandboxedMedianMs: round(quantile(boxed, 0.5)),
      sandboxedP95Ms: round(quantile(boxed, 0.95)),
      overheadMedianMs: round(quantile(boxed, 0.5) - quantile(plain, 0.5)),
      overheadP95Ms: round(quantile(boxed, 0.95) - quantile(plain, 0.95)),
    })
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}

const load1 = Number((os.loadavg()[0] ?? 0).toFixed(1))
console.log(
  `sandbox bench: ${RUNS} runs each, alternating; ${os.cpus().length} CPUs, load ${load1}, node ${process.version}`,
)
const cols = ['plain p50', 'plain p95', 'boxed p50', 'boxed p95', '+p50', '+p95']
console.log(`${'command'.padEnd(11)} ${cols.map((c) => c.padStart(10)).join(' ')}  (ms)`)
for (const r of rows) {
  const cells = [
    r.plainMedianMs,
    r.plainP95Ms,
    r.sandboxedMedianMs,
    r.sandboxedP95Ms,
    r.overheadMedianMs,
    r.overheadP95Ms,
  ]
  console.log(`${r.command.padEnd(11)} ${cells.map((c) => String(c).padStart(10)).join(' ')}`)
}
const wrapAvgMs = round(wrapMs / (RUNS * commands.length))
console.log(`wrap() itself: ${wrapAvgMs} ms per call; goal: +p50 <= 20 ms`)
if (load1 > os.cpus().length / 2)
  console.log(`note: load ${load1} on ${os.cpus().length} CPUs; figures are noisy`)
console.log(
  JSON.stringify({
    bench: 'sandbox',
    active: true,
    kind: sandbox.status.kind,
    runs: RUNS,
    cpus: os.cpus().length,
    load1,
    node: process.version,
    detectMs: round(detectMs),
    wrapAvgMs,
    rows,
  }),
)
