/**
 * State benchmark: measures (does not assert) what each kind of state write costs at the largest
 * size the limits allow — 50 completed and 50 failed tasks with realistic bodies (detection run, attempts
 * with checks, output tails and edit diffs, plan, diff, escalations), 100 history entries, 200 test
 * results, 31 days of spend — and the file size, plus each stage of a write on its own.
 *
 *   node --import tsx bench/state.ts            # 200 writes (well under a minute)
 *   node --import tsx bench/state.ts --writes=1000
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { checkInvariants, complete, enqueue, takeNext, updateTask } from '../src/main/core/queue'
import { StateFile, StateStore } from '../src/main/core/state'
import { writeFileAtomic } from '../src/main/core/state/atomic-write'
import { deepFreeze } from '../src/main/core/state/deep-freeze'
import { fillFullHistory, taskBody } from './speed-state'

const writesArg = process.argv.find((a) => a.startsWith('--writes='))
const WRITES = writesArg ? Number(writesArg.split('=')[1]) : 200
/** The check runner keeps up to 64 KiB of output per check (DEFAULT_MAX_OUTPUT_BYTES). */

const rows: Array<{ name: string; p50: number; p95: number; max: number; unit: string }> = []
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? 0
const round = (x: number) => Math.round(x * 100) / 100
function record(name: string, samples: number[], unit = 'ms') {
  rows.push({
    name,
    p50: round(pct(samples, 0.5)),
    p95: round(pct(samples, 0.95)),
    max: round(Math.max(...samples)),
    unit,
  })
}
function sample(n: number, fn: () => void): number[] {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    fn()
    out.push(performance.now() - t)
  }
  return out
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-bench-state-'))
  const store = await StateStore.open({ projectRoot: dir })
  let unclippedBytes = 0
  await store.update((d) => {
    fillFullHistory(d, store.queueContext(d))
    unclippedBytes = Buffer.byteLength(JSON.stringify(d))
  })

  const file = store.paths.stateFile
  const bytes = (await stat(file)).size
  const state = store.state
  const check1 = checkInvariants(state.queues)
  if (check1.length) throw new Error(check1.join('\n'))

  // A task in progress, with its detection output, for the record-only writes below.
  await store.update((d) => {
    const ctx = store.queueContext(d)
    const { task } = enqueue(d.queues, { files: ['src/running.ts'], kind: 'file_change' }, ctx)
    takeNext(d.queues, ctx)
    updateTask(d.queues, task.id, taskBody(false), ctx)
  })
  const kinds: Record<string, number> = {}
  store.on('written', (w) => {
    const kind = w.inPlace ? 'in place' : w.stateFile ? 'state.json' : 'task files only'
    kinds[kind] = (kinds[kind] ?? 0) + 1
  })
  const timed = async (name: string, mutator: (d: StateFile, i: number) => void) => {
    const samples: number[] = []
    for (let i = 0; i < WRITES; i++) {
      const t = performance.now()
      await store.update((d) => mutator(d, i))
      samples.push(performance.now() - t)
    }
    record(name, samples)
  }
  // The write path end to end, as the orchestrator sees it, for each kind of change.
  const later = (i: number) => new Date(Date.now() + (i + 1) * 1000).toISOString()
  await timed('heartbeat (in place)', (d, i) => {
    d.processes.orchestrator.last_heartbeat = later(i)
  })
  await timed('running task: phase and record (its file only)', (d, i) => {
    const t = d.queues.in_progress[0]!
    t.phase = i % 2 ? 'fix' : 'verify'
    t.updatedAt = later(i)
  })
  await timed('a summary field (state.json rewritten)', (d) => void d.seq++)
  await timed('history only (rides on the next write)', (d, i) => {
    d.conversation_history.push({ timestamp: new Date().toISOString(), type: 'note', n: i })
  })
  await timed('a task finished (state.json and its file)', (d) => {
    const ctx = store.queueContext(d)
    const running = d.queues.in_progress[0]!
    complete(d.queues, running.id, { outcome: 'fixed' }, ctx)
    const { task } = enqueue(d.queues, { files: ['src/running.ts'], kind: 'file_change' }, ctx)
    takeNext(d.queues, ctx)
    updateTask(d.queues, task.id, taskBody(false), ctx)
  })

  // What the old write path did on every write, on its own, for contrast.
  const n = Math.min(WRITES, 100)
  const draft = structuredClone(state) as StateFile
  record(
    '  (before) structuredClone of the whole state',
    sample(n, () => structuredClone(state)),
  )
  record(
    '  (before) StateFile.safeParse of the whole state',
    sample(n, () => StateFile.safeParse(draft)),
  )
  record(
    '  (before) JSON.stringify of the whole state',
    sample(n, () => JSON.stringify(draft)),
  )
  record(
    '  (before) deepFreeze of a whole copy',
    sample(n, () => deepFreeze(structuredClone(state))),
  )
  record(
    '  checkInvariants, every task parsed',
    sample(n, () => checkInvariants(draft.queues)),
  )
  record(
    '  checkInvariants, no task parsed (as on a write that changed none)',
    sample(n, () => checkInvariants(draft.queues, { parse: () => false })),
  )
  const json = JSON.stringify(draft)
  const atomic: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await writeFileAtomic(join(dir, 'probe.json'), json)
    atomic.push(performance.now() - t)
  }
  record('  writeFileAtomic of the whole state (tmp+fsync+rename+dir fsync)', atomic)
  console.log(`writes by kind: ${JSON.stringify(kinds)}`)
  const taskFiles = await readdir(join(dir, '.fixloop', 'tasks'))
  let taskBytes = 0
  for (const name of taskFiles) taskBytes += (await stat(join(dir, '.fixloop', 'tasks', name))).size
  console.log(
    `state.json at max size: ${((await stat(file)).size / 1024).toFixed(0)} KiB; ${taskFiles.length} task files, ${(taskBytes / 1024).toFixed(0)} KiB in all`,
  )

  // For contrast: the same write on a state with nothing in it.
  const emptyDir = await mkdtemp(join(tmpdir(), 'fixloop-bench-state-'))
  const empty = await StateStore.open({ projectRoot: emptyDir })
  const small: number[] = []
  for (let i = 0; i < WRITES; i++) {
    const t = performance.now()
    await empty.update((d) => void d.seq++)
    small.push(performance.now() - t)
  }
  record('a summary field on an empty state (end to end)', small)
  await empty.close()
  await rm(emptyDir, { recursive: true, force: true })

  const open: number[] = []
  await store.close()
  for (let i = 0; i < 10; i++) {
    const t = performance.now()
    const s = await StateStore.open({ projectRoot: dir })
    open.push(performance.now() - t)
    await s.close()
  }
  record('open() at max size (lock, load, validate, write)', open)
  await rm(dir, { recursive: true, force: true })

  const width = Math.max(...rows.map((r) => r.name.length))
  console.log(
    `${'stage'.padEnd(width)}  ${'p50'.padStart(8)}  ${'p95'.padStart(8)}  ${'max'.padStart(8)}`,
  )
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(width)}  ${r.p50.toFixed(2).padStart(8)}  ${r.p95.toFixed(2).padStart(8)}  ${r.max.toFixed(2).padStart(8)}  ${r.unit}`,
    )
  }
  console.log(
    `state file at max size: ${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes); unclipped output tails would make it ${(unclippedBytes / 1024 / 1024).toFixed(1)} MiB`,
  )
  console.log(
    JSON.stringify({ bench: 'state', writes: WRITES, fileBytes: bytes, unclippedBytes, rows }),
  )
}

await main()
