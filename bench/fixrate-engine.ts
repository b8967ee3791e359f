/**
 * One fixture through the real engine, headless, as bench/engine.ts drives it: a temp copy of the
 * correct project (committed to git), Fixloop started on it, the bug written while it watches, and
 * the task that change starts awaited until it settles. Then the project's tests are run in the
 * user's tree, to see that what was applied really fixes it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/main/core/config/load-config'
import { Orchestrator } from '../src/main/core/engine/orchestrator'
import type { Task } from '../src/shared/domain'
import type { FakeAnthropic } from '../test/support/fake-anthropic'
import type { Fixture } from './fixrate-fixtures'
import { commitBase, copyProject, injectBug, runTests } from './fixrate-project'
import { newTally, replayHandler } from './fixrate-replay'

export interface FixtureRun {
  fixture: string
  /** The task's outcome, or `timeout` / `no task` / `error`. */
  outcome: string
  /** The task ended fixed and the project's tests pass in the user's tree after apply. */
  fixed: boolean
  attempts: number
  requests: number
  /** input + cache_creation + cache_read */
  inputTokens: number
  uncachedInputTokens: number
  outputTokens: number
  costUsd: number
  /** From writing the bug to the task settling. */
  wallMs: number
  /** Replay only: requests after the transcript's end, and older-planner requests answered. */
  pastEnd: number
  legacyPlans: number
  note: string
}

export interface RunOptions {
  /** The fake API to replay through; null uses the real API with ANTHROPIC_API_KEY. */
  api: FakeAnthropic | null
  timeoutMs: number
  /** Prints the engine's log lines. */
  verbose: boolean
}

/** What the bench sets in fixloop.config.json: one deterministic bug, so no flaky re-runs. */
const PROJECT_CONFIG = {
  flakyReruns: 0,
  maxRetries: 3,
  debounceSeconds: 0.05,
  maxWaitSeconds: 1,
}

/** The first task that is about `file`, once it is completed or failed (null on timeout). */
function settle(engine: Orchestrator, file: string, timeoutMs: number) {
  let latest: Task | null = null
  const done = new Promise<Task | null>((resolve) => {
    const seen = (t: Task) => {
      if (t.files.includes(file)) latest = t
    }
    const ended = (t: Task) => {
      if (!t.files.includes(file)) return
      finish()
      resolve(t)
    }
    const timer = setTimeout(() => {
      finish()
      resolve(null)
    }, timeoutMs)
    const finish = () => {
      clearTimeout(timer)
      engine.off('task_created', seen).off('task_updated', seen)
      engine.off('task_completed', ended).off('task_failed', ended)
    }
    engine.on('task_created', seen).on('task_updated', seen)
    engine.on('task_completed', ended).on('task_failed', ended)
  })
  return { done, latest: () => latest }
}

export async function runFixture(fixture: Fixture, options: RunOptions): Promise<FixtureRun> {
  const base = mkdtempSync(join(tmpdir(), `fixloop-fixrate-${fixture.name}-`))
  const root = join(base, 'project')
  const tally = newTally()
  const run: FixtureRun = {
    fixture: fixture.name,
    outcome: 'error',
    fixed: false,
    attempts: 0,
    requests: 0,
    inputTokens: 0,
    uncachedInputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    wallMs: 0,
    pastEnd: 0,
    legacyPlans: 0,
    note: '',
  }
  let engine: Orchestrator | null = null
  try {
    copyProject(fixture.projectDir, root)
    writeFileSync(join(root, 'fixloop.config.json'), JSON.stringify(PROJECT_CONFIG, null, 2))
    if (!commitBase(root)) run.note = 'no git (no diff for Claude); '
    mkdirSync(join(base, 'cache'))
    const env = options.api
      ? { ANTHROPIC_API_KEY: 'sk-ant-bench-0123456789', ANTHROPIC_BASE_URL: options.api.baseURL }
      : process.env
    options.api?.respondWith(replayHandler(fixture.turns, tally))
    engine = new Orchestrator({
      config: loadConfig({ dir: root, env }),
      random: () => 0,
      cacheDir: join(base, 'cache'),
      shutdownTimeoutMs: 2000,
    })
    const problems: string[] = []
    engine.log.subscribe((e) => {
      if (options.verbose) console.log(`  [${e.level} ${e.source ?? '-'}] ${e.message}`)
      if (e.level === 'error' || e.level === 'warn') problems.push(e.message.split('\n')[0]!)
    })
    await engine.start()
    const task = settle(engine, fixture.bug.file, options.timeoutMs)
    const started = performance.now()
    injectBug(root, fixture.bug)
    const ended = await task.done
    run.wallMs = performance.now() - started
    await engine.stop()
    engine = null

    const t = ended ?? task.latest()
    run.outcome = ended ? (ended.outcome ?? ended.status) : t ? `timeout (${t.phase})` : 'no task'
    if (t) {
      const u = t.usage
      run.attempts = t.attempts.length
      run.requests = u.requests
      run.uncachedInputTokens = u.inputTokens + u.cacheCreationInputTokens
      run.inputTokens = u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens
      run.outputTokens = u.outputTokens
      run.costUsd = u.costUsd
    }
    const tree = runTests(root)
    run.fixed = ended?.outcome === 'fixed' && tree.passed
    if (ended?.outcome === 'fixed' && !tree.passed) run.note += 'fixed, but red in the tree; '
    if (t?.failureReason) run.note += `${t.failureReason.split('\n')[0]}; `
    else if (!run.fixed && problems.length) run.note += `${problems[0]}; `
  } catch (error) {
    run.note += `${(error as Error).message.split('\n')[0]}; `
  } finally {
    await engine?.stop().catch(() => undefined)
    rmSync(base, { recursive: true, force: true })
  }
  run.pastEnd = tally.pastEnd
  run.legacyPlans = tally.legacyPlans
  run.note = run.note.replace(/; $/, '')
  return run
}
