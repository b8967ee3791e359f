/**
 * Choosing a change's tests on a big tree (issue 13, item 5). Planning is synchronous, so the time a
 * plan takes is the time the event loop is blocked. Per task, node's test runner plans the related
 * ring twice (detection, verification):
 * - walk: what planning did before the file index (listProjectFiles + isTestFile on every file);
 * - index: the engine's file index (checks/project-files over watch/file-index), walked once.
 * Also what the index costs itself: its walk (wall time, and the longest the event loop waited
 * meanwhile), and taking a batch in (the part that runs at once; the rest waits on lstat). The same
 * per plan for a node script whose suite is a glob.
 *
 *   node --import tsx bench/selection.ts [--files 100000] [--tasks 40]
 *
 * Prints a table and one JSON line. Measures; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { DEFAULT_SETTINGS } from '../src/shared/settings'
import { planRelatedChecks, planSuiteCheck } from '../src/main/core/checks/plan-checks'
import type { PlanOptions } from '../src/main/core/checks/plan-checks'
import { indexedFiles } from '../src/main/core/checks/project-files'
import { skipsFolder } from '../src/main/core/checks/test-files'
import type { RunnerInfo } from '../src/main/core/checks/types'
import { createProjectMatcher } from '../src/main/core/engine/project-watcher'
import { FileIndex } from '../src/main/core/watch/file-index'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const FILES = flag('--files', 100_000)
const TASKS = flag('--tasks', 40)

/**
 * A tree of about FILES files: per folder 50 modules, 5 tests mirroring 5 of them under test/, and
 * 45 other files (assets), 1,000 folders of each at 100,000.
 */
function generate(): { root: string; modules: string[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fixloop-bench-selection-'))
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ type: 'module', scripts: { test: 'node --test' } }),
  )
  const modules: string[] = []
  const folders = Math.max(1, Math.round(FILES / 100))
  for (let n = 0; n < folders; n++) {
    const dir = `a${Math.floor(n / 10)}/b${n % 10}`
    for (const sub of ['src', 'test', 'assets'])
      mkdirSync(path.join(root, sub, dir), { recursive: true })
    for (let m = 0; m < 50; m++) {
      writeFileSync(path.join(root, 'src', dir, `m${m}.js`), `export const v = ${m}\n`)
      modules.push(`src/${dir}/m${m}.js`)
    }
    for (let m = 0; m < 5; m++)
      writeFileSync(
        path.join(root, 'test', dir, `m${m}.test.js`),
        `import '../../../src/${dir}/m${m}.js'\n`,
      )
    for (let m = 0; m < 45; m++) writeFileSync(path.join(root, 'assets', dir, `f${m}.json`), '{}\n')
  }
  return { root, modules }
}

function runnerAt(root: string, suiteArgs: string[] = []): RunnerInfo {
  return {
    kind: 'node',
    root,
    exec: [process.execPath],
    options: [],
    suiteArgs,
    env: {},
    template: null,
    description: 'node --test',
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number
}
const stats = (xs: number[]) => ({
  p50: Number(quantile(xs, 0.5).toFixed(2)),
  p95: Number(quantile(xs, 0.95).toFixed(2)),
  max: Number(Math.max(...xs).toFixed(2)),
})

/** The blocked time of one task's planning: the related ring for detection and for verification. */
function task(runner: RunnerInfo, changed: string, options: PlanOptions): number {
  const started = performance.now()
  planRelatedChecks(runner.root, runner, [changed], options)
  planRelatedChecks(runner.root, runner, [changed], options)
  return performance.now() - started
}

const { root, modules } = generate()
try {
  const runner = runnerAt(root)
  const globbed = runnerAt(root, ['test/**/*.test.js'])
  const changes = Array.from(
    { length: TASKS },
    (_, i) => modules[(i * 7919) % modules.length] as string,
  )

  // Before: every plan walks the tree.
  task(runner, changes[0] as string, {}) // the disk cache warm, as the index's walk finds it
  const walk = changes.map((changed) => task(runner, changed, {}))
  const walkSuite = changes.slice(0, 10).map(() => {
    const t = performance.now()
    planSuiteCheck(globbed, 'suite')
    return performance.now() - t
  })

  // After: the index, walked once in the background, then asked.
  const index = new FileIndex({
    root,
    matcher: createProjectMatcher(root, DEFAULT_SETTINGS),
    skipFolder: skipsFolder,
  })
  const files = indexedFiles(index)
  const lag = monitorEventLoopDelay({ resolution: 1 })
  lag.enable()
  const walkStarted = performance.now()
  await index.start()
  const walkMs = performance.now() - walkStarted
  lag.disable()
  const options: PlanOptions = { index: files }
  const firstStarted = performance.now()
  planRelatedChecks(root, runner, [changes[0] as string], options)
  const firstMs = performance.now() - firstStarted
  const indexed: number[] = []
  const notes: number[] = []
  for (const [i, changed] of changes.entries()) {
    // Each task's change reaches the index first, as the watcher's batch does: the edited module,
    // and every fifth task a test created (and the one created before deleted), which makes the
    // next plan sort and pair the tests again.
    const noted = [changed]
    if (i % 5 === 0) {
      const created = `test/new-${i}.test.js`
      writeFileSync(path.join(root, created), '')
      noted.push(created)
      if (i > 0) {
        rmSync(path.join(root, `test/new-${i - 5}.test.js`))
        noted.push(`test/new-${i - 5}.test.js`)
      }
    }
    const t = performance.now()
    index.noteChanged(noted)
    notes.push(performance.now() - t)
    await files.settled()
    indexed.push(task(runner, changed, options))
  }
  const indexSuite = changes.slice(0, 10).map(() => {
    const t = performance.now()
    planSuiteCheck(globbed, 'suite', options)
    return performance.now() - t
  })

  const rows = [
    { case: 'per task, walk (before)', ...stats(walk) },
    { case: 'per task, index (after)', ...stats(indexed) },
    { case: 'suite glob plan, walk', ...stats(walkSuite) },
    { case: 'suite glob plan, index', ...stats(indexSuite.slice(1)) },
    { case: 'note a batch (sync part)', ...stats(notes) },
  ]
  console.log(
    `selection bench: ${index.size} indexed files (${FILES} asked), ${TASKS} tasks, ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(1)}, node ${process.version}`,
  )
  console.log(
    `${'blocked event loop, ms'.padEnd(28)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)}`,
  )
  for (const r of rows)
    console.log(
      `${r.case.padEnd(28)} ${String(r.p50).padStart(8)} ${String(r.p95).padStart(8)} ${String(r.max).padStart(8)}`,
    )
  const longestWait = lag.max / 1e6
  console.log(
    `index walk: ${walkMs.toFixed(0)} ms wall, event loop waited at most ${longestWait.toFixed(1)} ms (p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms); first plan after it ${firstMs.toFixed(1)} ms (sorts the tests once); glob first use ${indexSuite[0]?.toFixed(1)} ms`,
  )
  console.log(
    JSON.stringify({
      bench: 'selection',
      files: index.size,
      tasks: TASKS,
      cpus: os.cpus().length,
      load1: Number((os.loadavg()[0] ?? 0).toFixed(1)),
      node: process.version,
      rows,
      indexWalkMs: Math.round(walkMs),
      indexWalkMaxLagMs: Number(longestWait.toFixed(1)),
      firstPlanMs: Number(firstMs.toFixed(1)),
      globFirstUseMs: Number((indexSuite[0] ?? 0).toFixed(1)),
    }),
  )
  index.dispose()
} finally {
  rmSync(root, { recursive: true, force: true })
}
