/**
 * Speed benchmark for issue 13's goals: measures, asserts nothing, prints markdown tables and one
 * JSON line per run. Sub-benches (the first four by default, in this order; name some to run only
 * those):
 *
 *   feedback  save → related-check result on a small vitest project, Fixloop vs `vitest --watch`,
 *             paired runs, a red and a green change (isolated, and green right after red), with
 *             default settings and with a 0.3 s debounce
 *   fixed     save → fixed with the fake API, FILE_WATCH_DEBOUNCE_SECONDS=0.3, vitest and node projects
 *   overhead  engine overhead per task (wall − check processes), fresh and at full history, and
 *             state writes per task for a fixed, a failed and a no_fix_needed task
 *   idle      idle CPU per minute and RSS of the engine (child process) at full history and fresh,
 *             against `vitest --watch` idle on the same project
 *   soak      (by name) 300 tasks, fixed / no_fix_needed alternately, at full history in a child
 *             process, RSS every 50 tasks after a GC (about 5 minutes)
 *   ready     (by name) start → ready on a 100,000-file tree: the engine, its watcher alone and
 *             raw @parcel/watcher, each in a fresh child process
 *
 *   node --import tsx bench/speed.ts                        feedback, fixed, overhead, idle
 *   node --import tsx bench/speed.ts soak                   the 300-task soak alone
 *   node --import tsx bench/speed.ts feedback soak ready    those three
 *   npm run bench -- speed                                  the default four, from bench/run.ts
 *
 * Environment (defaults in brackets): FIXLOOP_BENCH_PAIRS [7, rounded up to even] isolated red and
 * green saves per feedback series, FIXLOOP_BENCH_LOOP_PAIRS [3] edit loops per series,
 * FIXLOOP_BENCH_FIXED_RUNS [7] fixes per project, FIXLOOP_BENCH_TASKS [20] tasks per overhead state,
 * FIXLOOP_BENCH_IDLE_SECONDS [60], FIXLOOP_BENCH_SOAK_TASKS [300],
 * FIXLOOP_BENCH_SOAK_EVERY [50],
 * FIXLOOP_BENCH_READY_FILES [100000], FIXLOOP_BENCH_READY_RUNS [3].
 *
 * The engine runs from the source tree (the idle, soak and ready children are bundled from it with
 * esbuild first, as bench/watch.ts does), so no build is needed and figures are of the checkout.
 */
import os from 'node:os'
import { feedbackBench } from './speed-feedback'
import { fixedBench } from './speed-fixed'
import { idleBench } from './speed-idle'
import { overheadBench } from './speed-overhead'
import { readyBench } from './speed-ready'
import { loadAverage } from './speed-report'
import { soakBench } from './speed-soak'

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name])
  return Number.isFinite(v) && v > 0 ? v : fallback
}

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'))

const BENCHES: Record<string, () => Promise<unknown>> = {
  feedback: () => feedbackBench(num('FIXLOOP_BENCH_PAIRS', 7), num('FIXLOOP_BENCH_LOOP_PAIRS', 3)),
  fixed: () => fixedBench(num('FIXLOOP_BENCH_FIXED_RUNS', 7)),
  overhead: () => overheadBench(num('FIXLOOP_BENCH_TASKS', 20)),
  idle: () => idleBench(num('FIXLOOP_BENCH_IDLE_SECONDS', 60)),
  soak: () => soakBench(num('FIXLOOP_BENCH_SOAK_TASKS', 300), num('FIXLOOP_BENCH_SOAK_EVERY', 50)),
  ready: () =>
    readyBench(num('FIXLOOP_BENCH_READY_FILES', 100_000), num('FIXLOOP_BENCH_READY_RUNS', 3)),
}
/** About 6 minutes; the soak (about 5 more) and ready are run by name. */
const DEFAULT = ['feedback', 'fixed', 'overhead', 'idle']

const names = chosen.length ? chosen : DEFAULT
const unknown = names.filter((n) => !(n in BENCHES))
if (unknown.length) {
  console.error(
    `Unknown sub-bench(es): ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}`,
  )
  process.exit(2)
}

console.log(
  `## bench/speed.ts — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs, ` +
    `load average ${loadAverage()}`,
)
const results: Record<string, unknown> = {}
for (const name of names) {
  const started = performance.now()
  try {
    results[name] = await (BENCHES[name] as () => Promise<unknown>)()
  } catch (error) {
    console.log(`\n${name}: failed — ${(error as Error).stack ?? String(error)}`)
    results[name] = { error: String(error) }
    process.exitCode = 1
  }
  console.log(`\n(${name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`)
}
console.log(JSON.stringify({ bench: 'speed', loadavg: os.loadavg(), results }))
