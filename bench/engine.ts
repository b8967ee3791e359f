/**
 * Engine figures (issues 4 and 5):
 *  - overhead per task: wall time from the change being queued to the task completing, minus the
 *    time the check child processes themselves took, with an instant local fake of the Messages API;
 *  - idle CPU: CPU time the running engine uses over a quiet period with no changes.
 *
 *   node --import tsx bench/engine.ts            (10 tasks, 60 s idle)
 *   FIXLOOP_BENCH_TASKS=20 FIXLOOP_BENCH_IDLE_SECONDS=10 node --import tsx bench/engine.ts
 */
import { loadConfig } from '../src/main/core/config/load-config'
import { Orchestrator } from '../src/main/core/engine/orchestrator'
import type { Task } from '../src/shared/domain'
import { callTools, say, startFakeAnthropic, toolUse } from '../test/support/fake-anthropic'
import { BROKEN_MATH, GOOD_MATH, createSampleProject } from '../test/support/sample-project'

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

  fake.respondWith((req) => {
    const body = req.body as { tools?: { name: string }[]; messages: unknown[] }
    if (body.tools?.some((t) => t.name === 'submit_plan'))
      return callTools(
        toolUse(
          {
            rootCause: 'subtracts',
            files: ['src/math.js'],
            steps: ['+'],
            risk: 'low',
            testsLookWrong: false,
          },
          { name: 'submit_plan' },
        ),
      )
    if (body.messages.length === 1)
      return callTools(
        toolUse({
          command: 'str_replace',
          path: 'src/math.js',
          old_str: 'a - b',
          new_str: 'a + b',
        }),
      )
    return say('Fixed.')
  })

  const overheads: number[] = []
  const walls: number[] = []
  const childTimes: number[] = []
  for (let i = 0; i < TASKS; i++) {
    const created = new Promise<number>((resolve) =>
      engine.once('task_created', () => resolve(performance.now())),
    )
    const done = new Promise<Task>((resolve) => engine.once('task_completed', resolve))
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
    // Put the bug back for the next round without it becoming a task of its own too early.
    await new Promise((r) => setTimeout(r, 150))
  }
  const bodies = fake.messageBodies()
  const bytesPerRequest = fake.messageRequests().map((r) => r.bytes)

  // Idle: no changes for IDLE_SECONDS while watching (heartbeat and health timers running).
  project.write('src/math.js', GOOD_MATH)
  await new Promise((r) => setTimeout(r, 1500))
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000))
  const cpu = process.cpuUsage(cpu0)
  const idleWall = (performance.now() - t0) / 1000
  const idleCpuSeconds = (cpu.user + cpu.system) / 1e6
  const rssMb = process.memoryUsage().rss / 1048576

  await engine.stop()
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
  console.log(
    `\nRequests: ${bodies.length}; request body bytes p50 ${pct(bytesPerRequest, 50)} max ${Math.max(...bytesPerRequest)}`,
  )
  console.log(
    `Idle: ${idleCpuSeconds.toFixed(3)} s CPU over ${idleWall.toFixed(1)} s with no changes; RSS ${rssMb.toFixed(0)} MB`,
  )
  console.log(
    JSON.stringify({
      bench: 'engine',
      tasks: TASKS,
      wallMs: { p50: pct(walls, 50), p95: pct(walls, 95) },
      childMs: { p50: pct(childTimes, 50), p95: pct(childTimes, 95) },
      overheadMs: { p50: pct(overheads, 50), p95: pct(overheads, 95) },
      idle: { seconds: idleWall, cpuSeconds: idleCpuSeconds, rssMb },
    }),
  )
}

await main()
