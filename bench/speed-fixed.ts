/**
 * Goal 2: save → fixed, with the fake Messages API (instant) answering the agent protocol and
 * FILE_WATCH_DEBOUNCE_SECONDS=0.3, every other setting at its default (flaky re-runs, the whole
 * suite before a fix completes, the sandbox). A vitest project and a node:test project; the bug is
 * add() subtracting, the fix the one str_replace. One warm-up fix per project is not counted. Each
 * save waits until the last one is past the engine's burst hold, so it is timed as a single save.
 *
 * Besides save → completed, the table shows when each phase was entered (from `task_updated`),
 * so a change in one stage shows where it went.
 */
import { startFakeAnthropic } from '../test/support/fake-anthropic'
import type { TaskPhase } from '../src/shared/domain'
import { TaskFollower, startEngine } from './speed-engine'
import type { TaskTimes } from './speed-engine'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createNodeProject,
  createVitestProject,
  scriptAgent,
  writeConfig,
} from './speed-projects'
import type { BenchProject } from './speed-projects'
import { heading, median, ms, spread, table } from './speed-report'

const PHASES: TaskPhase[] = ['detect', 'gate', 'fix', 'verify', 'apply']

export async function fixedBench(runs: number): Promise<unknown> {
  const fake = await startFakeAnthropic()
  scriptAgent(fake, () => 'fix')
  const results: Array<{ kind: string; times: TaskTimes[]; notFixed: string[]; describe: string }> =
    []
  try {
    for (const make of [createVitestProject, createNodeProject]) {
      const project = make()
      try {
        results.push({ kind: project.kind, ...(await fixes(project, fake.baseURL, runs)) })
      } finally {
        project.remove()
      }
    }
  } finally {
    await fake.close()
  }

  heading(
    'Save → fixed, fake API, FILE_WATCH_DEBOUNCE_SECONDS=0.3 (goal 2)',
    `${runs} fixes per project after one warm-up, other settings default; ` +
      `${results.map((r) => `${r.kind}: ${r.describe}`).join('; ')}. ` +
      'Median (min–max) from the save; phases: median time from the save to the phase being entered.',
  )
  const rows = results.map((r) => {
    const from = (pick: (t: TaskTimes) => number | null | undefined) =>
      r.times.map((t) => (pick(t) ?? NaN) - t.saved)
    return [
      `${r.kind}${r.notFixed.length ? ` (not fixed: ${r.notFixed.join(', ')})` : ''}`,
      spread(from((t) => t.ended?.at)),
      ms(median(from((t) => t.created))),
      ms(median(from((t) => t.detected?.at))),
      ...PHASES.slice(2).map((p) => ms(median(from((t) => t.phases[p])))),
    ]
  })
  console.log(
    table(
      [
        'project',
        'save → completed (fixed)',
        'queued',
        'detection result',
        'fix begins',
        'verify begins',
        'apply begins',
      ],
      rows,
    ),
  )
  return results.map((r) => ({
    kind: r.kind,
    fixedMs: median(r.times.map((t) => (t.ended?.at ?? NaN) - t.saved)),
    notFixed: r.notFixed,
  }))
}

async function fixes(
  project: BenchProject,
  baseURL: string,
  runs: number,
): Promise<{ times: TaskTimes[]; notFixed: string[]; describe: string }> {
  writeConfig(project, {})
  const run = await startEngine(project, {
    baseURL,
    env: { FILE_WATCH_DEBOUNCE_SECONDS: '0.3' },
  })
  const describe = await run.describe()
  const follower = new TaskFollower(run.engine)
  const times: TaskTimes[] = []
  const notFixed: string[] = []
  try {
    for (let i = 0; i <= runs; i++) {
      // The fix put add() back: once the file is quiet, the next save is a new, single change.
      await follower.quiet('src/math.js')
      const t = follower.save(project, 'src/math.js', BROKEN_MATH)
      await follower.ended(t)
      const outcome = t.ended?.task.outcome ?? 'none'
      if (i > 0) {
        times.push(t)
        if (outcome !== 'fixed') notFixed.push(outcome)
      }
      if (outcome !== 'fixed') {
        await follower.quiet('src/math.js')
        await follower.ended(follower.save(project, 'src/math.js', GOOD_MATH))
      }
    }
  } finally {
    await run.stop()
  }
  return { times, notFixed, describe }
}
