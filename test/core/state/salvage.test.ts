/**
 * Issue 12, item 4: one bad field in state.json must cost that entry (or that field), never the
 * whole state. What open keeps, drops and reports when the file parses but is damaged.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, readdir, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { checkInvariants } from '../../../src/main/core/queue'
import { STATE_LIMITS, StateStore, readStateFiles } from '../../../src/main/core/state'
import type { StateEvents, StateStoreOptions } from '../../../src/main/core/state'
import {
  NOW,
  TODAY,
  YESTERDAY,
  at,
  damage,
  ids,
  openRecording,
  populatedProject,
  usage,
  writeState,
} from './salvage-fixture'
import type { RawState } from './salvage-fixture'

const dirs: string[] = []
const stores: StateStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function project() {
  const p = await populatedProject()
  dirs.push(p.dir)
  return p
}

/** Writes `raw` and opens the store on it. */
async function open(dir: string, raw: RawState | string, options: Partial<StateStoreOptions> = {}) {
  const written = await writeState(dir, raw)
  const opened = await openRecording(dir, options)
  stores.push(opened.store)
  return { ...opened, written }
}

const corruptCopy = (dir: string) =>
  join(dir, '.fixloop', 'state.json.corrupt-2025-10-05T14-32-15-123Z')

function salvaged(events: { corrupt?: StateEvents['corrupt'] }) {
  expect(events.corrupt?.salvaged).toBeDefined()
  return events.corrupt!.salvaged!
}

describe('a state file with one bad field', () => {
  it("keeps today's spend, the breakers and every task, with the bad field repaired", async () => {
    const { dir, raw } = await project()
    const before = ids(raw as never)
    const failedId = at(raw, 'queues.failed.0.id')
    const { store, events, written } = await open(
      dir,
      damage(raw, { 'queues.failed.0.priority': 'high' }),
    )

    expect(store.state.spend[TODAY]).toEqual(usage(7.5))
    expect(store.state.spend[YESTERDAY]).toEqual(usage(4))
    expect(store.state.breakers.map((b) => [b.file, b.state])).toEqual([
      ['src/c.ts', 'open'],
      ['src/f.ts', 'closed'],
    ])
    expect(ids(store.state)).toEqual(before)
    expect(store.state.queues.failed[0]!.priority).toBe(0)
    expect(store.state.conversation_history).toHaveLength(5)
    expect(store.state.test_results).toHaveLength(3)
    expect(store.state.escalations['fp-1']?.githubIssue).toBe(12)
    expect(store.state.stats.processed).toBe(3)

    const report = salvaged(events)
    expect(events.corrupt!.reason).toMatch(
      /does not match the state schema: queues\.failed\.0\.priority/,
    )
    expect(report.dropped).toEqual([])
    expect(report.repaired).toEqual([`queues.failed[0] (${failedId}): priority "high" → 0`])
    expect(report.counts.tasks).toEqual({ found: 5, kept: 5 })
    expect(await readFile(corruptCopy(dir), 'utf8')).toBe(written)
  })

  it('drops only a task that has nothing to hold on to, and names it', async () => {
    const { dir, raw } = await project()
    const { store, events } = await open(
      dir,
      damage(raw, { 'queues.completed.1.files': 'src/b.ts' }),
    )
    const dropped = at(raw, 'queues.completed.1.id')

    expect(store.state.queues.completed.map((t) => t.files)).toEqual([['src/a.ts']])
    expect(store.state.queues.pending.map((t) => t.files)).toEqual([['src/d.ts'], ['src/e.ts']])
    expect(store.state.spend[TODAY]?.costUsd).toBe(7.5)
    expect(salvaged(events).dropped).toEqual([
      `queues.completed[1] (${dropped}): names no file (files: "src/b.ts")`,
    ])
    expect(salvaged(events).counts.tasks).toEqual({ found: 5, kept: 4 })
  })

  it('writes a state that passes the schema and the invariants, over the damaged file', async () => {
    const { dir, file, raw } = await project()
    await open(dir, damage(raw, { 'queues.pending.0.priority': 'high', 'stats.failed': -1 }))
    const onDisk = await readStateFiles(file)
    expect(checkInvariants(onDisk.queues)).toEqual([])
    expect(onDisk.stats.failed).toBe(0)
    expect(onDisk.queues.pending[0]!.priority).toBe(0)
  })
})

describe('spend and breakers survive any damage to the rest', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['the queues are not an object', { queues: 'gone' }],
    ['a queue is not a list', { 'queues.completed': { 0: 'x' } }],
    ['every task is broken', { 'queues.pending.0': 7, 'queues.completed.0.id': '../etc' }],
    ['the history and test results are not lists', { conversation_history: 1, test_results: {} }],
    ['the stats are null', { stats: null }],
    ['the timestamp, generation and seq are wrong', { timestamp: 5, generation: -1, seq: 'x' }],
    ['the version is missing', { version: undefined }],
    ['the version is a string', { version: '2' }],
    ['the processes are garbage', { processes: [] }],
  ]
  for (const [what, changes] of cases) {
    it(`when ${what}`, async () => {
      const { dir, raw } = await project()
      const { store, events } = await open(dir, damage(raw, changes))
      expect(store.state.spend).toEqual({ [YESTERDAY]: usage(4), [TODAY]: usage(7.5) })
      expect(store.state.breakers).toHaveLength(2)
      expect(events.corrupt?.salvaged).toBeDefined()
      expect(checkInvariants(store.state.queues)).toEqual([])
    })
  }

  it('a damaged spend figure is rebuilt from that day’s attempts, never restarted at zero', async () => {
    const { dir, raw } = await project()
    const { store, events } = await open(dir, damage(raw, { [`spend.${TODAY}.costUsd`]: 'lots' }))
    // Three attempts at $0.25 ran today: a lower bound, not a fresh daily budget.
    expect(store.state.spend[TODAY]).toEqual({ ...usage(7.5), costUsd: 0.75 })
    expect(salvaged(events).repaired).toEqual([
      `spend.${TODAY}.costUsd: "lots" → 0.75 (from the tasks' attempts that day, a lower bound)`,
    ])
  })

  it('a spend that is not an object is rebuilt for the days the attempts cover', async () => {
    const { dir, raw } = await project()
    const { store } = await open(dir, damage(raw, { spend: [] }))
    expect(Object.keys(store.state.spend)).toEqual([TODAY])
    expect(store.state.spend[TODAY]?.costUsd).toBe(0.75)
  })

  it('a breaker with a bad field is repaired on the safe side', async () => {
    const { dir, raw } = await project()
    const { store, events } = await open(
      dir,
      damage(raw, { 'breakers.0.openedAt': 17, 'breakers.1.failures': [NOW, 3] }),
    )
    expect(store.state.breakers).toEqual([
      { file: 'src/c.ts', state: 'open', failures: [NOW, NOW, NOW], openedAt: NOW },
      { file: 'src/f.ts', state: 'closed', failures: [NOW], openedAt: null },
    ])
    expect(salvaged(events).repaired).toEqual([
      `breakers[0] (src/c.ts): openedAt 17 → "${NOW}"`,
      'breakers[1] (src/f.ts): failures a list of 2 → the 1 readable',
    ])
  })

  it('two breakers on one file keep the more restrictive', async () => {
    const { dir, raw } = await project()
    const breakers = at(raw, 'breakers') as unknown[]
    breakers.push({ file: 'src/c.ts', state: 'closed', failures: [], openedAt: null })
    // The schema allows this, so only a salvage (here for a bad timestamp) sorts it out.
    const { store, events } = await open(dir, damage(raw, { timestamp: null }))
    expect(store.state.breakers.find((b) => b.file === 'src/c.ts')?.state).toBe('open')
    expect(salvaged(events).dropped).toEqual([
      'breakers[2]: a second breaker on src/c.ts; the open one at breakers[0] is kept',
    ])
  })
})

describe('a damaged queue', () => {
  it('keeps one copy of a task found in two queues: the most recently updated', async () => {
    const { dir, raw } = await project()
    const pending = at(raw, 'queues.pending.0') as Record<string, unknown>
    const copy = { ...pending, status: 'failed', outcome: 'cancelled', finishedAt: NOW }
    damage(raw, { 'queues.failed.1': { ...copy, updatedAt: '2025-10-05T15:00:00.000Z' } })
    const { store, events } = await open(dir, raw)
    expect(store.state.queues.pending.map((t) => t.id)).not.toContain(pending.id)
    expect(store.state.queues.failed.map((t) => [t.id, t.outcome])).toContainEqual([
      pending.id,
      'cancelled',
    ])
    expect(events.corrupt!.reason).toMatch(/appears in both pending and failed/)
    expect(salvaged(events).dropped).toEqual([
      `queues.pending[0] (${pending.id}): a second copy of the task; the one at queues.failed[1] (failed) is kept`,
    ])
  })

  it('keeps one copy of an id repeated in the same queue', async () => {
    const { dir, raw } = await project()
    const first = at(raw, 'queues.completed.0') as Record<string, unknown>
    ;(at(raw, 'queues.completed') as unknown[]).push({ ...first })
    const { store, events } = await open(dir, raw)
    expect(store.state.queues.completed.filter((t) => t.id === first.id)).toHaveLength(1)
    expect(salvaged(events).dropped).toEqual([
      `queues.completed[2] (${first.id}): a second copy of the task; the one at queues.completed[0] (completed) is kept`,
    ])
  })

  it('gives a clashing seq to the finished task, so waiting work keeps its place in line', async () => {
    const { dir, raw } = await project()
    const finished = at(raw, 'queues.completed.0') as { id: string; seq: number }
    const waiting = at(raw, 'queues.pending.1') as { id: string }
    const { store, events } = await open(dir, damage(raw, { 'queues.pending.1.seq': finished.seq }))
    const all = Object.values(store.state.queues).flat()
    expect(all.find((t) => t.id === waiting.id)?.seq).toBe(finished.seq)
    expect(new Set(all.map((t) => t.seq)).size).toBe(all.length)
    expect(store.state.seq).toBeGreaterThan(Math.max(...all.map((t) => t.seq)))
    expect(salvaged(events).repaired).toEqual([
      `queues.completed[0] (${finished.id}): seq ${finished.seq} → 4 (already taken by another task)`,
    ])
  })

  it('a finished task with an unreadable outcome moves to failed and says why', async () => {
    const { dir, raw } = await project()
    const id = at(raw, 'queues.completed.0.id')
    const { store } = await open(dir, damage(raw, { 'queues.completed.0.outcome': 'great' }))
    const task = store.state.queues.failed.find((t) => t.id === id)
    expect(task).toMatchObject({ status: 'failed', outcome: 'failed' })
    expect(task?.failureReason).toMatch(/outcome was lost when a damaged state file was repaired/)
  })

  it('a task left running with a bad field is repaired, then requeued as at every start', async () => {
    const { dir, raw } = await project()
    const task = { ...(at(raw, 'queues.pending.0') as Record<string, unknown>) }
    ;(at(raw, 'queues.pending') as unknown[]).shift()
    Object.assign(task, { status: 'in_progress', startedAt: NOW, phase: 'teleport' })
    damage(raw, { 'queues.in_progress': [task] })
    const seen: unknown[] = []
    const { store, events } = await open(dir, raw, {
      beforeRequeue: (tasks) => void seen.push(...tasks),
    })
    expect(seen).toMatchObject([{ id: task.id, phase: null, status: 'in_progress' }])
    expect(store.state.queues.pending.map((t) => t.id)).toContain(task.id)
    expect(events.recovered?.tasks.map((t) => t.id)).toEqual([task.id])
  })

  it('two pending tasks on one file are folded into the earlier', async () => {
    const { dir, raw } = await project()
    const [d, e] = at(raw, 'queues.pending') as { id: string }[]
    damage(raw, {
      'queues.pending.1.files': ['src/d.ts', 'src/e.ts'],
      'queues.pending.1.kind': 'x',
    })
    const { store, events } = await open(dir, raw)
    expect(store.state.queues.pending.map((t) => [t.id, t.files])).toEqual([
      [d!.id, ['src/d.ts', 'src/e.ts']],
    ])
    expect(salvaged(events).repaired).toContain(
      `${e!.id}: folded into ${d!.id}, which is pending on the same file`,
    )
  })
})

describe('history and test results', () => {
  it('are salvaged entry by entry, each dropped entry named', async () => {
    const { dir, raw } = await project()
    damage(raw, { 'conversation_history.1.timestamp': undefined, 'test_results.2.passed': 'yes' })
    const { store, events } = await open(dir, raw)
    expect(store.state.conversation_history).toHaveLength(4)
    expect(store.state.test_results).toHaveLength(2)
    expect(salvaged(events).dropped).toEqual([
      expect.stringMatching(/^conversation_history\[1\]: timestamp: /),
      expect.stringMatching(/^test_results\[2\]: passed: /),
    ])
    expect(salvaged(events).counts.history).toEqual({ found: 5, kept: 4 })
  })

  it('a thousand broken entries are counted, not all listed', async () => {
    const { dir, raw } = await project()
    damage(raw, { conversation_history: Array.from({ length: 1_000 }, (_, i) => ({ i })) })
    const { events } = await open(dir, raw)
    const report = salvaged(events)
    expect(report.dropped).toHaveLength(201)
    expect(report.dropped.at(-1)).toBe('… and 800 more')
    expect(report.totals.dropped).toBe(1_000)
  })
})

describe('versions', () => {
  it('a file from a newer Fixloop keeps what this version can read', async () => {
    const { dir, raw } = await project()
    const { store, events } = await open(dir, damage(raw, { version: 3, future: { x: 1 } }))
    expect(events.corrupt!.reason).toMatch(/newer Fixloop \(state version 3; this one reads 2\)/)
    expect(store.state.spend[TODAY]?.costUsd).toBe(7.5)
    expect(store.state.queues.completed).toHaveLength(2)
  })

  it('a version 2 file without its version is salvaged, not migrated as the seed’s', async () => {
    const { dir, raw } = await project()
    const { store, events } = await open(dir, damage(raw, { version: undefined }))
    expect(events.migrated).toBeUndefined()
    expect(events.corrupt!.reason).toBe('it has no version field')
    expect(store.state.spend[TODAY]?.costUsd).toBe(7.5)
  })
})

describe('what cannot be salvaged', () => {
  it('a cut-short file: nothing is kept, the reason says so, the original is set aside', async () => {
    const { dir, raw } = await project()
    const text = JSON.stringify(raw)
    const { store, events } = await open(dir, text.slice(0, text.length - 40))
    expect(events.corrupt?.salvaged).toBeUndefined()
    expect(events.corrupt!.reason).toMatch(/cut short .*; nothing in it could be kept$/)
    expect(await readFile(corruptCopy(dir), 'utf8')).toBe(text.slice(0, text.length - 40))
    expect(store.state.spend).toEqual({})
  })

  it('a file larger than any state is not read, and is set aside', async () => {
    const { dir, file } = await project()
    await truncate(file, STATE_LIMITS.fileBytes + 1)
    const { events } = await openRecording(dir)
    expect(events.corrupt!.reason).toBe(
      'the file is 64.0 MiB, more than a state file can be (64.0 MiB); it was not read; nothing in it could be kept',
    )
    const aside = (await readdir(join(dir, '.fixloop'))).filter((n) => n.includes('corrupt'))
    expect(aside).toEqual(['state.json.corrupt-2025-10-05T14-32-15-123Z'])
  })

  it('a folder or a pipe in place of the file is set aside, without hanging the start', async () => {
    for (const make of ['folder', 'pipe'] as const) {
      if (make === 'pipe' && process.platform === 'win32') continue
      const { dir, file } = await project()
      await rm(file)
      if (make === 'folder') await mkdir(file)
      else execFileSync('mkfifo', [file])
      const { store, events } = await openRecording(dir)
      stores.push(store)
      expect(events.corrupt!.reason).toMatch(/^it is not a regular file/)
      expect((await stat(corruptCopy(dir))).isFile()).toBe(false)
    }
  })
})

describe('StateStore.peek on a damaged file', () => {
  it('says what the next start would keep, and changes nothing', async () => {
    const { dir, file, raw } = await project()
    const written = await writeState(dir, damage(raw, { 'queues.failed.0.priority': 'high' }))
    const peeked = await StateStore.peek(dir)
    expect(peeked.state).toBeNull()
    expect(peeked.problem).toMatch(
      /^it does not match the state schema: queues\.failed\.0\.priority: .*; the next start keeps 5 tasks, .*2 breakers, 2 days of spend.* \(0 dropped, 1 repaired\)$/,
    )
    expect(await readFile(file, 'utf8')).toBe(written)
    expect((await readdir(join(dir, '.fixloop'))).some((n) => n.includes('corrupt'))).toBe(false)
  })
})
