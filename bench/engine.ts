/**
 * Engine figures (issues 4 and 5):
 *  - overhead per task: wall time from the change being queued to the task completing, minus the
 *    time the check child processes themselves took, with an instant local fake of the Messages API;
 *  - idle CPU: CPU time the running engine uses over a quiet period with no changes.
 *
 *   node --import tsx bench/engine.ts            (10 tasks, 60 s idle)
 *   FIXLOOP_BENCH_TASKS=20 FIXLOOP_BENCH_IDLE_SECONDS=10 node --import tsx bench/engine.ts
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../src/main/core/config/load-config'
import { Orchestrator } from '../src/main/core/engine/orchestrator'
import type { Task } from '../src/shared/domain'
import { startFakeAnthropic } from '../test/support/fake-anthropic'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createSampleProject,
  editReply,
  finishReply,
  planReply,
} from '../test/support/sample-project'

const TASKS = Number(process.env.FIXLOOP_BENCH_TASKS ?? 10)
const IDLE_SECONDS = Number(process.env.FIXLOOP_BENCH_IDLE_SECONDS ?? 60)

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

async function main(): Promise<void> {
  const project = createSampleProject('fixloop-bench-engine-')
  const fake = await startFakeAnthropic()
  project.write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 1, debounceSeconds: 0.05, maxWaitSeconds: 1 }),
  )
  const engine = new Orchestrator({
    config: loadConfig({
      dir: project.root,
      env: { ANTHROPIC_API_KEY: 'sk-ant-bench-0123456789', ANTHROPIC_BASE_URL: fake.baseURL },
    }),
    random: () => 0,
  })
  await engine.start()

  // Isolation's cost before the first check: from the task being taken (phase sync) to the spawn of
  // its first check in the shadow workspace (the lease, the runner rebased, the phase stored).
  const beforeFirstCheck: number[] = []
  let takenAt: number | null = null
  engine.on('task_updated', (t) => {
    if (t.status === 'in_progress' && t.phase === 'sync' && takenAt === null)
      takenAt = performance.now()
  })
  engine.log.subscribe((e) => {
    if (takenAt !== null && e.source === 'checks' && e.message.startsWith('$ ')) {
      beforeFirstCheck.push(performance.now() - takenAt)
      takenAt = null
    }
  })
  const overheads: number[] = []
  const walls: number[] = []
  const childTimes: number[] = []
  for (let i = 0; i < TASKS; i++) {
    const created = new Promise<number>((resolve) =>
      engine.once('task_created', () => resolve(performance.now())),
    )
    const done = new Promise<Task>((resolve) => engine.once('task_completed', resolve))
    // One fix in the agent's protocol: report_plan, the edit, finish.
    fake.enqueue(planReply(), editReply('a - b', 'a + b'), finishReply())
    project.write('src/math.js', `${BROKEN_MATH}${'\n'.repeat(i % 2)}`)
    const start = await created
    const task = await done
    const end = performance.now()
    if (task.outcome !== 'fixed') throw new Error(`task ${i} ended ${task.outcome}`)
    const checks = [...task.detection, ...task.attempts.flatMap((a) => a.checks)]
    const child = checks.reduce((sum, c) => sum + c.durationMs, 0)
    walls.push(end - start)
    childTimes.push(child)
    overheads.push(end - start - child)
    // Past the burst hold (churn.ts: at least 1 s), so the next save is a task of its own.
    await new Promise((r) => setTimeout(r, 1_100))
  }
  const bodies = fake.messageBodies()
  const bytesPerRequest = fake.messageRequests().map((r) => r.bytes)

  await engine.stop()
  project.write('src/math.js', GOOD_MATH)
  const idle = await measureIdle(project.root, IDLE_SECONDS)
  await fake.close()
  project.remove()

  const row = (name: string, v: number[]) =>
    `| ${name} | ${pct(v, 50).toFixed(1)} | ${pct(v, 95).toFixed(1)} |`
  console.log(
    `\nEngine overhead per task (${TASKS} fixed tasks, instant fake API, node test runner)\n`,
  )
  console.log('| figure (ms) | p50 | p95 |\n|---|---:|---:|')
  console.log(row('change queued → task completed (wall)', walls))
  console.log(row('check child processes (detection + verification)', childTimes))
  console.log(row('engine overhead (wall − children)', overheads))
  console.log(row('task taken → first check spawned (shadow lease, phase write)', beforeFirstCheck))
  console.log(
    `\nRequests: ${bodies.length}; request body bytes p50 ${pct(bytesPerRequest, 50)} max ${Math.max(...bytesPerRequest)}`,
  )
  console.log(
    idle
      ? `Idle (a \`fixloop watch\` process, no changes): ${idle.cpuSeconds.toFixed(3)} s CPU over ${idle.seconds} s; RSS ${idle.rssMb.toFixed(0)} MB`
      : 'Idle: not measured (needs /proc)',
  )
  console.log(
    JSON.stringify({
      bench: 'engine',
      tasks: TASKS,
      wallMs: { p50: pct(walls, 50), p95: pct(walls, 95) },
      childMs: { p50: pct(childTimes, 50), p95: pct(childTimes, 95) },
      overheadMs: { p50: pct(overheads, 50), p95: pct(overheads, 95) },
      beforeFirstCheckMs: { p50: pct(beforeFirstCheck, 50), p95: pct(beforeFirstCheck, 95) },
      idle,
    }),
  )
}

await main()

/**
 * CPU time of a real `fixloop watch` process over a quiet period, read from /proc (Linux): the
 * engine's own idle cost, without this benchmark's process in the figure.
 */
async function measureIdle(
  root: string,
  seconds: number,
): Promise<{ seconds: number; cpuSeconds: number; rssMb: number } | null> {
  if (!existsSync('/proc/self/stat')) return null
  const bin = join(import.meta.dirname, '..', 'bin', 'fixloop.js')
  const child = spawn(process.execPath, [bin, 'watch', root, '--json'], {
    env: { ...process.env, ANTHROPIC_API_KEY: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`fixloop watch exited (${code}); run npm run build`)),
    )
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('"type":"ready"')) resolve()
    })
  })
  await new Promise((r) => setTimeout(r, 3000)) // start-up work (health check, model check) settles
  const ticks = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(fields[11]) + Number(fields[12]) // utime + stime, in clock ticks
  }
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024
  const hz = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  const before = ticks()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const cpuSeconds = (ticks() - before) / hz
  const rssMb = rss()
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  return { seconds, cpuSeconds, rssMb }
}
