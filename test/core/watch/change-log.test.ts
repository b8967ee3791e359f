import { describe, expect, it } from 'vitest'
import { ChangeLog } from '../../../src/main/core/watch/change-log'
import { ManualClock } from '../../support/manual-clock'

describe('ChangeLog', () => {
  it('keeps the last change of each path, and forgets it after the ttl', () => {
    const clock = new ManualClock()
    const log = new ChangeLog({ clock, ttlMs: 1000 })
    const t0 = clock.now()
    expect(log.lastChangeAt('a.ts')).toBeNull()
    log.note('a.ts', t0)
    log.note('a.ts', t0 + 20)
    // A late delivery of an older event does not move the time back
    log.note('a.ts', t0 + 10)
    expect(log.lastChangeAt('a.ts')).toBe(t0 + 20)
    clock.advance(1020)
    expect(log.lastChangeAt('a.ts')).toBeNull()
  })

  it('keeps at most maxEntries paths, dropping the least recently changed', () => {
    const clock = new ManualClock()
    const log = new ChangeLog({ clock, maxEntries: 2 })
    log.note('a.ts', clock.now())
    log.note('b.ts', clock.now())
    log.note('a.ts', clock.now())
    log.note('c.ts', clock.now())
    expect(log.size).toBe(2)
    expect(log.lastChangeAt('b.ts')).toBeNull()
    expect(log.lastChangeAt('a.ts')).not.toBeNull()
  })

  it('wakes a waiter at the next change of one of its paths, and not for others', async () => {
    const log = new ChangeLog({ clock: new ManualClock() })
    const abort = new AbortController()
    let woken: string | null = null
    const waiting = log.nextChange(['a.ts', 'b.ts'], abort.signal).then((rel) => (woken = rel))
    log.note('c.ts', 1)
    await Promise.resolve()
    expect(woken).toBeNull()
    log.note('b.ts', 2)
    await waiting
    expect(woken).toBe('b.ts')
  })

  it('stops waiting when the signal is aborted', async () => {
    const log = new ChangeLog({ clock: new ManualClock() })
    const abort = new AbortController()
    const waiting = log.nextChange(['a.ts'], abort.signal)
    abort.abort(new Error('paused'))
    await expect(waiting).rejects.toThrow('paused')
    await expect(log.nextChange(['a.ts'], abort.signal)).rejects.toThrow('paused')
  })
})
