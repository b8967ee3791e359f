/**
 * Shadow workspace benchmark: measures (does not assert) a ShadowPool on a generated project of
 * 20,000 source files (200 folders × 100 files of ~1 KB) with a node_modules of a few hundred
 * packages (some scoped, a .bin, a workspace link):
 * - first sync: `prepare()` into a fresh cache (median of 3, a new cache folder each);
 * - second prepare with nothing changed (the size/mtime pass);
 * - lease after a batch of 1 and of 10 changed files (noteChanged + lease), median/p95 over 30;
 * - release with nothing written, and after a "check" wrote 5 files (3 new, 2 changed), median/p95
 *   over 30: a walk comparing every file's stamp (see ShadowStamps).
 *
 *   node --import tsx bench/shadow.ts
 *   node --import tsx bench/shadow.ts --dirs=50 --rounds=10
 *
 * Everything is generated under the OS temp folder and deleted afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { ShadowPool } from '../src/main/core/shadow'
import type { ShadowLease } from '../src/main/core/shadow'
import { createIgnoreMatcher } from '../src/main/core/watch/ignore-rules'

function arg(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found ? Number(found.split('=')[1]) : fallback
}

const DIRS = arg('dirs', 200)
const FILES_PER_DIR = arg('files', 100)
const PACKAGES = arg('packages', 300)
const ROUNDS = arg('rounds', 30)
const FIRST_SYNCS = arg('first', 3)

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? Number.NaN
const round = (x: number) => Math.round(x * 10) / 10
const stats = (xs: number[]) => ({
  p50: round(pct(xs, 0.5)),
  p95: round(pct(xs, 0.95)),
  max: round(xs.length ? Math.max(...xs) : Number.NaN),
})

const BODY = `${'// filler line to make the file about one kilobyte long\n'.repeat(17)}`

function generate(root: string): void {
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'bench', workspaces: ['packages/*'] }),
  )
  for (let d = 0; d < DIRS; d++) {
    const dir = path.join(root, 'src', `m${d}`)
    mkdirSync(dir, { recursive: true })
    for (let f = 0; f < FILES_PER_DIR; f++)
      writeFileSync(path.join(dir, `f${f}.ts`), `export const v${f} = ${d * 1000 + f}\n${BODY}`)
  }
  const nm = path.join(root, 'node_modules')
  mkdirSync(path.join(nm, '.bin'), { recursive: true })
  for (let p = 0; p < PACKAGES; p++) {
    const scoped = p % 6 === 0
    const name = scoped ? `@scope${p % 4}/pkg${p}` : `pkg${p}`
    const dir = path.join(nm, name)
    mkdirSync(path.join(dir, 'lib'), { recursive: true })
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, main: 'lib/index.js' }))
    for (let f = 0; f < 10; f++)
      writeFileSync(path.join(dir, 'lib', f ? `f${f}.js` : 'index.js'), `module.exports = ${f}\n`)
    if (p % 30 === 0) symlinkSync(`../${name}/lib/index.js`, path.join(nm, '.bin', `bin${p}`))
  }
  // One workspace package, linked the way npm links it
  mkdirSync(path.join(root, 'packages', 'util'), { recursive: true })
  writeFileSync(path.join(root, 'packages', 'util', 'index.js'), 'export const util = 1\n')
  mkdirSync(path.join(nm, '@bench'), { recursive: true })
  symlinkSync('../../packages/util', path.join(nm, '@bench', 'util'))
}

const rel = (i: number) => `src/m${i % DIRS}/f${Math.floor(i / DIRS) % FILES_PER_DIR}.ts`

async function main(): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'fixloop-bench-shadow-'))
  const root = path.join(base, 'project')
  mkdirSync(root)
  const genStarted = performance.now()
  generate(root)
  const genMs = performance.now() - genStarted
  const ignore = createIgnoreMatcher({ root, extensions: [] })
  const open = (cache: string) => ShadowPool.open({ projectRoot: root, ignore, cacheDir: cache })
  try {
    // First sync: a fresh cache each time. Earlier caches are deleted only at the end, because on
    // this disk a large deletion slows the file creations that follow it for many seconds.
    const firsts: number[] = []
    let pool: ShadowPool | null = null
    let copied = 0
    for (let i = 0; i < FIRST_SYNCS; i++) {
      await pool?.dispose()
      pool = open(path.join(base, `cache${i}`))
      const report = await pool.prepare()
      firsts.push(report.ms)
      copied = report.copied
    }
    if (!pool) throw new Error('no first sync ran')
    const seconds: number[] = []
    for (let i = 0; i < 3; i++) seconds.push((await pool.prepare()).ms)

    let counter = 0
    const change = (n: number): string[] => {
      const rels: string[] = []
      for (let k = 0; k < n; k++) {
        const r = rel(counter++ * 7919)
        writeFileSync(path.join(root, r), `export const changed = ${counter}\n${BODY}`)
        rels.push(r)
      }
      return rels
    }
    const leaseRound = async (n: number) => {
      const wall: number[] = []
      const sync: number[] = []
      for (let i = 0; i < ROUNDS; i++) {
        const rels = change(n)
        const started = performance.now()
        pool?.noteChanged(rels)
        const lease = (await pool?.lease(rels)) as ShadowLease
        wall.push(performance.now() - started)
        sync.push(lease.syncMs)
        await lease.release()
      }
      return { wall, sync }
    }
    const lease1 = await leaseRound(1)
    const lease10 = await leaseRound(10)

    const releases: number[] = []
    const idleReleases: number[] = []
    let missed = 0
    for (let i = 0; i < ROUNDS; i++) {
      const idle = await pool.lease([])
      idleReleases.push((await idle.release()).ms)
      const lease = await pool.lease([])
      // What a test run leaves: a report, two snapshots, two source files rewritten
      for (let k = 0; k < 3; k++)
        writeFileSync(path.join(lease.root, `src/m${k}`, `out-${i}-${k}.snap`), 'snapshot\n')
      for (let k = 0; k < 2; k++)
        writeFileSync(path.join(lease.root, rel(i * 13 + k)), `// rewritten by a check ${i}\n`)
      const report = await lease.release()
      releases.push(report.ms)
      if (report.copied !== 2 || report.removed !== 3) missed++
    }
    await pool.dispose()

    const result = {
      cpus: os.cpus().length,
      loadavg: os.loadavg().map(round),
      files: DIRS * FILES_PER_DIR,
      packages: PACKAGES,
      generateMs: round(genMs),
      firstSyncMs: { median: round(pct(firsts, 0.5)), runs: firsts.map(round), copied },
      secondPrepareMs: { median: round(pct(seconds, 0.5)), runs: seconds.map(round) },
      lease1: { wall: stats(lease1.wall), sync: stats(lease1.sync) },
      lease10: { wall: stats(lease10.wall), sync: stats(lease10.sync) },
      releaseNoWrites: stats(idleReleases),
      releaseAfter5Writes: stats(releases),
      releasesNotRestoringAll5: missed,
    }
    const rows: [string, string][] = [
      [
        `first sync (median of ${FIRST_SYNCS})`,
        `${result.firstSyncMs.median} ms  [${result.firstSyncMs.runs.join(', ')}]`,
      ],
      [
        'second prepare, no change',
        `${result.secondPrepareMs.median} ms  [${result.secondPrepareMs.runs.join(', ')}]`,
      ],
      ['lease, 1 changed (p50/p95)', `${result.lease1.wall.p50} / ${result.lease1.wall.p95} ms`],
      ['lease, 10 changed (p50/p95)', `${result.lease10.wall.p50} / ${result.lease10.wall.p95} ms`],
      [
        'release, nothing written (p50/p95)',
        `${result.releaseNoWrites.p50} / ${result.releaseNoWrites.p95} ms`,
      ],
      [
        'release, 5 check writes (p50/p95)',
        `${result.releaseAfter5Writes.p50} / ${result.releaseAfter5Writes.p95} ms`,
      ],
    ]
    console.log(
      `\nShadow workspace, ${result.files} source files + ${PACKAGES} packages, ${result.cpus} CPUs (load ${result.loadavg.join(' ')}; the machine may be shared)`,
    )
    for (const [name, value] of rows) console.log(`  ${name.padEnd(36)} ${value}`)
    if (missed) console.log(`  (${missed} releases did not restore exactly the 5 writes)`)
    console.log(JSON.stringify({ bench: 'shadow', ...result }))
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
}

await main()
