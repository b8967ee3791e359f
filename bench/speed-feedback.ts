/**
 * Goal 1: save → related-check result on a small vitest project, Fixloop against `vitest --watch`.
 *
 * Two copies of the same project (same files, same change), one watched by each tool, so neither
 * sees the other's saves and both stay warm, as they would in use. Auto-fix is off, so red stays red
 * and Fixloop's task ends at detection, as vitest's run does. Fixloop's time is save → the task's
 * detection result (see speed-engine.ts); vitest's is save → its run ended. Each change is saved to
 * both copies, one tool after the other, each waiting for its result; which goes first alternates.
 *
 * - isolated saves: a red change (add() subtracts) and a green one (put back), going round the two
 *   alike modules of the project (red math.js, red math2.js, green math.js, green math2.js, …) so a
 *   file is never saved within Fixloop's burst hold of its last save (engine/churn.ts: such a save
 *   is held as part of a burst; the bench waits, should it need to);
 * - edit loop: red, then the green save 0.3 s after the red result, as when a mistake is put right
 *   at once; this is where a burst hold shows.
 *
 * Two series: Fixloop with its default settings, and with FILE_WATCH_DEBOUNCE_SECONDS=0.3, each
 * paired with its own vitest saves.
 */
import { startFakeAnthropic } from '../test/support/fake-anthropic'
import { TaskFollower, sleep, startEngine } from './speed-engine'
import type { EngineRun, TaskTimes } from './speed-engine'
import {
  BROKEN_MATH,
  GOOD_MATH,
  VITEST_MODULES,
  copyProject,
  createVitestProject,
  writeConfig,
} from './speed-projects'
import type { BenchProject } from './speed-projects'
import { heading, median, ms, spread, table } from './speed-report'
import { VitestWatch } from './speed-vitest'
import type { VitestResult } from './speed-vitest'

/** The edit loop's pause between the red result and the green save. */
const LOOP_GAP_MS = 300

type Case = 'red' | 'green' | 'green in the edit loop'
const CASES: Case[] = ['red', 'green', 'green in the edit loop']

interface Series {
  label: string
  fixloop: Record<Case, TaskTimes[]>
  vitest: Record<Case, VitestResult[]>
  wrongVerdicts: number
  fromLog: number
}

interface Tools {
  follower: TaskFollower
  fixloopProject: BenchProject
  vitest: VitestWatch
  vitestProject: BenchProject
}

export async function feedbackBench(pairs: number, loopPairs: number): Promise<unknown> {
  const fake = await startFakeAnthropic()
  const fixloopProject = createVitestProject('fixloop-bench-speed-fb-fixloop-')
  writeConfig(fixloopProject, { autoFix: false })
  const vitestProject = copyProject(fixloopProject, 'fixloop-bench-speed-fb-vitest-')
  const vitest = await VitestWatch.start(vitestProject)
  const variants: Array<{ label: string; env: Record<string, string> }> = [
    { label: 'Fixloop, default settings', env: {} },
    {
      label: 'Fixloop, FILE_WATCH_DEBOUNCE_SECONDS=0.3',
      env: { FILE_WATCH_DEBOUNCE_SECONDS: '0.3' },
    },
  ]
  const all: Series[] = []
  let describe = ''
  try {
    for (const variant of variants) {
      const run: EngineRun = await startEngine(fixloopProject, {
        baseURL: fake.baseURL,
        env: variant.env,
      })
      try {
        describe ||= await run.describe()
        const tools = {
          follower: new TaskFollower(run.engine),
          fixloopProject,
          vitest,
          vitestProject,
        }
        all.push(await runSeries(variant.label, tools, pairs, loopPairs))
      } finally {
        await run.stop()
      }
    }
  } finally {
    await vitest.stop()
    await fake.close()
    fixloopProject.remove()
    vitestProject.remove()
  }
  return report(all, pairs, loopPairs, describe)
}

async function runSeries(
  label: string,
  tools: Tools,
  pairs: number,
  loopPairs: number,
): Promise<Series> {
  const { follower, fixloopProject, vitest, vitestProject } = tools
  const s: Series = {
    label,
    fixloop: { red: [], green: [], 'green in the edit loop': [] },
    vitest: { red: [], green: [], 'green in the edit loop': [] },
    wrongVerdicts: 0,
    fromLog: 0,
  }
  const fixloopSave = async (path: string, content: string, isolated: boolean) => {
    if (isolated) await follower.quiet(path)
    const t = follower.save(fixloopProject, path, content)
    await follower.until(t, (x) => x.detected !== null && x.ended !== null)
    return t
  }
  // vitest holds nothing back: a save after its last run ended is a single save already.
  const vitestSave = (path: string, content: string) => vitest.save(vitestProject, path, content)
  const record = async (kase: Case, path: string, content: string, vitestFirst: boolean) => {
    const colour = kase === 'red' ? 'red' : 'green'
    const steps = [
      async () => {
        const t = await fixloopSave(path, content, kase !== 'green in the edit loop')
        s.fixloop[kase].push(t)
        if (t.detected?.verdict !== colour) s.wrongVerdicts++
        if (t.detected?.from === 'log') s.fromLog++
      },
      async () => {
        const r = await vitestSave(path, content)
        s.vitest[kase].push(r)
        if ((r.reason === 'passed') !== (colour === 'green')) s.wrongVerdicts++
      },
    ]
    for (const step of vitestFirst ? steps.reverse() : steps) await step()
  }

  // A warm-up round, not counted: the first vitest start in the shadow transforms everything.
  for (const path of VITEST_MODULES)
    for (const content of [BROKEN_MATH, GOOD_MATH]) {
      await fixloopSave(path, content, true)
      await vitestSave(path, content)
    }
  // Rounds of four: red A, red B, green A, green B; each file saved every second step.
  for (let k = 0; k < 4 * Math.ceil(pairs / 2); k++) {
    const red = k % 4 < 2
    const path = VITEST_MODULES[k % 2] as string
    await record(red ? 'red' : 'green', path, red ? BROKEN_MATH : GOOD_MATH, (k >> 2) % 2 === 1)
  }
  for (let i = 0; i < loopPairs; i++) {
    const path = VITEST_MODULES[i % 2] as string
    const order = [
      async () => {
        await fixloopSave(path, BROKEN_MATH, true)
        await sleep(LOOP_GAP_MS)
        const t = await fixloopSave(path, GOOD_MATH, false)
        s.fixloop['green in the edit loop'].push(t)
        if (t.detected?.verdict !== 'green') s.wrongVerdicts++
      },
      async () => {
        await vitestSave(path, BROKEN_MATH)
        await sleep(LOOP_GAP_MS)
        const r = await vitestSave(path, GOOD_MATH)
        s.vitest['green in the edit loop'].push(r)
        if (r.reason !== 'passed') s.wrongVerdicts++
      },
    ]
    for (const step of i % 2 ? order.reverse() : order) await step()
  }
  return s
}

function report(all: Series[], pairs: number, loopPairs: number, describe: string): unknown {
  const samples = 2 * Math.ceil(pairs / 2)
  heading(
    'Save → related-check result, vitest project (goal 1)',
    `Per series ${samples} isolated red and ${samples} isolated green saves, going round two ` +
      `alike modules, and ${loopPairs} edit loops (green saved ${LOOP_GAP_MS / 1000} s after the ` +
      'red result); each change saved to both tools, which goes first alternating; two copies of ' +
      `one small project, one per tool; Fixloop auto-fix off; ${describe}. Median (min–max).`,
  )
  const rows: Array<Array<string | number>> = []
  const json = []
  for (const s of all) {
    for (const kase of CASES) {
      const ts = s.fixloop[kase]
      const f = ts.map((t) => (t.detected?.at ?? NaN) - t.saved)
      const queued = ts.map((t) => (t.created ?? NaN) - t.saved)
      const v = s.vitest[kase].map((r) => r.ms)
      const pairRatios = f.map((x, i) => x / (v[i] ?? NaN))
      rows.push([
        `${s.label}, ${kase}`,
        spread(f),
        ms(median(queued)),
        spread(v),
        ms(median(s.vitest[kase].map((r) => r.rerunMs ?? NaN))),
        `${(median(f) / median(v)).toFixed(1)}× (pairs ${median(pairRatios).toFixed(1)}×)`,
      ])
      json.push({
        series: s.label,
        case: kase,
        fixloopMs: median(f),
        fixloopQueuedMs: median(queued),
        vitestMs: median(v),
        ratio: median(f) / median(v),
        pairRatio: median(pairRatios),
      })
    }
    if (s.wrongVerdicts || s.fromLog)
      console.log(
        `${s.label}: ${s.wrongVerdicts} result(s) of the wrong colour; ${s.fromLog} timed from the log line\n`,
      )
  }
  console.log(
    table(
      [
        'series, change',
        'Fixloop save → result',
        'of which save → queued',
        '`vitest --watch` save → result',
        'vitest save → rerun start',
        'ratio (of medians; median of pair ratios)',
      ],
      rows,
    ),
  )
  return json
}
