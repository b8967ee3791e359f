/**
 * `fixloop demo`: the whole loop, offline, on a bundled sample project — real watcher, real checks,
 * real SDK, real sandboxed editor — with Claude's side replayed from a recorded transcript.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Task } from '../../../shared/domain'
import { loadConfig } from '../../core/config/load-config'
import { Orchestrator } from '../../core/engine/orchestrator'
import { formatSummary } from '../../core/engine/session-stats'
import { parse } from '../args'
import { EXIT } from '../exit-codes'
import type { CliIo } from '../output'
import { logLine, palette } from '../output'
import { startReplayServer } from './replay-server'
import { BROKEN_LINE, GOOD_LINE, SAMPLE_FILES } from './sample'
import { DEMO_TRANSCRIPT } from './transcript'

export const DEMO_HELP = `Usage: fixloop demo [--keep]

Runs Fixloop's whole loop offline on a small sample project: a change breaks a function, the related
test fails, a plan is made, the code is edited through the sandboxed editor and the checks pass again.
Claude's answers are a REPLAY of a recorded transcript served from 127.0.0.1: no API key is used and
nothing leaves this machine. Everything else (watcher, test runs, edits, state) is the real engine.

Options:
  --keep       keep the sample project folder afterwards (its path is printed)
  -h, --help   this help
`

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout(DEMO_HELP)
    return EXIT.ok
  }
  const p = palette(io)
  const root = mkdtempSync(join(tmpdir(), 'fixloop-demo-'))
  for (const [path, content] of Object.entries(SAMPLE_FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  writeFileSync(
    join(root, 'fixloop.config.json'),
    `${JSON.stringify({ flakyReruns: 1, maxRetries: 2, maxWaitSeconds: 2 }, null, 2)}\n`,
  )
  const replay = await startReplayServer(DEMO_TRANSCRIPT, 'claude-sonnet-5-5')
  io.stdout(
    `${p.bold('Fixloop demo')} — ${p.yellow('a replay')}: Claude's answers come from a recorded transcript\n` +
      `served on ${replay.baseURL}; no API key is used and nothing leaves this machine.\n` +
      `Sample project: ${root}\n\n`,
  )

  const config = loadConfig({
    dir: root,
    env: {
      ANTHROPIC_API_KEY: 'demo-replay-no-real-key',
      ANTHROPIC_BASE_URL: replay.baseURL,
      FILE_WATCH_DEBOUNCE_SECONDS: '0.3',
    },
  })
  const engine = new Orchestrator({ config, random: () => 0 })
  engine.log.subscribe((e) => {
    if (e.level !== 'debug') io.stdout(logLine(e, p))
  })
  let task: Task | null = null
  try {
    await engine.start()
    const finished = new Promise<Task>((resolve) => {
      engine.on('task_completed', resolve)
      engine.on('task_failed', resolve)
    })
    io.stdout(p.dim(`\nA developer saves src/cart.js, forgetting the quantity:\n`))
    io.stdout(`${p.red(`-${GOOD_LINE}`)}\n${p.green(`+${BROKEN_LINE}`)}\n\n`)
    const cart = join(root, 'src/cart.js')
    writeFileSync(cart, readFileSync(cart, 'utf8').replace(GOOD_LINE, BROKEN_LINE))
    task = await withTimeout(finished, 120_000)
  } finally {
    const stats = await engine.stop()
    await replay.close()
    if (task) report(task, io, p)
    io.stdout(`\n${formatSummary(stats)}\n`)
    io.stdout(p.dim('(Costs above are what these replayed answers would have cost.)\n'))
    if (values.keep) io.stdout(`\nKept the sample project at ${root}\n`)
    else rmSync(root, { recursive: true, force: true })
  }
  return task?.outcome === 'fixed' ? EXIT.ok : EXIT.failed
}

function report(task: Task, io: CliIo, p: ReturnType<typeof palette>): void {
  io.stdout(
    `\n${p.bold('Result:')} ${task.outcome === 'fixed' ? p.green('fixed') : p.red(task.outcome ?? task.status)}\n`,
  )
  if (task.plan) {
    io.stdout(`${p.bold('Plan:')} ${task.plan.rootCause}\n`)
    for (const step of task.plan.steps) io.stdout(`  • ${step}\n`)
  }
  if (task.diff) {
    io.stdout(`${p.bold('Edit:')}\n`)
    for (const line of task.diff.split('\n').filter(Boolean))
      io.stdout(
        `  ${line.startsWith('+') && !line.startsWith('+++') ? p.green(line) : line.startsWith('-') && !line.startsWith('---') ? p.red(line) : p.dim(line)}\n`,
      )
  }
  const checks = task.attempts.at(-1)?.checks ?? []
  if (checks.length) {
    io.stdout(`${p.bold('Checks after the fix:')}\n`)
    for (const c of checks)
      io.stdout(
        `  ${c.passed ? p.green('✓') : p.red('✗')} ${c.name} (${(c.durationMs / 1000).toFixed(1)} s)\n`,
      )
  }
  if (task.failureReason) io.stdout(`${p.red(task.failureReason)}\n`)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`the demo did not finish within ${ms / 1000} s`)),
      ms,
    )
    t.unref()
    promise.then(
      (v) => {
        clearTimeout(t)
        resolve(v)
      },
      (e: unknown) => {
        clearTimeout(t)
        reject(e instanceof Error ? e : new Error(String(e)))
      },
    )
  })
}
