/**
 * The state on disk in two parts: `state.json` with task summaries, each task's bulky record in
 * `tasks/<id>.json`; and writes that cost what changed (nothing, a task file, the heartbeat in
 * place, or `state.json`).
 */
import { mkdtemp, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { CheckResult } from '../../../src/shared/domain'
import { complete, enqueue, takeNext } from '../../../src/main/core/queue'
import { StateStore, readStateFiles } from '../../../src/main/core/state'
import type { StateEvents } from '../../../src/main/core/state'

const dirs: string[] = []
const stores: StateStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function opened(dir?: string) {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'fixloop-records-')))
  if (!dir) dirs.push(root)
  const events: { name: string; payload: unknown }[] = []
  const store = await StateStore.open({
    projectRoot: root,
    onEvent: (name, payload) => events.push({ name, payload }),
  })
  stores.push(store)
  const written = () =>
    events.filter((e) => e.name === 'written').map((e) => e.payload as StateEvents['written'])
  return { root, store, events, written }
}

const stateFile = (root: string) => join(root, '.fixloop', 'state.json')
const taskFile = (root: string, id: string) => join(root, '.fixloop', 'tasks', `${id}.json`)
const raw = async (root: string) => JSON.parse(await readFile(stateFile(root), 'utf8'))

const check = (output: string): CheckResult => ({
  name: 'related',
  command: ['node', '--test'],
  exitCode: 1,
  passed: false,
  durationMs: 120,
  output,
  failures: [{ name: 'adds', file: 'test/a.test.js', message: 'expected 3 to be 4' }],
  timedOut: false,
  signal: null,
})

async function runningTask(store: StateStore) {
  return store.update((d) => {
    const ctx = store.queueContext(d)
    const { task } = enqueue(d.queues, { files: ['src/a.js'], kind: 'file_change' }, ctx)
    takeNext(d.queues, ctx)
    return task.id
  })
}

describe('task records on disk', () => {
  it('keeps a running task as a stub in state.json and its record in its own file', async () => {
    const { root, store } = await opened()
    const id = await runningTask(store)
    await store.update((d) => {
      const t = d.queues.in_progress[0]!
      t.detection.push(check('FAIL adds\n'.repeat(50)))
      t.phase = 'fix'
    })
    const summary = (await raw(root)).queues.in_progress[0]
    expect(summary.id).toBe(id)
    expect(summary).not.toHaveProperty('detection')
    expect(summary).not.toHaveProperty('attempts')
    const record = JSON.parse(await readFile(taskFile(root, id), 'utf8'))
    expect(record.detection[0].output).toContain('FAIL adds')
    expect(record.phase).toBe('fix')
    // Read back whole: the summary and the record, the record's newer phase winning.
    const back = await readStateFiles(stateFile(root))
    expect(back.queues.in_progress[0]!.detection).toEqual(
      store.state.queues.in_progress[0]!.detection,
    )
    expect(back.queues.in_progress[0]!.phase).toBe('fix')
  })

  it('writes only the task file when only a running task’s record or phase changed', async () => {
    const { root, store, written } = await opened()
    await runningTask(store)
    const before = await readFile(stateFile(root), 'utf8')
    const generation = store.state.generation
    const count = written().length
    await store.update((d) => {
      d.queues.in_progress[0]!.phase = 'detect'
      d.queues.in_progress[0]!.detection.push(check('red'))
    })
    await store.update((d) => void (d.queues.in_progress[0]!.phase = 'fix'))
    expect(await readFile(stateFile(root), 'utf8')).toBe(before)
    expect(store.state.generation).toBe(generation)
    expect(written().slice(count)).toMatchObject([
      { stateFile: false, taskFiles: 1 },
      { stateFile: false, taskFiles: 1 },
    ])
  })

  it('writes nothing for an update that changes nothing', async () => {
    const { root, store, written } = await opened()
    const before = await stat(stateFile(root))
    const count = written().length
    await store.update((d) => d.queues.pending.length)
    await store.update((d) => void (d.seq = d.seq + 0))
    expect(written().length).toBe(count)
    expect((await stat(stateFile(root))).mtimeMs).toBe(before.mtimeMs)
  })

  it('moves the heartbeat in place, and a reader sees it', async () => {
    const { root, store, written } = await opened()
    const before = await readFile(stateFile(root), 'utf8')
    const at = '2031-01-02T03:04:05.678Z'
    await store.update((d) => void (d.processes.orchestrator.last_heartbeat = at))
    const after = await readFile(stateFile(root), 'utf8')
    expect(after.length).toBe(before.length)
    expect(after).toBe(before.replace(/"last_heartbeat":"[^"]+"/, `"last_heartbeat":"${at}"`))
    expect(written().at(-1)).toMatchObject({ inPlace: true, stateFile: false })
    const peeked = await StateStore.peek(root)
    expect(peeked.state?.processes.orchestrator.last_heartbeat).toBe(at)
    // The next full write carries it too.
    await store.update((d) => void d.seq++)
    expect((await raw(root)).processes.orchestrator.last_heartbeat).toBe(at)
  })

  it('lets a change to history or counters alone ride on the next write, or reach the disk within a second', async () => {
    const { root, store, written } = await opened()
    const count = written().length
    await store.update((d) => {
      d.conversation_history.push({ timestamp: '2030-01-01T00:00:00.000Z', type: 'note' })
      d.stats.processed++
    })
    expect(store.state.conversation_history.at(-1)?.type).toBe('note')
    expect((await raw(root)).conversation_history).toEqual([])
    // With the next write that must happen…
    await store.update((d) => void d.seq++)
    expect((await raw(root)).conversation_history.map((e: { type: string }) => e.type)).toEqual([
      'note',
    ])
    // …or on its own, soon.
    await store.update((d) => void (d.stats.flaky = 3))
    await expect.poll(async () => (await raw(root)).stats.flaky, { timeout: 3_000 }).toBe(3)
    expect(
      written()
        .slice(count)
        .filter((w) => w.stateFile),
    ).toHaveLength(2)
  })

  it('renders state.json exactly as JSON.stringify would, across cached and changed parts', async () => {
    const { root, store } = await opened()
    for (let i = 0; i < 3; i++) {
      await store.update((d) => {
        const ctx = store.queueContext(d)
        enqueue(d.queues, { files: [`src/${i}.js`], kind: 'file_change' }, ctx)
        d.conversation_history.push({ timestamp: ctx.now, type: 'step', n: i })
      })
    }
    await runningTask(store)
    const text = await readFile(stateFile(root), 'utf8')
    expect(text).toBe(JSON.stringify(JSON.parse(text)) + '\n')
    const whole = await readStateFiles(stateFile(root))
    expect(whole).toEqual(JSON.parse(JSON.stringify(store.state)))
  })

  it('keeps a task whose record file is gone, says so, and reads the others whole', async () => {
    const { root, store } = await opened()
    const first = await runningTask(store)
    await store.update((d) => {
      const ctx = store.queueContext(d)
      d.queues.in_progress[0]!.detection.push(check('first'))
      complete(d.queues, first, { outcome: 'no_fix_needed' }, ctx)
    })
    const second = await runningTask(store)
    await store.update((d) => void d.queues.in_progress[0]!.detection.push(check('second')))
    await store.close()
    await unlink(taskFile(root, first))

    const { store: again, events } = await opened(root)
    const lost = events.find((e) => e.name === 'records-lost')
      ?.payload as StateEvents['records-lost']
    expect(lost.ids).toEqual([first])
    const kept = again.state.queues.completed.find((t) => t.id === first)!
    expect(kept.detection).toEqual([])
    expect(kept.outcome).toBe('no_fix_needed')
    const other = again.state.queues.pending.find((t) => t.id === second)!
    expect(other.detection[0]!.output).toBe('second')
  })

  it('salvages a record file field by field: one bad field costs that field', async () => {
    const { root, store } = await opened()
    const id = await runningTask(store)
    await store.update((d) => void d.queues.in_progress[0]!.detection.push(check('kept')))
    await store.close()
    const record = JSON.parse(await readFile(taskFile(root, id), 'utf8'))
    await writeFile(taskFile(root, id), JSON.stringify({ ...record, phase: 'warp' }))

    const { store: again, events } = await opened(root)
    const task = again.state.queues.pending.find((t) => t.id === id)!
    expect(task.phase).toBeNull()
    expect(task.detection[0]!.output).toBe('kept')
    const corrupt = events.find((e) => e.name === 'corrupt')?.payload as StateEvents['corrupt']
    expect(corrupt.salvaged?.repaired.join()).toMatch(/phase "warp" → null/)
  })

  it('moves the records of a state written all in one file into task files on the first write', async () => {
    const { root, store } = await opened()
    const id = await runningTask(store)
    await store.update((d) => void d.queues.in_progress[0]!.detection.push(check('inline')))
    await store.close()
    // The older form: the whole task inline in state.json, no task files.
    const whole = await readStateFiles(stateFile(root))
    await writeFile(stateFile(root), JSON.stringify(whole))
    await rm(join(root, '.fixloop', 'tasks'), { recursive: true })

    const { store: again } = await opened(root)
    const task = again.state.queues.pending.find((t) => t.id === id)!
    expect(task.detection[0]!.output).toBe('inline')
    expect((await raw(root)).queues.pending[0]).not.toHaveProperty('detection')
    expect(JSON.parse(await readFile(taskFile(root, id), 'utf8')).detection[0].output).toBe(
      'inline',
    )
  })

  it('removes the files of tasks that left the state, and stray ones at open', async () => {
    const { root, store } = await opened()
    const ids: string[] = []
    for (let i = 0; i < 55; i++) {
      const id = await runningTask(store)
      ids.push(id)
      await store.update((d) => {
        d.queues.in_progress[0]!.detection.push(check(`run ${i}`))
        complete(d.queues, id, { outcome: 'no_fix_needed' }, store.queueContext(d))
      })
    }
    await store.close()
    const names = await readdir(join(root, '.fixloop', 'tasks'))
    // 50 completed are kept (the limit); the five oldest went, with their files.
    expect(names.sort()).toEqual(
      ids
        .slice(5)
        .map((id) => `${id}.json`)
        .sort(),
    )

    await writeFile(join(root, '.fixloop', 'tasks', 'task_stray.json'), '{}')
    await writeFile(join(root, '.fixloop', 'tasks', `${ids[9]}.json.tmp-1-1`), '{')
    await opened(root)
    const after = await readdir(join(root, '.fixloop', 'tasks'))
    expect(after).not.toContain('task_stray.json')
    expect(after.some((n) => n.includes('.tmp-'))).toBe(false)
    expect(after).toHaveLength(50)
  })
})
