/**
 * A project whose state holds a bit of everything (tasks in every queue with attempts and spend,
 * history, test results, breakers, spend for today and yesterday, escalation memos), written by the
 * real StateStore, then damaged on disk by the test.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Attempt, Usage } from '../../../src/shared/domain'
import { dayKey } from '../../../src/main/core/fix/budget'
import { complete, enqueue, fail, takeNext, updateTask } from '../../../src/main/core/queue'
import { StateStore } from '../../../src/main/core/state'
import type { StateEvents, StateStoreOptions } from '../../../src/main/core/state'
import { systemClock } from '../../../src/main/core/util/clock'

export const NOW = '2025-10-05T14:32:15.123Z'
export const TODAY = dayKey(Date.parse(NOW))
export const YESTERDAY = dayKey(Date.parse(NOW) - 86_400_000)
export const clock = { ...systemClock, now: () => Date.parse(NOW) }

export const usage = (costUsd: number): Usage => ({
  requests: 2,
  inputTokens: 1_000,
  outputTokens: 100,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 500,
  costUsd,
})

const attempt = (costUsd: number): Attempt => ({
  n: 1,
  startedAt: NOW,
  finishedAt: NOW,
  outcome: 'passed',
  checks: [],
  edits: [],
  usage: usage(costUsd),
})

/** The JSON of the state file, as plain data the test can break in any way. */
export type RawState = Record<string, unknown>

/**
 * Sets each `path` (dots; numbers index lists: `queues.failed.0.phase`) to its value, deleting it
 * for `undefined`, and returns `raw`.
 */
export function damage(raw: RawState, changes: Record<string, unknown>): RawState {
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.')
    const last = keys.pop()!
    let at = raw as Record<string, unknown>
    for (const key of keys) at = at[key] as Record<string, unknown>
    if (value === undefined) delete at[last]
    else at[last] = value
  }
  return raw
}

/** The value at `path`, as `damage` reads paths. */
export function at(raw: RawState, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], raw)
}

/**
 * Writes the state through the store and returns the project folder and the file as written.
 * Queues: completed a.ts (fixed, $0.25 today), b.ts (fixed); failed c.ts; pending d.ts, e.ts.
 */
export async function populatedProject(): Promise<{ dir: string; file: string; raw: RawState }> {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-salvage-'))
  const store = await StateStore.open({ projectRoot: dir, clock })
  await store.update((d) => {
    const ctx = store.queueContext(d)
    for (const [file, end] of [
      ['src/a.ts', 'fixed'],
      ['src/b.ts', 'fixed'],
      ['src/c.ts', 'failed'],
    ] as const) {
      const { task } = enqueue(d.queues, { files: [file], kind: 'file_change' }, ctx)
      takeNext(d.queues, ctx)
      updateTask(d.queues, task.id, { attempts: [attempt(0.25)], usage: usage(0.25) }, ctx)
      if (end === 'fixed') complete(d.queues, task.id, { outcome: 'fixed' }, ctx)
      else fail(d.queues, task.id, 'Checks still red after 1 attempt.', {}, ctx)
    }
    for (const file of ['src/d.ts', 'src/e.ts'])
      enqueue(d.queues, { files: [file], kind: 'file_change' }, ctx)
    for (let i = 0; i < 5; i++)
      d.conversation_history.push({ timestamp: NOW, type: 'task_created', task_id: `task_${i}` })
    for (let i = 0; i < 3; i++)
      d.test_results.push({
        task_id: null,
        timestamp: NOW,
        passed: i > 0,
        duration: 1.5,
        command: ['npx', 'vitest', 'run'],
      })
    d.spend[YESTERDAY] = usage(4)
    d.spend[TODAY] = usage(7.5)
    d.breakers.push(
      { file: 'src/c.ts', state: 'open', failures: [NOW, NOW, NOW], openedAt: NOW },
      { file: 'src/f.ts', state: 'closed', failures: [NOW], openedAt: null },
    )
    d.escalations['fp-1'] = { lastAt: { github: NOW }, githubIssue: 12, githubIssueUrl: 'u' }
    d.stats.processed = 3
    d.stats.usage = usage(11.5)
  })
  await store.close()
  const file = join(dir, '.fixloop', 'state.json')
  return { dir, file, raw: JSON.parse(await readFile(file, 'utf8')) }
}

type Recorded = { [K in keyof StateEvents]?: StateEvents[K] }

/** Writes `raw` as the state file (a string as it is). Returns what was written. */
export async function writeState(dir: string, raw: RawState | string): Promise<string> {
  const written = typeof raw === 'string' ? raw : JSON.stringify(raw)
  await writeFile(join(dir, '.fixloop', 'state.json'), written)
  return written
}

/** Opens the store on the project as its file is, recording the events. */
export async function openRecording(
  dir: string,
  options: Partial<StateStoreOptions> = {},
): Promise<{ store: StateStore; events: Recorded }> {
  const events: Recorded = {}
  const store = await StateStore.open({
    projectRoot: dir,
    clock,
    onEvent: (name, payload) => Object.assign(events, { [name]: payload }),
    ...options,
  })
  return { store, events }
}

/** Every task id by queue. */
export function ids(state: { queues: Record<string, { id: string }[]> }): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(state.queues).map(([q, list]) => [q, list.map((t) => t.id)]),
  )
}
