/**
 * Start-up benchmark for the built CLI (out/cli, `npm run build:cli` first): measures, does not assert.
 * - `--version`: spawn until exit, the floor of any `fixloop` command;
 * - import: `import('out/cli/index.js')` in a bare Node, the wall time and the RSS it adds (what
 *   every command pays before doing any work);
 * - `watch --json` on a three-file project with auto-fix off: spawn until the `ready` line, and the
 *   child's RSS at that moment (issue 13 goal: ready ≤ 250 ms).
 * Each is run several times in fresh processes; medians are printed.
 *
 *   node --import tsx bench/start.ts [--runs=5]
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'

const root = join(import.meta.dirname, '..')
const bin = join(root, 'bin/fixloop.js')
const entry = join(root, 'out/cli/index.js')
const runsArg = process.argv.find((a) => a.startsWith('--runs='))
const RUNS = runsArg ? Number(runsArg.split('=')[1]) : 5

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** RSS of another process in MB: /proc on Linux, `ps` elsewhere. */
function rssMbOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    if (kb) return Number(kb) / 1024
  } catch {
    // not Linux
  }
  const r = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' })
  return Number(r.stdout.trim()) / 1024
}

function createProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixloop-bench-start-'))
  const write = (path: string, content: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  write(
    'package.json',
    JSON.stringify({ name: 'sample', type: 'module', scripts: { test: 'node --test' } }),
  )
  write('src/math.js', 'export const add = (a, b) => a + b\n')
  write(
    'test/math.test.js',
    "import { test } from 'node:test'\nimport assert from 'node:assert/strict'\nimport { add } from '../src/math.js'\ntest('add', () => assert.equal(add(2, 3), 5))\n",
  )
  return dir
}

/** Auto-fix off and no key, so the figure is the start of the watch loop alone. */
const env = () => {
  const e: NodeJS.ProcessEnv = { ...process.env, AUTO_FIX_ENABLED: 'false', FORCE_COLOR: '0' }
  delete e.ANTHROPIC_API_KEY
  delete e.PROJECT_ROOT
  return e
}

function versionMs(): number {
  const started = performance.now()
  const r = spawnSync(process.execPath, [bin, '--version'], { env: env(), encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`--version failed: ${r.stderr}`)
  return performance.now() - started
}

function importOnly(): { ms: number; addedMb: number } {
  const script = `const before = process.memoryUsage.rss(); const t = performance.now();
await import(${JSON.stringify(new URL(`file://${entry}`).href)});
console.log(JSON.stringify({ ms: performance.now() - t, addedMb: (process.memoryUsage.rss() - before) / 1048576 }))`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: env(),
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as { ms: number; addedMb: number }
}

function watchToReady(project: string): Promise<{ ms: number; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [bin, 'watch', project, '--json'], { env: env() })
    let buffer = ''
    let stderr = ''
    let result: { ms: number; rssMb: number } | null = null
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      if (result) return
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('{')) continue
        const event = JSON.parse(line) as { type?: string }
        if (event.type !== 'ready') continue
        result = { ms: performance.now() - started, rssMb: rssMbOf(child.pid as number) }
        child.kill('SIGINT')
        return
      }
    })
    child.on('exit', (code) => {
      if (result) resolve(result)
      else reject(new Error(`watch exited (${code}) before ready: ${stderr}`))
    })
  })
}

const project = createProject()
try {
  // One warm-up of each, so the disk cache is the same for every measured run.
  versionMs()
  importOnly()
  await watchToReady(project)
  const version: number[] = []
  const imports: { ms: number; addedMb: number }[] = []
  const ready: { ms: number; rssMb: number }[] = []
  for (let i = 0; i < RUNS; i++) {
    version.push(versionMs())
    imports.push(importOnly())
    ready.push(await watchToReady(project))
  }
  const row = (label: string, value: string) => console.log(`${label.padEnd(34)} ${value}`)
  console.log(`medians of ${RUNS} runs, ${process.version}, ${process.platform}`)
  row('fixloop --version (wall)', `${median(version).toFixed(0)} ms`)
  row('import out/cli/index.js', `${median(imports.map((i) => i.ms)).toFixed(0)} ms`)
  row('  RSS added by the import', `${median(imports.map((i) => i.addedMb)).toFixed(1)} MB`)
  row('fixloop watch --json → ready', `${median(ready.map((r) => r.ms)).toFixed(0)} ms`)
  row('  RSS at ready', `${median(ready.map((r) => r.rssMb)).toFixed(1)} MB`)
  console.log(
    JSON.stringify({
      bench: 'start',
      node: process.version,
      runs: RUNS,
      versionMs: Math.round(median(version)),
      importMs: Math.round(median(imports.map((i) => i.ms))),
      importAddedMb: Number(median(imports.map((i) => i.addedMb)).toFixed(1)),
      readyMs: Math.round(median(ready.map((r) => r.ms))),
      readyRssMb: Number(median(ready.map((r) => r.rssMb)).toFixed(1)),
    }),
  )
} finally {
  rmSync(project, { recursive: true, force: true })
}
