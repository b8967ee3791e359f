/**
 * Watcher benchmark: measures (does not assert) both backends on a generated tree of 100,000 files,
 * 90,000 of them under node_modules, with node_modules watched and with it ignored:
 * - ready: `start()` until it resolves (native module load included);
 * - RSS after ready and peak, each configuration in its own child process so the figures are clean;
 * - change → batch latency over a series of single-file saves (debounce 50 ms):
 *   `after window` = batch emitted − debounce window closed (the goal: ≤ 20 ms p95), and
 *   `end to end` = batch received − file written − debounce (OS delivery, the native module's own
 *   batching, timers).
 *
 *   node --import tsx bench/watch.ts                    # about two minutes
 *   node --import tsx bench/watch.ts --files=20000 --changes=20 --polling-changes=5
 *   node --import tsx bench/watch.ts --backends=native
 *
 * The tree is generated under bench/.tmp (gitignored) and deleted afterwards.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { BackendKind } from '../src/main/core/watch/backend'
import { createIgnoreMatcher } from '../src/main/core/watch/ignore-rules'
import { Watcher, type WatchBatch } from '../src/main/core/watch/watcher'
import type { Clock } from '../src/main/core/util/clock'

const DEBOUNCE_MS = 50
/** Pause between two saves: past @parcel/watcher's 500 ms window, so each save is delivered at once. */
const SPACING_MS = 550
const POLL_INTERVAL_MS = 1000

function arg(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found ? Number(found.split('=')[1]) : fallback
}

interface ChildResult {
  backend: BackendKind
  ignoreNodeModules: boolean
  readyMs: number
  baselineRssMb: number
  readyRssMb: number
  peakRssMb: number
  changes: number
  missed: number
  afterWindowMs: { p50: number; p95: number; max: number }
  endToEndMs: { p50: number; p95: number; max: number }
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? Number.NaN
const round = (x: number) => Math.round(x * 10) / 10
const stats = (xs: number[]) => ({
  p50: round(pct(xs, 0.5)),
  p95: round(pct(xs, 0.95)),
  max: round(xs.length ? Math.max(...xs) : Number.NaN),
})
const mb = (bytes: number) => round(bytes / 1024 / 1024)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A high-resolution clock, so window-close and emit times are sub-millisecond. */
const preciseClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
}

async function child(): Promise<void> {
  const [, , , backend, root, ignoreArg, changesArg] = process.argv as string[]
  const ignoreNodeModules = ignoreArg === '1'
  const changes = Number(changesArg)
  const baselineRss = process.memoryUsage().rss
  // Without the defaults only .git and .fixloop are ignored: node_modules is watched
  const matcher = createIgnoreMatcher({
    root: root as string,
    defaults: ignoreNodeModules,
    gitignore: false,
  })
  const watcher = new Watcher({
    root: root as string,
    ignore: matcher,
    backend: backend as BackendKind,
    debounceMs: DEBOUNCE_MS,
    maxWaitMs: 10_000,
    pollIntervalMs: POLL_INTERVAL_MS,
    clock: preciseClock,
    // The tree is local; let the requested backend run
    detectPolling: async () => null,
  })
  watcher.on('degraded', ({ reason }) => process.stderr.write(`degraded: ${reason}\n`))
  const started = performance.now()
  await watcher.start()
  const readyMs = performance.now() - started
  const readyRss = process.memoryUsage().rss
  await sleep(300)

  const afterWindow: number[] = []
  const endToEnd: number[] = []
  let missed = 0
  for (let i = 0; i < changes; i++) {
    const rel = `src/m${i % 100}/f${Math.floor(i / 100) % 100}.ts`
    const got = new Promise<WatchBatch | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), POLL_INTERVAL_MS * 5 + 5000)
      watcher.once('batch', (batch) => {
        clearTimeout(timer)
        resolve(batch)
      })
    })
    const written = performance.now()
    writeFileSync(path.join(root as string, rel), `export const v = ${i} // ${Date.now()}\n`)
    const batch = await got
    const received = performance.now()
    if (!batch || !batch.files.includes(rel)) {
      missed++
    } else {
      afterWindow.push(batch.at - batch.closedAt)
      endToEnd.push(received - written - DEBOUNCE_MS)
    }
    await sleep(SPACING_MS)
  }
  const peakRss = process.resourceUsage().maxRSS * 1024
  await watcher.stop()
  const result: ChildResult = {
    backend: backend as BackendKind,
    ignoreNodeModules,
    readyMs: round(readyMs),
    baselineRssMb: mb(baselineRss),
    readyRssMb: mb(readyRss),
    peakRssMb: mb(peakRss),
    changes,
    missed,
    afterWindowMs: stats(afterWindow),
    endToEndMs: stats(endToEnd),
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

/** 90% under node_modules (900 packages × 2 folders × 50 files), the rest in src (100 × 100). */
async function generateTree(root: string, files: number): Promise<void> {
  const sourceFiles = Math.round(files / 10)
  const moduleFiles = files - sourceFiles
  const jobs: [string, string][] = []
  for (let i = 0; i < sourceFiles; i++) {
    const dir = path.join(root, 'src', `m${i % 100}`)
    if (i < 100) mkdirSync(dir, { recursive: true })
    jobs.push([path.join(dir, `f${Math.floor(i / 100)}.ts`), `export const v = ${i}\n`])
  }
  for (let i = 0; i < moduleFiles; i++) {
    const pkg = Math.floor(i / 100)
    const dir = path.join(root, 'node_modules', `pkg${pkg}`, i % 2 ? 'lib' : 'src')
    if (i % 100 < 2) mkdirSync(dir, { recursive: true })
    jobs.push([path.join(dir, `f${i % 100}.js`), `module.exports = ${i}\n`])
  }
  jobs.push([path.join(root, 'package.json'), '{"name":"bench-tree"}\n'])
  // Several writes in flight: about three times faster than one after another
  for (let start = 0; start < jobs.length; start += 512) {
    await Promise.all(jobs.slice(start, start + 512).map(([file, text]) => writeFile(file, text)))
  }
}

/**
 * The child runs this same file bundled to plain JavaScript: under tsx every process carries the
 * loader and its transform cache, which would be counted as the watcher's memory.
 */
async function bundleChild(script: string, outfile: string): Promise<void> {
  const { build } = await import('esbuild')
  await build({
    entryPoints: [script],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
}

function runChild(
  script: string,
  backend: BackendKind,
  root: string,
  ignoreNodeModules: boolean,
  changes: number,
): Promise<ChildResult | { backend: BackendKind; ignoreNodeModules: boolean; error: string }> {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      [script, '--child', backend, root, ignoreNodeModules ? '1' : '0', String(changes)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => proc.pid && process.kill(proc.pid), 180_000)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      const line = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(line) as ChildResult)
      } catch {
        resolve({ backend, ignoreNodeModules, error: `exit ${code}: ${stderr.slice(-500)}` })
      }
    })
  })
}

async function main(): Promise<void> {
  const files = arg('files', 100_000)
  const changes = arg('changes', 50)
  const pollingChanges = arg('polling-changes', 10)
  const backendsArg = process.argv.find((a) => a.startsWith('--backends='))
  const backends = backendsArg
    ? (backendsArg.split('=')[1]?.split(',') ?? [])
    : ['native', 'polling']
  const script = fileURLToPath(import.meta.url)
  const root = path.join(path.dirname(script), '.tmp', `watch-tree-${process.pid}`)
  rmSync(root, { recursive: true, force: true })
  const childScript = path.join(path.dirname(script), '.tmp', `watch-child-${process.pid}.mjs`)
  await bundleChild(script, childScript)
  const generating = performance.now()
  await generateTree(root, files)
  const generatedMs = performance.now() - generating
  const results = []
  try {
    for (const [backend, ignoreNodeModules] of [
      ['native', false],
      ['native', true],
      ['polling', true],
      ['polling', false],
    ] as const) {
      if (!backends.includes(backend)) continue
      const n = backend === 'native' ? changes : pollingChanges
      results.push(await runChild(childScript, backend, root, ignoreNodeModules, n))
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
    rmSync(childScript, { force: true })
  }

  const header =
    '| backend | node_modules | ready | RSS after ready | peak RSS | after window p50 / p95 | end to end p50 / p95 | changes (missed) |'
  const lines = [header, '|---|---|---|---|---|---|---|---|']
  for (const r of results) {
    if ('error' in r) {
      lines.push(
        `| ${r.backend} | ${r.ignoreNodeModules ? 'ignored' : 'watched'} | error: ${r.error} |`,
      )
      continue
    }
    lines.push(
      `| ${r.backend} | ${r.ignoreNodeModules ? 'ignored' : 'watched'} | ${(r.readyMs / 1000).toFixed(2)} s | ` +
        `${r.readyRssMb} MB | ${r.peakRssMb} MB | ${r.afterWindowMs.p50} / ${r.afterWindowMs.p95} ms | ` +
        `${r.endToEndMs.p50} / ${r.endToEndMs.p95} ms | ${r.changes} (${r.missed}) |`,
    )
  }
  const baseline = results.find((r): r is ChildResult => !('error' in r))?.baselineRssMb
  console.log(
    `\nWatcher on ${files.toLocaleString('en')} files (${Math.round(files * 0.9).toLocaleString('en')} under node_modules), ` +
      `debounce ${DEBOUNCE_MS} ms, polling interval ${POLL_INTERVAL_MS} ms; tree generated in ${(generatedMs / 1000).toFixed(1)} s; ` +
      `child baseline RSS before start ${baseline ?? '?'} MB; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; ` +
      `${os.cpus().length} CPUs\n`,
  )
  console.log(lines.join('\n'))
  console.log(
    JSON.stringify({
      bench: 'watch',
      files,
      debounceMs: DEBOUNCE_MS,
      pollIntervalMs: POLL_INTERVAL_MS,
      loadavg: os.loadavg(),
      results,
    }),
  )
}

if (process.argv.includes('--child')) {
  await child()
} else {
  await main()
}
