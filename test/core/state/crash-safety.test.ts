/**
 * Crash safety: a child process applies random queue transitions through the StateStore as fast as
 * it can and is killed with SIGKILL at random moments. After every kill the state file must parse,
 * validate, and hold exactly the tasks of the last write the child reported complete, or of the
 * one write it had announced and may have finished. The next child must take over the dead one's
 * lock at once and recover its in-progress tasks without losing any.
 *
 * FIXLOOP_CRASH_KILLS raises the number of kills (default 50) for a bench run.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkInvariants } from '../../../src/main/core/queue'
import { readStateFiles } from '../../../src/main/core/state'
import { bundleChild, killStartedChildren, startChild } from './child'
import type { Child, Line } from './child'
import { summarise } from './crash-summary'
import type { Summary } from './crash-summary'

const KILLS = Math.max(50, Number(process.env.FIXLOOP_CRASH_KILLS ?? 50))
const LANES = 2

const dirs: string[] = []
let bundle: string
beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'fixloop-crash-bundle-'))
  dirs.push(out)
  bundle = await bundleChild('./crash-child.ts', out)
})
afterAll(async () => {
  killStartedChildren()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

interface LaneResult {
  kills: number
  landedInFlight: number
  beforeFirstWrite: number
  writes: number
}

const asSummary = (line: Line): Summary => {
  const { generation, seq, pending, in_progress, completed, failed } = line as unknown as Summary
  return { generation, seq, pending, in_progress, completed, failed }
}

async function readSummary(file: string): Promise<Summary> {
  // The state as its files hold it: state.json and each task's record in its own file.
  const state = await readStateFiles(file)
  expect(checkInvariants(state.queues)).toEqual([])
  return summarise(state)
}

async function lane(kills: number): Promise<LaneResult> {
  const dir = await mkdtemp(join(tmpdir(), 'fixloop-crash-'))
  dirs.push(dir)
  const file = join(dir, '.fixloop', 'state.json')
  const result: LaneResult = { kills: 0, landedInFlight: 0, beforeFirstWrite: 0, writes: 0 }
  let onDisk: Summary | null = null
  let previousPid: number | null = null
  // The next victim loads while the current one runs, and opens the store once told to.
  const warm = (): Child =>
    startChild('./crash-child.ts', [dir], { bundle, env: { FIXLOOP_CRASH_WAIT: '1' } })
  let next = warm()

  for (let k = 0; k < kills; k++) {
    const child = next
    next = warm()
    child.proc.stdin!.write('go\n')
    const ready = asSummary(await child.waitFor((l) => l.kind === 'ready'))

    if (onDisk) {
      // Start-up: the dead child's lock was taken over at once, and recovery lost nothing.
      const takeover = child.lines.find((l) => l.kind === 'event' && l.name === 'lock-taken-over')
      expect((takeover?.payload as { previousPid: number }).previousPid).toBe(previousPid)
      const recovered = child.lines.find((l) => l.kind === 'event' && l.name === 'recovered')
      const merged = (recovered?.payload as { merged: string[] } | undefined)?.merged ?? []
      expect(ready.generation).toBe(onDisk.generation + 1)
      expect(ready.seq).toBe(onDisk.seq)
      expect(ready.in_progress).toEqual([])
      expect(ready.completed).toEqual(onDisk.completed)
      expect(ready.failed).toEqual(onDisk.failed)
      const waiting = [...onDisk.pending, ...onDisk.in_progress]
      expect(new Set([...ready.pending, ...merged])).toEqual(new Set(waiting))
      expect(ready.pending.length + merged.length).toBe(waiting.length)
    }

    await new Promise((r) => setTimeout(r, Math.random() * 200))
    child.proc.kill('SIGKILL')
    const { signal } = await child.exited
    expect(signal, child.stderr()).toBe('SIGKILL')
    previousPid = child.proc.pid!

    const summaries = child.lines.filter((l) => l.kind !== 'event')
    const lastDoneAt = summaries.findLastIndex((l) => l.kind === 'done' || l.kind === 'ready')
    const lastDone = asSummary(summaries[lastDoneAt]!)
    const inFlight = summaries[lastDoneAt + 1]
    const actual = await readSummary(file)
    if (inFlight && actual.generation === lastDone.generation + 1) {
      expect(actual).toEqual(asSummary(inFlight))
      result.landedInFlight++
    } else {
      expect(actual).toEqual(lastDone)
    }
    if (summaries.length === 1) result.beforeFirstWrite++
    result.writes += summaries.filter((l) => l.kind === 'done').length
    result.kills++
    onDisk = actual
  }

  // Whatever the last kill left, a last start recovers it cleanly.
  const last = next
  last.proc.stdin!.write('go\n')
  await last.waitFor((l) => l.kind === 'ready')
  last.proc.kill('SIGKILL')
  await last.exited
  const leftovers = (await readdir(join(dir, '.fixloop'))).filter((n) => n.includes('.tmp-'))
  expect(leftovers.length).toBeLessThanOrEqual(1)
  return result
}

describe('state file crash safety', () => {
  it(`survives ${KILLS} SIGKILLs at random moments without losing or duplicating a task`, async () => {
    const perLane = Math.ceil(KILLS / LANES)
    const results = await Promise.all(Array.from({ length: LANES }, () => lane(perLane)))
    const total = results.reduce(
      (a, r) => ({
        kills: a.kills + r.kills,
        landedInFlight: a.landedInFlight + r.landedInFlight,
        beforeFirstWrite: a.beforeFirstWrite + r.beforeFirstWrite,
        writes: a.writes + r.writes,
      }),
      { kills: 0, landedInFlight: 0, beforeFirstWrite: 0, writes: 0 },
    )
    console.log(
      `crash safety: ${total.kills} kills, ${total.writes} completed writes, ` +
        `${total.landedInFlight} kills after an announced write reached the disk, ` +
        `${total.beforeFirstWrite} before the first write`,
    )
    expect(total.kills).toBeGreaterThanOrEqual(KILLS)
    expect(total.writes).toBeGreaterThan(total.kills)
  }, 180_000)
})
