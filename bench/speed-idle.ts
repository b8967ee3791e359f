/**
 * Goal 4: idle CPU per minute and RSS. Three processes on three copies of the small vitest project,
 * idle over the same window: the engine (speed-child.ts, its own process, default settings, the fake
 * API for its start-up model check) at full history, the engine on a fresh state, and
 * `vitest --watch`. Each is left to settle (5 s after ready / after vitest's first run) before the
 * window opens; nothing is saved during it.
 *
 * CPU is read from /proc for the process and its descendants (vitest's workers); for the engine also
 * its own `process.cpuUsage()`. RSS: the engine's `process.memoryUsage().rss` (no GC first) and the
 * /proc sum over each tree.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeAnthropic } from '../test/support/fake-anthropic'
import { sleep } from './speed-engine'
import { BENCH_API_KEY, copyProject, createVitestProject, writeConfig } from './speed-projects'
import type { BenchProject } from './speed-projects'
import { BenchChild, childScript, hasProc, treeCpuSeconds, treeRssMb } from './speed-proc'
import { heading, table } from './speed-report'
import { prefillFullHistory } from './speed-state'
import { VitestWatch } from './speed-vitest'

const SETTLE_MS = 5000

export async function idleBench(seconds: number): Promise<unknown> {
  const fake = await startFakeAnthropic()
  const base = createVitestProject('fixloop-bench-speed-idle-full-')
  writeConfig(base, {})
  const fresh = copyProject(base, 'fixloop-bench-speed-idle-fresh-')
  const forVitest = copyProject(base, 'fixloop-bench-speed-idle-vitest-')
  await prefillFullHistory(base.root)
  const cacheDir = mkdtempSync(join(tmpdir(), 'fixloop-bench-speed-cache-'))
  const script = await childScript()
  const engine = (p: BenchProject) =>
    BenchChild.start(script, {
      root: p.root,
      cacheDir,
      env: { ANTHROPIC_API_KEY: BENCH_API_KEY, ANTHROPIC_BASE_URL: fake.baseURL },
    })
  const full = engine(base)
  const empty = engine(fresh)
  let vitest: VitestWatch | null = null
  try {
    await Promise.all([full.ready, empty.ready])
    vitest = await VitestWatch.start(forVitest)
    await sleep(SETTLE_MS)

    const subjects = [
      { name: 'Fixloop engine, full history', pid: full.pid, child: full },
      { name: 'Fixloop engine, fresh state', pid: empty.pid, child: empty },
      { name: '`vitest --watch`', pid: vitest.pid, child: null },
    ]
    const before = await Promise.all(
      subjects.map(async (s) => ({
        tree: hasProc ? treeCpuSeconds(s.pid) : NaN,
        own: s.child ? await s.child.ask('cpu', 'cpu') : null,
      })),
    )
    await sleep(seconds * 1000)
    const rows = []
    const json = []
    for (const [i, s] of subjects.entries()) {
      const tree = hasProc ? treeCpuSeconds(s.pid) - (before[i]?.tree ?? NaN) : NaN
      const own0 = before[i]?.own
      const own1 = s.child ? await s.child.ask('cpu', 'cpu') : null
      const ownSeconds =
        own0 && own1
          ? (own1.userMs + own1.systemMs - own0.userMs - own0.systemMs) / 1000
          : Number.NaN
      const mem = s.child ? await s.child.ask('mem', 'mem') : null
      const rss = hasProc ? treeRssMb(s.pid) : { rssMb: NaN, processes: 0 }
      const perMinute = (x: number) => (Number.isFinite(x) ? (x * 60) / seconds : NaN)
      rows.push([
        s.name,
        Number.isFinite(tree) ? `${perMinute(tree).toFixed(3)} s` : '–',
        Number.isFinite(ownSeconds) ? `${perMinute(ownSeconds).toFixed(3)} s` : '–',
        mem ? `${(mem.rss / 1048576).toFixed(0)} MB` : '–',
        Number.isFinite(rss.rssMb) ? `${rss.rssMb.toFixed(0)} MB (${rss.processes})` : '–',
      ])
      json.push({
        name: s.name,
        cpuSecondsPerMinute: perMinute(tree),
        ownCpuSecondsPerMinute: perMinute(ownSeconds),
        rssMb: mem ? mem.rss / 1048576 : null,
        treeRssMb: rss.rssMb,
      })
    }
    heading(
      'Idle CPU and RSS (goal 4)',
      `${seconds} s idle window, after ${SETTLE_MS / 1000} s to settle; three copies of the vitest ` +
        'project, all three processes idle over the same window; engine at default settings ' +
        '(30 s heartbeat, so the window holds its heartbeat writes).',
    )
    console.log(
      table(
        [
          'process',
          'CPU per minute (tree, /proc)',
          'CPU per minute (process.cpuUsage)',
          'RSS (memoryUsage)',
          'RSS (tree, processes)',
        ],
        rows,
      ),
    )
    return json
  } finally {
    await vitest?.stop()
    await Promise.all([full.stop(), empty.stop()])
    await fake.close()
    for (const p of [base, fresh, forVitest]) p.remove()
    rmSync(cacheDir, { recursive: true, force: true })
  }
}
