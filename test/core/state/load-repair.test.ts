/**
 * What open does with a state file it cannot use as it is: unusable ones (not parseable as a state
 * at all) are moved aside (never deleted) and a fresh state starts; the seed's own format is
 * migrated, keeping its tasks. Damaged version 2 files are salvaged: salvage.test.ts.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { checkInvariants } from '../../../src/main/core/queue'
import { StateFile, StateStore } from '../../../src/main/core/state'
import type { StateEvents } from '../../../src/main/core/state'
import { toProjectPath } from '../../../src/main/core/state/migrate-seed'
import { systemClock } from '../../../src/main/core/util/clock'

const dirs: string[] = []
const stores: StateStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function projectWith(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-load-'))
  dirs.push(dir)
  await mkdir(join(dir, '.fixloop'))
  await writeFile(join(dir, '.fixloop', 'state.json'), content)
  return dir
}

type Recorded = { [K in keyof StateEvents]?: StateEvents[K] }

async function openRecording(dir: string): Promise<{ store: StateStore; events: Recorded }> {
  const events: Recorded = {}
  const store = await StateStore.open({
    projectRoot: dir,
    clock: { ...systemClock, now: () => Date.parse('2025-10-05T14:32:15.123Z') },
    onEvent: (name, payload) => Object.assign(events, { [name]: payload }),
  })
  stores.push(store)
  return { store, events }
}

/** A valid version 2 file, to break in different ways. */
async function validState(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-load-'))
  dirs.push(dir)
  const store = await StateStore.open({ projectRoot: dir })
  await store.close()
  return JSON.parse(await readFile(join(dir, '.fixloop', 'state.json'), 'utf8'))
}

describe('an unusable state file', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['garbage', async () => 'not json at all {', /not valid JSON/],
    [
      'truncated',
      async () => JSON.stringify(await validState(), null, 2).slice(0, 120),
      /cut short/,
    ],
    ['empty', async () => '', /empty/],
    ['whitespace only', async () => '  \n', /empty/],
    ['not an object', async () => '[1, 2]', /not hold a JSON object/],
    [
      'an unknown version',
      async () => JSON.stringify({ version: '0.9' }),
      /unknown state version "0.9"/,
    ],
  ]

  for (const [what, make, reason] of cases) {
    it(`(${what}) is moved aside as state.json.corrupt-<time>, and a fresh state starts`, async () => {
      const content = await make()
      const dir = await projectWith(content)
      const { store, events } = await openRecording(dir)
      const movedTo = join(dir, '.fixloop', 'state.json.corrupt-2025-10-05T14-32-15-123Z')
      expect(events.corrupt).toMatchObject({ file: join(dir, '.fixloop', 'state.json'), movedTo })
      expect(events.corrupt!.reason).toMatch(reason)
      expect(events.corrupt!.salvaged).toBeUndefined()
      expect(await readFile(movedTo, 'utf8')).toBe(content)
      expect(store.state.queues).toEqual({
        pending: [],
        in_progress: [],
        completed: [],
        failed: [],
      })
      const fresh = StateFile.safeParse(
        JSON.parse(await readFile(join(dir, '.fixloop', 'state.json'), 'utf8')),
      )
      expect(fresh.success).toBe(true)
    })
  }

  it('never overwrites an earlier corrupt copy', async () => {
    const dir = await projectWith('first')
    await openRecording(dir).then(({ store }) => store.close())
    stores.length = 0
    await writeFile(join(dir, '.fixloop', 'state.json'), 'second')
    await openRecording(dir)
    const copies = (await readdir(join(dir, '.fixloop'))).filter((n) => n.includes('corrupt'))
    expect(copies.sort()).toEqual([
      'state.json.corrupt-2025-10-05T14-32-15-123Z',
      'state.json.corrupt-2025-10-05T14-32-15-123Z-1',
    ])
  })
})

describe('a state file in the seed format', () => {
  const seed = (root: string) => ({
    version: '1.0.0',
    timestamp: '2025-10-05T14:32:15Z',
    processes: {
      orchestrator: { status: 'running', pid: 12345, last_heartbeat: '2025-10-05T14:32:15Z' },
    },
    queues: {
      pending: [
        {
          id: 'task_a3f2b1c8',
          type: 'file_change',
          file_path: `${root}/src/services/CaseService.ts`,
          description: 'Process changes in CaseService.ts',
          created_at: '2025-10-05T14:30:00Z',
          status: 'pending',
          retry_count: 0,
        },
        {
          id: 'task_b4e5d6f7',
          type: 'file_change',
          file_path: `${root}/src/services/CaseService.ts`,
          description: 'Again',
          created_at: '2025-10-05T14:31:00Z',
          status: 'pending',
          retry_count: 0,
        },
        {
          id: 'task_c0ffee00',
          type: 'file_change',
          file_path: 'src/ui/App.tsx',
          description: 'x',
          created_at: '2025-10-05T14:31:30Z',
          status: 'pending',
          retry_count: 0,
        },
        {
          id: 'task_nofile00',
          type: 'file_change',
          description: 'no file',
          created_at: '2025-10-05T14:31:40Z',
          status: 'pending',
        },
      ],
      in_progress: [
        {
          id: 'task_11111111',
          type: 'file_change',
          file_path: `${root}/src/db/migrate.ts`,
          description: 'y',
          created_at: '2025-10-05T14:29:00Z',
          status: 'in_progress',
          retry_count: 2,
        },
      ],
      completed: [
        {
          id: 'task_22222222',
          type: 'file_change',
          file_path: `${root}/src/a.ts`,
          description: 'z',
          created_at: '2025-10-05T14:00:00Z',
          status: 'completed',
          retry_count: 1,
          extra_field: 'dropped',
        },
      ],
      failed: [
        {
          id: 'task_33333333',
          type: 'file_change',
          file_path: `${root}/src/b.ts`,
          description: 'w',
          created_at: '2025-10-05T14:10:00Z',
          status: 'failed',
          retry_count: 5,
          error: 'Tests still failing after 5 attempts',
        },
      ],
    },
    conversation_history: [
      {
        timestamp: '2025-10-05T14:30:00Z',
        type: 'task_created',
        task_id: 'task_a3f2b1c8',
        file_path: `${root}/src/services/CaseService.ts`,
      },
      { nonsense: true },
    ],
    test_results: [
      {
        task_id: 'task_22222222',
        timestamp: '2025-10-05T14:32:00Z',
        passed: true,
        duration: 2.5,
        test_path: `${root}/src/a.test.ts`,
      },
    ],
  })

  it('is migrated keeping its tasks in their queues, recovered, and backed up', async () => {
    const dir = await projectWith('')
    const original = JSON.stringify(seed(dir), null, 2)
    await writeFile(join(dir, '.fixloop', 'state.json'), original)
    const { store, events } = await openRecording(dir)
    const q = store.state.queues

    expect(events.migrated).toMatchObject({ from: '1.0.0', tasks: 5, merged: 1, dropped: 1 })
    expect(await readFile(events.migrated!.backup, 'utf8')).toBe(original)
    expect(events.recovered?.tasks.map((t) => t.id)).toEqual(['task_11111111'])

    expect(q.in_progress).toEqual([])
    expect(q.pending.map((t) => [t.id, t.files])).toEqual([
      ['task_11111111', ['src/db/migrate.ts']],
      ['task_a3f2b1c8', ['src/services/CaseService.ts']],
      ['task_c0ffee00', ['src/ui/App.tsx']],
    ])
    expect(q.completed).toMatchObject([
      { id: 'task_22222222', files: ['src/a.ts'], outcome: 'fixed', retries: 1 },
    ])
    expect(q.completed[0]).not.toHaveProperty('extra_field')
    expect(q.failed).toMatchObject([
      {
        id: 'task_33333333',
        outcome: 'failed',
        failureReason: 'Tests still failing after 5 attempts',
      },
    ])
    expect(checkInvariants(q)).toEqual([])
    expect(store.state.conversation_history).toHaveLength(1)
    expect(store.state.test_results).toEqual([
      {
        task_id: 'task_22222222',
        timestamp: '2025-10-05T14:32:00.000Z',
        passed: true,
        duration: 2.5,
        command: [],
        files: [`${dir}/src/a.test.ts`],
      },
    ])
    expect(store.state.seq).toBeGreaterThanOrEqual(5)

    const written = JSON.parse(await readFile(join(dir, '.fixloop', 'state.json'), 'utf8'))
    expect(written.version).toBe(2)
  })

  it('is migrated when it has no version field at all', async () => {
    const { version: _version, ...unversioned } = seed('/elsewhere')
    const dir = await projectWith(JSON.stringify(unversioned))
    const { store, events } = await openRecording(dir)
    expect(events.migrated?.from).toBe('unversioned')
    expect(store.state.queues.completed[0]!.files).toEqual(['/elsewhere/src/a.ts'])
  })

  it('is shown migrated by peek, without being rewritten', async () => {
    const dir = await projectWith(JSON.stringify(seed('/p')))
    const peeked = await StateStore.peek(dir)
    expect(peeked.migratedFrom).toBe('1.0.0')
    expect(peeked.state?.queues.in_progress.map((t) => t.id)).toEqual(['task_11111111'])
    expect(JSON.parse(await readFile(join(dir, '.fixloop', 'state.json'), 'utf8')).version).toBe(
      '1.0.0',
    )
  })
})

describe('toProjectPath', () => {
  it('makes paths inside the project relative with forward slashes', () => {
    expect(toProjectPath('/p/src/a.ts', '/p')).toBe('src/a.ts')
    expect(toProjectPath('C:\\Users\\sava\\Justice\\src\\a.ts', 'C:\\Users\\sava\\Justice')).toBe(
      'src/a.ts',
    )
    expect(toProjectPath('src\\ui\\App.tsx', '/p')).toBe('src/ui/App.tsx')
    expect(toProjectPath('./src/a.ts', '/p')).toBe('src/a.ts')
  })

  it('keeps a path outside the project absolute', () => {
    expect(toProjectPath('/other/a.ts', '/p')).toBe('/other/a.ts')
    expect(toProjectPath('D:\\x\\a.ts', 'C:\\proj')).toBe('D:/x/a.ts')
  })
})
