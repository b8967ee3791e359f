/**
 * One writer per project: real processes contending for the lock, a SIGKILLed holder's lock taken
 * over, stale and foreign locks, and a lock lost while held.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  AlreadyRunningError,
  StateCompromisedError,
  StateStore,
  readLockOwner,
} from '../../../src/main/core/state'
import type { StateEvents } from '../../../src/main/core/state'
import { bundleChild, killStartedChildren, startChild } from './child'
import type { Child } from './child'

const dirs: string[] = []
const stores: StateStore[] = []
let bundle: string
beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'fixloop-lock-bundle-'))
  dirs.push(out)
  bundle = await bundleChild('./lock-child.ts', out)
})
const holder = (dir: string): Child => startChild('./lock-child.ts', [dir], { bundle })
async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-lock-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
afterAll(async () => {
  killStartedChildren()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const outcome = (c: Child) => c.waitFor((l) => typeof l.ok === 'boolean')

async function stop(child: Child): Promise<void> {
  child.proc.stdin!.end()
  await child.exited
}

describe('two processes on one project', () => {
  it('lets exactly one run; the other is told which pid holds it', async () => {
    const dir = await project()
    const [a, b] = [holder(dir), holder(dir)]
    const results = await Promise.all([outcome(a), outcome(b)])
    const winners = results.filter((r) => r.ok)
    const losers = results.filter((r) => !r.ok)
    expect(winners).toHaveLength(1)
    expect(losers).toHaveLength(1)
    expect(losers[0]).toMatchObject({
      code: 'EALREADYRUNNING',
      message: `Fixloop is already running on ${dir} (pid ${winners[0]!.pid})`,
      ownerPid: winners[0]!.pid,
    })
    const loser = results[0]!.ok ? b : a
    expect(await loser.exited).toMatchObject({ code: 3 })
    await stop(results[0]!.ok ? a : b)
  })

  it('takes over at once the lock of a holder killed with SIGKILL', async () => {
    const dir = await project()
    const first = holder(dir)
    const held = await outcome(first)
    expect(held.ok).toBe(true)
    first.proc.kill('SIGKILL')
    await first.exited

    const started = Date.now()
    const second = holder(dir)
    expect(await outcome(second)).toMatchObject({ ok: true })
    expect(second.lines).toContainEqual({
      event: 'lock-taken-over',
      payload: { lockFile: join(dir, '.fixloop', 'state.json.lock'), previousPid: held.pid },
    })
    // Far below the 10 s staleness: the dead holder was recognised by its pid.
    expect(Date.now() - started).toBeLessThan(5_000)
    expect((await readLockOwner(join(dir, '.fixloop', 'state.json.lock')))?.pid).toBe(
      second.proc.pid,
    )
    await stop(second)
  })

  it('releases the lock on close so the next process starts', async () => {
    const dir = await project()
    const first = holder(dir)
    expect(await outcome(first)).toMatchObject({ ok: true })
    await stop(first)
    const second = holder(dir)
    expect(await outcome(second)).toMatchObject({ ok: true })
    expect(second.lines.some((l) => l.event === 'lock-taken-over')).toBe(false)
    await stop(second)
  })
})

describe('locks that are not ours', () => {
  async function foreignLock(dir: string, ageMs: number, owner?: object): Promise<string> {
    const lockFile = join(dir, '.fixloop', 'state.json.lock')
    await mkdir(lockFile, { recursive: true })
    if (owner) await writeFile(`${lockFile}-owner.json`, JSON.stringify(owner))
    const when = new Date(Date.now() - ageMs)
    await utimes(lockFile, when, when)
    return lockFile
  }

  it('refuses a fresh lock held from another machine, naming its pid', async () => {
    const dir = await project()
    await foreignLock(dir, 0, { pid: 4242, host: 'elsewhere', startedAt: 'x', token: 't' })
    await expect(StateStore.open({ projectRoot: dir })).rejects.toThrow(
      new AlreadyRunningError(dir, 4242, '').message,
    )
  })

  it('takes over a lock that went stale (not refreshed for staleMs)', async () => {
    const dir = await project()
    await foreignLock(dir, 60_000, { pid: 4242, host: 'elsewhere', startedAt: 'x', token: 't' })
    const store = await StateStore.open({ projectRoot: dir })
    stores.push(store)
    expect(store.state.processes.orchestrator.pid).toBe(process.pid)
  })

  it('refuses a second store in the same process', async () => {
    const dir = await project()
    stores.push(await StateStore.open({ projectRoot: dir }))
    const error = await StateStore.open({ projectRoot: dir }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AlreadyRunningError)
    expect((error as AlreadyRunningError).pid).toBe(process.pid)
  })

  it('says when a lock file is not a lock directory', async () => {
    const dir = await project()
    const lockFile = join(dir, 'app_state.lock')
    await writeFile(lockFile, '')
    const old = new Date(Date.now() - 60_000)
    await utimes(lockFile, old, old)
    await expect(StateStore.open({ projectRoot: dir, lockFile: 'app_state.lock' })).rejects.toThrow(
      /is not a Fixloop lock/,
    )
  })
})

describe('a lock lost while held', () => {
  it('stops writing, re-reads, reports, and never crashes', async () => {
    const dir = await project()
    const events: StateEvents['compromised'][] = []
    const store = await StateStore.open({
      projectRoot: dir,
      staleMs: 2_000,
      updateMs: 1_000,
      onEvent: (name, payload) => {
        if (name === 'compromised') events.push(payload as StateEvents['compromised'])
      },
    })
    stores.push(store)
    await store.update((d) => {
      d.conversation_history.push({ timestamp: 't', type: 'before' })
      d.seq++ // not only history, which would wait to ride on the next write
    })
    const lockFile = join(dir, '.fixloop', 'state.json.lock')
    await rm(lockFile, { recursive: true })

    await expect.poll(() => events.length, { timeout: 5_000 }).toBe(1)
    expect(store.compromised).toBe(true)
    expect(events[0]).toMatchObject({ reloaded: true })
    expect(events[0]!.message).toMatch(/lost its lock on .* restart Fixloop/)
    expect(store.state.conversation_history.at(-1)?.type).toBe('before')
    await expect(store.update(() => {})).rejects.toBeInstanceOf(StateCompromisedError)

    // Another instance can now start; closing the first must not disturb it.
    const other = await StateStore.open({ projectRoot: dir })
    await store.close()
    expect((await readLockOwner(lockFile))?.host).toBe(hostname())
    await other.update((d) => void d.conversation_history.push({ timestamp: 't', type: 'other' }))
    await other.close()
  })
})
