/**
 * Goal 5: a soak. The engine in its own process (speed-child.ts, run with --expose-gc) at full
 * history on the node:test sample project (six copies of its module, the saves going round them so
 * that none waits out a burst hold) runs N tasks, fixed and no_fix_needed alternately (the
 * fake API, in this process, fixes each bug in one round); every `every` tasks, and before the
 * first, the child collects garbage and reports its RSS and heap, so growth shows as a trend and not
 * as garbage not yet collected. Default settings but for: no flaky re-runs, one attempt, a 0.05 s
 * debounce, breaker and budgets out of the way (the soak makes 150 fixes of one file).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeAnthropic } from '../test/support/fake-anthropic'
import type { ChildMessage } from './speed-child'
import { sleep } from './speed-engine'
import {
  BENCH_API_KEY,
  BROKEN_MATH,
  GOOD_MATH,
  createNodeProject,
  mathModule,
  scriptAgent,
  writeConfig,
} from './speed-projects'
import { BenchChild, childScript } from './speed-proc'
import { heading, table } from './speed-report'
import { prefillFullHistory } from './speed-state'

const mb = (bytes: number) => bytes / 1048576
/** Files the saves go round, so none is saved again within the engine's burst hold. */
const MODULES = 6
/** engine/churn.ts holds a file saved again within 2 s (at this debounce); a margin on top. */
const HOLD_MS = 2300

export async function soakBench(tasks: number, every: number): Promise<unknown> {
  const fake = await startFakeAnthropic()
  let target = mathModule(0)
  scriptAgent(
    fake,
    () => 'fix',
    () => target,
  )
  const project = createNodeProject('fixloop-bench-speed-soak-', MODULES)
  const lastSaved = new Map<string, number>()
  writeConfig(project, {
    flakyReruns: 0,
    maxRetries: 1,
    debounceSeconds: 0.05,
    maxWaitSeconds: 1,
    breakerThreshold: 100,
    budgets: {
      attemptUsd: 1000,
      taskUsd: 1000,
      dayUsd: 100_000,
      attemptTokens: 1e9,
      taskTokens: 1e9,
      dayTokens: 1e12,
    },
  })
  await prefillFullHistory(project.root)
  const cacheDir = mkdtempSync(join(tmpdir(), 'fixloop-bench-speed-cache-'))
  const child = BenchChild.start(await childScript(), {
    root: project.root,
    cacheDir,
    nodeArgs: ['--expose-gc'],
    env: { ANTHROPIC_API_KEY: BENCH_API_KEY, ANTHROPIC_BASE_URL: fake.baseURL },
  })
  const samples: Array<{
    tasks: number
    rssMb: number
    heapMb: number
    heapTotalMb: number
    externalMb: number
    secondsPerTask: number
  }> = []
  const unexpected: string[] = []
  let gc = false
  try {
    await child.ready
    await sleep(2000)
    let blockStarted = performance.now()
    const sample = async (done: number, inBlock: number) => {
      const m = await child.ask('mem', 'mem')
      gc = m.gc
      samples.push({
        tasks: done,
        rssMb: mb(m.rss),
        heapMb: mb(m.heapUsed),
        heapTotalMb: mb(m.heapTotal),
        externalMb: mb(m.external),
        secondsPerTask: inBlock ? (performance.now() - blockStarted) / 1000 / inBlock : NaN,
      })
      blockStarted = performance.now()
    }
    await sample(0, 0)
    for (let i = 0; i < tasks; i++) {
      const fix = i % 2 === 0
      target = mathModule(i % MODULES)
      await sleep((lastSaved.get(target) ?? 0) + HOLD_MS - performance.now())
      const finished = child.next('task', 60_000)
      project.write(target, `${fix ? BROKEN_MATH : GOOD_MATH}// ${i}\n`)
      lastSaved.set(target, performance.now())
      const t = (await finished) as Extract<ChildMessage, { type: 'task' }>
      const expected = fix ? 'fixed' : 'no_fix_needed'
      if (t.outcome !== expected) unexpected.push(`#${i + 1}: ${t.outcome} (expected ${expected})`)
      await sleep(100)
      if ((i + 1) % every === 0 || i + 1 === tasks) await sample(i + 1, (i % every) + 1)
    }
  } finally {
    await child.stop()
    await fake.close()
    project.remove()
    rmSync(cacheDir, { recursive: true, force: true })
  }

  heading(
    `Soak: ${tasks} tasks at full history (goal 5)`,
    `Engine in a child process, node:test sample project, fixed and no_fix_needed alternately; ` +
      `memory read ${gc ? 'after a full GC' : 'without a GC (no --expose-gc)'} every ${every} tasks.`,
  )
  console.log(
    table(
      ['tasks done', 'RSS', 'heap used', 'heap total', 'external', 's per task (block)'],
      samples.map((s) => [
        s.tasks,
        `${s.rssMb.toFixed(1)} MB`,
        `${s.heapMb.toFixed(1)} MB`,
        `${s.heapTotalMb.toFixed(1)} MB`,
        `${s.externalMb.toFixed(1)} MB`,
        Number.isFinite(s.secondsPerTask) ? s.secondsPerTask.toFixed(2) : '–',
      ]),
    ),
  )
  if (unexpected.length)
    console.log(
      `\nUnexpected outcomes (${unexpected.length}): ${unexpected.slice(0, 10).join(', ')}`,
    )
  const first = samples[1] ?? samples[0]
  const last = samples.at(-1)
  return {
    tasks,
    samples,
    unexpected: unexpected.length,
    rssGrowthMb: first && last ? last.rssMb - first.rssMb : null,
  }
}
