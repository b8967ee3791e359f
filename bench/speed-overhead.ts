/**
 * Goal 3: engine overhead per task, at a fresh state and at full history (speed-state.ts), measured
 * as bench/engine.ts does: wall time from the change being queued (`task_created`) to the task
 * completing, minus the time its check child processes took, on the node:test sample project with
 * the instant fake API (config as bench/engine.ts: no flaky re-runs, one attempt, 0.05 s debounce).
 * One warm-up task per state is not counted. The fake API runs in this process, so its request
 * handling is inside the wall time, as in bench/engine.ts. The saves go round four copies of the
 * sample module (each with its test), and wait if need be, so that no save comes within the
 * engine's burst hold (engine/churn.ts) of that file's last one: the hold (2 s) would be a figure of
 * the wait, not of the engine's work.
 *
 * Then state writes per task (speed-writes.ts), counted from the save until 0.25 s after the task
 * ended, for fixed tasks (the measured ones), three no_fix_needed tasks and three failed ones (the
 * fake's edit leaves the test red). Heartbeat and health timers are set to an hour so they write
 * nothing meanwhile.
 */
import { startFakeAnthropic } from '../test/support/fake-anthropic'
import type { TaskOutcome } from '../src/shared/domain'
import { TaskFollower, childMs, sleep, startEngine } from './speed-engine'
import type { TaskTimes } from './speed-engine'
import type { AgentMode, BenchProject } from './speed-projects'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createNodeProject,
  mathModule,
  scriptAgent,
  writeConfig,
} from './speed-projects'
import { heading, median, ms1, pct, table } from './speed-report'
import { prefillFullHistory } from './speed-state'
import { WriteCounter, diffCounts } from './speed-writes'
import type { WriteCounts } from './speed-writes'

type Counts = WriteCounts & { generation: number | null }

interface StateRun {
  state: 'fresh' | 'full history'
  walls: number[]
  children: number[]
  overheads: number[]
  beforeFirstCheck: number[]
  writes: Record<'fixed' | 'no_fix_needed' | 'failed', Counts[]>
  unexpected: string[]
  taskFiles: boolean
}

/** Files the saves go round, so that none waits out the engine's burst hold (engine/churn.ts). */
const MODULES = 4

/** What the fake agent is to do, and to which file: set by the bench before each save. */
interface Agent {
  mode: AgentMode
  target: string
}

export async function overheadBench(tasks: number): Promise<unknown> {
  const fake = await startFakeAnthropic()
  const agent: Agent = { mode: 'fix', target: mathModule(0) }
  scriptAgent(
    fake,
    () => agent.mode,
    () => agent.target,
  )
  const runs: StateRun[] = []
  try {
    for (const state of ['fresh', 'full history'] as const) {
      const project = createNodeProject('fixloop-bench-speed-overhead-', MODULES)
      try {
        writeConfig(project, {
          flakyReruns: 0,
          maxRetries: 1,
          debounceSeconds: 0.05,
          maxWaitSeconds: 1,
          breakerThreshold: 100,
        })
        if (state === 'full history') await prefillFullHistory(project.root)
        runs.push(await measure(project, state, fake.baseURL, tasks, agent))
      } finally {
        agent.mode = 'fix'
        project.remove()
      }
    }
  } finally {
    await fake.close()
  }
  return report(runs, tasks)
}

async function measure(
  project: BenchProject,
  state: StateRun['state'],
  baseURL: string,
  tasks: number,
  agent: Agent,
): Promise<StateRun> {
  const run = await startEngine(project, { baseURL, heartbeatMs: 3_600_000, healthMs: 3_600_000 })
  const counter = new WriteCounter(project.root)
  const follower = new TaskFollower(run.engine)
  const r: StateRun = {
    state,
    walls: [],
    children: [],
    overheads: [],
    beforeFirstCheck: [],
    writes: { fixed: [], no_fix_needed: [], failed: [] },
    unexpected: [],
    taskFiles: false,
  }
  let n = 0
  const one = async (content: string, expect: TaskOutcome): Promise<[TaskTimes, Counts]> => {
    agent.target = mathModule(n++ % MODULES)
    await follower.quiet(agent.target)
    const before = counter.snapshot()
    const t = follower.save(project, agent.target, content)
    await follower.ended(t)
    await sleep(250)
    const outcome = t.ended?.task.outcome
    if (outcome !== expect) r.unexpected.push(`${outcome ?? 'none'} (expected ${expect})`)
    return [t, diffCounts(before, counter.snapshot())]
  }
  try {
    await one(BROKEN_MATH, 'fixed')
    for (let i = 0; i < tasks; i++) {
      const [t, writes] = await one(`${BROKEN_MATH}${'\n'.repeat(i % 2)}`, 'fixed')
      const task = t.ended?.task
      if (!task || t.created === null || !t.ended) continue
      const wall = t.ended.at - t.created
      r.walls.push(wall)
      r.children.push(childMs(task))
      r.overheads.push(wall - childMs(task))
      if (t.firstCheck !== null && t.phases.sync !== undefined)
        r.beforeFirstCheck.push(t.firstCheck - t.phases.sync)
      r.writes.fixed.push(writes)
    }
    for (let i = 0; i < 3; i++)
      r.writes.no_fix_needed.push((await one(`${GOOD_MATH}// ${i}\n`, 'no_fix_needed'))[1])
    agent.mode = 'break'
    for (let i = 0; i < 3; i++)
      r.writes.failed.push((await one(`${BROKEN_MATH}// ${i}\n`, 'failed'))[1])
    agent.mode = 'fix'
    await one(GOOD_MATH, 'no_fix_needed')
    r.taskFiles = counter.hasTaskFiles
  } finally {
    counter.close()
    await run.stop()
  }
  return r
}

function report(runs: StateRun[], tasks: number): unknown {
  heading(
    'Engine overhead per task, fresh and at full history (goal 3)',
    `${tasks} fixed tasks per state after one warm-up, node:test sample project (${MODULES} ` +
      'copies of its module, saved in turn), instant fake API, ' +
      'flakyReruns 0, maxRetries 1, debounce 0.05 s; full history = 50 completed + 50 failed tasks ' +
      'with bodies, 100 history entries, 200 test results, 31 days of spend, 20 breakers, 500 memos.',
  )
  const row = (name: string, v: number[]) => [name, ms1(pct(v, 50)), ms1(pct(v, 95))]
  const rows: Array<Array<string | number>> = []
  for (const r of runs) {
    rows.push(row(`${r.state}: change queued → task completed (wall)`, r.walls))
    rows.push(row(`${r.state}: check child processes`, r.children))
    rows.push(row(`${r.state}: **engine overhead (wall − children)**`, r.overheads))
    rows.push(row(`${r.state}: task taken → first check spawned`, r.beforeFirstCheck))
  }
  console.log(table(['figure', 'p50', 'p95'], rows))
  for (const r of runs)
    if (r.unexpected.length)
      console.log(`\n${r.state}: unexpected outcomes: ${r.unexpected.join(', ')}`)

  const range = (xs: number[]) => {
    const m = median(xs)
    const lo = Math.min(...xs)
    const hi = Math.max(...xs)
    return lo === hi ? String(m) : `${m} (${lo}–${hi})`
  }
  console.log(
    '\nState writes per task, from the save to the task ended (median (min–max) over the tasks): ' +
      '`state.json` replaced (atomic rename) and changed in place; files in `.fixloop/tasks/` ' +
      'replaced and changed in place (' +
      (runs.some((r) => r.taskFiles)
        ? 'the store keeps task records there'
        : 'no such folder: all in state.json') +
      "); the state file's generation Δ, as a cross-check of the first column.\n",
  )
  const writeRows: Array<Array<string | number>> = []
  for (const r of runs)
    for (const kind of ['fixed', 'no_fix_needed', 'failed'] as const) {
      const w = r.writes[kind]
      if (!w.length) continue
      const gens = w.map((c) => c.generation).filter((g): g is number => g !== null)
      writeRows.push([
        `${r.state}, ${kind} (${w.length})`,
        range(w.map((c) => c.state)),
        range(w.map((c) => c.stateInPlace)),
        range(w.map((c) => c.taskReplaced)),
        range(w.map((c) => c.taskModified)),
        gens.length ? range(gens) : '–',
      ])
    }
  console.log(
    table(
      [
        'task',
        'state.json replaced',
        'state.json in place',
        'tasks/*.json replaced',
        'tasks/*.json in place',
        'generation Δ',
      ],
      writeRows,
    ),
  )
  return runs.map((r) => ({
    state: r.state,
    overheadMs: { p50: pct(r.overheads, 50), p95: pct(r.overheads, 95) },
    wallMs: { p50: pct(r.walls, 50), p95: pct(r.walls, 95) },
    childMs: { p50: pct(r.children, 50) },
    beforeFirstCheckMs: { p50: pct(r.beforeFirstCheck, 50), p95: pct(r.beforeFirstCheck, 95) },
    writes: Object.fromEntries(
      Object.entries(r.writes).map(([k, w]) => [
        k,
        {
          state: median(w.map((c) => c.state)),
          stateInPlace: median(w.map((c) => c.stateInPlace)),
          taskReplaced: median(w.map((c) => c.taskReplaced)),
          taskModified: median(w.map((c) => c.taskModified)),
        },
      ]),
    ),
    unexpected: r.unexpected,
  }))
}
