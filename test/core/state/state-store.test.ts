import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/shared/domain'
import { complete, enqueue, takeNext, updateTask } from '../../../src/main/core/queue'
import {
  STATE_VERSION,
  StateStore,
  StateValidationError,
  readStateFiles,
} from '../../../src/main/core/state'
import type { StateEventName, StateStoreOptions, StateFile } from '../../../src/main/core/state'
import type { Clock } from '../../../src/main/core/util/clock'
import { systemClock } from '../../../src/main/core/util/clock'

const dirs: string[] = []
const open: StateStore[] = []
async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-state-'))
  dirs.push(dir)
  return dir
}
async function openStore(options: StateStoreOptions): Promise<StateStore> {
  const store = await StateStore.open(options)
  open.push(store)
  return store
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const onDisk = async (dir: string): Promise<StateFile> =>
  readStateFiles(join(dir, '.fixloop', 'state.json'))

const fixedClock = (iso: string): Clock => ({ ...systemClock, now: () => Date.parse(iso) })

describe('StateStore.open', () => {
  it('creates .fixloop with a .gitignore of * and a fresh version 2 state', async () => {
    const dir = await project()
    const events: StateEventName[] = []
    const store = await openStore({ projectRoot: dir, onEvent: (name) => events.push(name) })
    expect(await readFile(join(dir, '.fixloop', '.gitignore'), 'utf8')).toBe('*\n')
    const state = await onDisk(dir)
    expect(state).toEqual(store.state)
    expect(state.version).toBe(STATE_VERSION)
    expect(state.processes.orchestrator).toMatchObject({ status: 'starting', pid: process.pid })
    expect(events).toEqual(['created', 'written'])
  })

  it('leaves an existing .gitignore in .fixloop alone', async () => {
    const dir = await project()
    await openStore({ projectRoot: dir }).then((s) => s.close())
    await writeFile(join(dir, '.fixloop', '.gitignore'), '*\n!notes.md\n')
    await openStore({ projectRoot: dir })
    expect(await readFile(join(dir, '.fixloop', '.gitignore'), 'utf8')).toBe('*\n!notes.md\n')
  })

  it('uses the injected clock for timestamps', async () => {
    const store = await openStore({
      projectRoot: await project(),
      clock: fixedClock('2030-01-02T03:04:05.000Z'),
    })
    expect(store.state.timestamp).toBe('2030-01-02T03:04:05.000Z')
    expect(store.state.stats.firstStartedAt).toBe('2030-01-02T03:04:05.000Z')
  })

  it('resolves STATE_FILE and LOCK_FILE style paths against the project', async () => {
    const dir = await project()
    const store = await openStore({
      projectRoot: dir,
      stateFile: 'automation/state/app_state.json',
      lockFile: 'automation/state/app_state.lock',
    })
    expect(store.paths.stateFile).toBe(join(dir, 'automation/state/app_state.json'))
    expect(await readdir(join(dir, 'automation/state'))).toEqual(
      expect.arrayContaining(['app_state.json', 'app_state.lock', 'app_state.lock-owner.json']),
    )
    expect(await readFile(join(dir, '.fixloop', '.gitignore'), 'utf8')).toBe('*\n')
  })

  it('refuses a project folder that does not exist', async () => {
    const dir = join(await project(), 'typo')
    await expect(StateStore.open({ projectRoot: dir })).rejects.toThrow(/does not exist/)
    await expect(readdir(dir)).rejects.toThrow()
  })

  it('refuses lock timings proper-lockfile cannot honour', async () => {
    const dir = await project()
    await expect(StateStore.open({ projectRoot: dir, staleMs: 1000 })).rejects.toThrow(RangeError)
    await expect(
      StateStore.open({ projectRoot: dir, staleMs: 4000, updateMs: 3000 }),
    ).rejects.toThrow(/updateMs/)
  })

  it('removes temp files a killed writer left behind', async () => {
    const dir = await project()
    await openStore({ projectRoot: dir }).then((s) => s.close())
    await writeFile(join(dir, '.fixloop', 'state.json.tmp-999-1'), '{"half":')
    await openStore({ projectRoot: dir })
    expect((await readdir(join(dir, '.fixloop'))).some((n) => n.includes('.tmp-'))).toBe(false)
  })
})

describe('StateStore.update', () => {
  it('writes the change, returns what the mutator returned, and bumps the generation', async () => {
    const dir = await project()
    const store = await openStore({ projectRoot: dir })
    const before = store.state.generation
    const { task } = await store.update((d) =>
      enqueue(d.queues, { files: ['src/a.ts'], kind: 'file_change' }, store.queueContext(d)),
    )
    expect(store.state.generation).toBe(before + 1)
    expect(store.state.seq).toBe(1)
    expect((await onDisk(dir)).queues.pending.map((t) => t.id)).toEqual([task.id])
  })

  it('serves a frozen snapshot that cannot be changed in place', async () => {
    const store = await openStore({ projectRoot: await project() })
    expect(Object.isFrozen(store.state.queues.pending)).toBe(true)
    expect(() => store.state.queues.pending.push({} as Task)).toThrow(TypeError)
  })

  it('applies updates one at a time, in the order they were made, and writes those made together once', async () => {
    const dir = await project()
    const store = await openStore({ projectRoot: dir })
    const start = store.state.generation
    const writes: number[] = []
    store.on('written', (e) => writes.push(e.generation))
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        store.update((d) => {
          d.conversation_history.push({ timestamp: 't', type: 'step', n })
          d.seq++
          return d.conversation_history.length
        }),
      ),
    )
    // Each mutator saw the ones before it; all twenty went to disk in one write.
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => n + 1))
    expect(writes).toEqual([start + 1])
    expect(store.state.generation).toBe(start + 1)
    const history = (await onDisk(dir)).conversation_history.map((e) => e.n)
    expect(history).toEqual(Array.from({ length: 20 }, (_, n) => n))
  })

  it('writes nothing when the mutator throws, and keeps going afterwards', async () => {
    const dir = await project()
    const store = await openStore({ projectRoot: dir })
    const before = await readFile(join(dir, '.fixloop', 'state.json'), 'utf8')
    const failing = store.update((d) => {
      d.seq = 99
      throw new Error('boom')
    })
    const next = store.update((d) => d.seq)
    await expect(failing).rejects.toThrow('boom')
    expect(await next).toBe(0)
    // The update after it changed nothing, so nothing was written either.
    expect(await readFile(join(dir, '.fixloop', 'state.json'), 'utf8')).toBe(before)
    expect(store.state.seq).toBe(0)
    await store.update((d) => void d.seq++)
    expect(before).not.toBe(await readFile(join(dir, '.fixloop', 'state.json'), 'utf8'))
    expect(store.state.seq).toBe(1)
  })

  it('refuses a state that breaks the schema or the queue invariants, and keeps the old one', async () => {
    const dir = await project()
    const store = await openStore({ projectRoot: dir })
    const before = store.state
    await expect(
      store.update((d) => void (d.processes.orchestrator.pid = 1.5)),
    ).rejects.toBeInstanceOf(StateValidationError)
    await expect(
      store.update((d) => {
        const { task } = enqueue(
          d.queues,
          { files: ['a'], kind: 'file_change' },
          store.queueContext(d),
        )
        d.queues.failed.push(task)
      }),
    ).rejects.toThrow(/appears in both pending and failed/)
    expect(store.state).toBe(before)
    expect(await onDisk(dir)).toEqual(before)
  })

  it('refuses asynchronous mutators', async () => {
    const store = await openStore({ projectRoot: await project() })
    await expect(store.update(async () => {})).rejects.toThrow(/synchronous/)
  })

  it('applies every limit on write', async () => {
    const dir = await project()
    const store = await openStore({ projectRoot: dir })
    await store.update((d) => {
      const ctx = store.queueContext(d)
      for (let i = 0; i < 60; i++) {
        const { task } = enqueue(d.queues, { files: [`f${i}`], kind: 'file_change' }, ctx)
        takeNext(d.queues, ctx)
        complete(d.queues, task.id, { outcome: 'fixed' }, ctx)
      }
      for (let i = 0; i < 150; i++) d.conversation_history.push({ timestamp: 't', type: 'e', i })
      for (let i = 0; i < 250; i++) {
        d.test_results.push({
          task_id: null,
          timestamp: 't',
          passed: true,
          duration: i,
          command: [],
        })
      }
      for (let day = 0; day < 40; day++) {
        d.spend[new Date(Date.UTC(2025, 0, 1 + day)).toISOString().slice(0, 10)] = {
          ...d.stats.usage,
        }
      }
    })
    const state = await onDisk(dir)
    expect(state.queues.completed).toHaveLength(50)
    expect(state.queues.completed[0]!.files).toEqual(['f10'])
    expect(state.conversation_history).toHaveLength(100)
    expect(state.conversation_history[0]!.i).toBe(50)
    expect(state.test_results).toHaveLength(200)
    expect(Object.keys(state.spend)).toHaveLength(31)
    expect(Object.keys(state.spend).sort()[0]).toBe('2025-01-10')
  })

  it('clips the bulky text of finished tasks once, and leaves running tasks whole', async () => {
    const dir = await project()
    const store = await openStore({ projectRoot: dir })
    const long = 'x'.repeat(50_000) + 'THE END'
    const check = {
      name: 'related',
      command: ['vitest'],
      passed: false,
      exitCode: 1,
      signal: null,
      timedOut: false,
      durationMs: 1,
      output: long,
      failures: Array.from({ length: 30 }, (_, i) => ({
        name: `t${i}`,
        message: 'm'.repeat(5_000),
      })),
    }
    const [done, running] = await store.update((d) => {
      const ctx = store.queueContext(d)
      const ids = ['a.ts', 'b.ts'].map(
        (f) => enqueue(d.queues, { files: [f], kind: 'file_change' }, ctx).task.id,
      )
      for (const id of ids) {
        takeNext(d.queues, ctx)
        updateTask(d.queues, id, { detection: [check] }, ctx)
      }
      complete(d.queues, ids[0]!, { outcome: 'fixed' }, ctx)
      return ids
    })
    const finished = store.state.queues.completed.find((t) => t.id === done)!.detection[0]!
    expect(finished.output.length).toBeLessThanOrEqual(500)
    expect(finished.output).toMatch(/^\[… \d+ earlier characters dropped\]\n/)
    expect(finished.output.endsWith('THE END')).toBe(true)
    expect(finished.failures).toHaveLength(10)
    expect(finished.failures[0]!.message.length).toBeLessThanOrEqual(500)
    expect(store.state.queues.in_progress.find((t) => t.id === running)!.detection[0]!.output).toBe(
      long,
    )
    await store.update(() => {})
    expect(store.state.queues.completed[0]!.detection[0]).toEqual(finished)
  })

  it('is not disturbed by an event listener that throws', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    try {
      const store = await openStore({ projectRoot: await project() })
      const off = store.on('written', () => {
        throw new Error('listener bug')
      })
      await expect(store.update((d) => d.seq++)).resolves.toBe(0)
      off()
      await new Promise((r) => setImmediate(r))
      expect(warnings.join()).toMatch(/listener threw: Error: listener bug/)
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('trims history over the limits on open instead of calling the file corrupt', async () => {
    const dir = await project()
    const roomy = await StateStore.open({
      projectRoot: dir,
      queueLimits: { completed: 100, failed: 100 },
    })
    await roomy.update((d) => {
      const ctx = roomy.queueContext(d)
      for (let i = 0; i < 60; i++) {
        const { task } = enqueue(d.queues, { files: [`f${i}`], kind: 'file_change' }, ctx)
        takeNext(d.queues, ctx)
        complete(d.queues, task.id, { outcome: 'fixed' }, ctx)
      }
    })
    await roomy.close()
    const events: StateEventName[] = []
    const store = await openStore({ projectRoot: dir, onEvent: (name) => events.push(name) })
    expect(events).not.toContain('corrupt')
    expect(store.state.queues.completed).toHaveLength(50)
  })

  it('is refused after close', async () => {
    const store = await StateStore.open({ projectRoot: await project() })
    await store.close()
    await expect(store.update(() => {})).rejects.toThrow(/closed/)
  })
})

describe('start-up recovery', () => {
  async function leaveInProgress(dir: string): Promise<string[]> {
    const store = await StateStore.open({ projectRoot: dir })
    const ids = await store.update((d) => {
      const ctx = store.queueContext(d)
      const a = enqueue(d.queues, { files: ['a.ts'], kind: 'file_change' }, ctx).task
      const b = enqueue(d.queues, { files: ['b.ts'], kind: 'file_change' }, ctx).task
      enqueue(d.queues, { files: ['c.ts'], kind: 'file_change' }, ctx)
      takeNext(d.queues, ctx)
      takeNext(d.queues, ctx)
      return [a.id, b.id]
    })
    await store.close()
    return ids
  }

  it('awaits beforeRequeue with the tasks found in progress, then returns them to pending', async () => {
    const dir = await project()
    const ids = await leaveInProgress(dir)
    const seen: string[] = []
    let rolledBack = false
    const store = await openStore({
      projectRoot: dir,
      beforeRequeue: async (tasks) => {
        seen.push(...tasks.map((t) => t.id))
        await new Promise((r) => setTimeout(r, 20))
        rolledBack = true
      },
      onEvent: (name, payload) => {
        if (name === 'recovered') expect(rolledBack).toBe(true)
        if (name === 'recovered')
          expect((payload as { tasks: { id: string }[] }).tasks.map((t) => t.id)).toEqual(ids)
      },
    })
    expect(seen).toEqual(ids)
    expect(store.state.queues.in_progress).toEqual([])
    expect(store.state.queues.pending.slice(0, 2).map((t) => t.id)).toEqual(ids)
    expect((await onDisk(dir)).queues.in_progress).toEqual([])
  })

  it('fails to open, releasing the lock, when beforeRequeue throws', async () => {
    const dir = await project()
    await leaveInProgress(dir)
    await expect(
      StateStore.open({
        projectRoot: dir,
        beforeRequeue: () => Promise.reject(new Error('journal unreadable')),
      }),
    ).rejects.toThrow('journal unreadable')
    const store = await openStore({ projectRoot: dir })
    expect(store.state.queues.in_progress).toEqual([])
  })
})

describe('close and peek', () => {
  it('records the orchestrator as stopped and keeps the state for the next open', async () => {
    const dir = await project()
    const store = await StateStore.open({ projectRoot: dir })
    const { task } = await store.update((d) =>
      enqueue(d.queues, { files: ['a.ts'], kind: 'file_change' }, store.queueContext(d)),
    )
    await store.close()
    await store.close()
    expect((await onDisk(dir)).processes.orchestrator.status).toBe('stopped')
    const again = await openStore({ projectRoot: dir })
    expect(again.state.queues.pending.map((t) => t.id)).toEqual([task.id])
    expect(again.state.seq).toBe(1)
  })

  it('peeks without the lock while a store is open, and tolerates a missing file', async () => {
    const dir = await project()
    expect(await StateStore.peek(dir)).toMatchObject({ state: null, problem: null, running: null })
    const store = await openStore({ projectRoot: dir })
    const peeked = await StateStore.peek(dir)
    expect(peeked.state).toEqual(store.state)
    expect(peeked.running).toEqual({ pid: process.pid })
    expect((await StateStore.peek(join(dir, '.fixloop', 'state.json'))).state).toEqual(store.state)
    await store.close()
    expect((await StateStore.peek(dir)).running).toBeNull()
  })

  it('reports an unusable file on peek without touching it', async () => {
    const dir = await project()
    await openStore({ projectRoot: dir }).then((s) => s.close())
    await writeFile(join(dir, '.fixloop', 'state.json'), '{"version": 2')
    expect((await StateStore.peek(dir)).problem).toMatch(/cut short/)
    expect(await readFile(join(dir, '.fixloop', 'state.json'), 'utf8')).toBe('{"version": 2')
  })
})
