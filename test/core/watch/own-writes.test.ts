import { describe, expect, it } from 'vitest'
import type { Clock } from '../../../src/main/core/util/clock'
import { OwnWrites } from '../../../src/main/core/watch/own-writes'

/** Time that moves only when told: own-write expiry is pure timing logic. */
function manualClock(start = 0) {
  let now = start
  const clock: Clock = {
    now: () => now,
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
  }
  return { clock, advance: (ms: number) => (now += ms) }
}

describe('OwnWrites', () => {
  it('recognises a registered hash for the path, under any spelling of it', () => {
    const writes = new OwnWrites()
    writes.register('/p/src/a.ts', 'h1')
    expect(writes.has('/p/src/../src/a.ts')).toBe(true)
    expect(writes.isOwn('/p/src/a.ts', 'h1')).toBe(true)
    // Kept until it expires: one write can reach the watcher as events in two batches
    expect(writes.isOwn('/p/src/a.ts', 'h1')).toBe(true)
    expect(writes.has('/p/src/b.ts')).toBe(false)
  })

  it('clears a path whose content someone else changed', () => {
    const writes = new OwnWrites()
    writes.register('/p/a.ts', 'h1')
    expect(writes.isOwn('/p/a.ts', 'other')).toBe(false)
    expect(writes.has('/p/a.ts')).toBe(false)
    expect(writes.isOwn('/p/a.ts', 'h1')).toBe(false)
  })

  it('keeps every write of a quick sequence', () => {
    const writes = new OwnWrites()
    writes.register('/p/a.ts', 'h1')
    writes.register('/p/a.ts', 'h2')
    expect(writes.isOwn('/p/a.ts', 'h2')).toBe(true)
    expect(writes.isOwn('/p/a.ts', 'h1')).toBe(true)
    expect(writes.size).toBe(2)
  })

  it('expires registrations after the ttl', () => {
    const { clock, advance } = manualClock()
    const writes = new OwnWrites({ clock, ttlMs: 1000 })
    writes.register('/p/a.ts', 'h1')
    advance(999)
    expect(writes.has('/p/a.ts')).toBe(true)
    advance(1)
    expect(writes.has('/p/a.ts')).toBe(false)
    expect(writes.size).toBe(0)
  })

  it('bounds its memory by dropping the oldest registrations', () => {
    const writes = new OwnWrites({ maxEntries: 3 })
    for (const name of ['a', 'b', 'c', 'd']) writes.register(`/p/${name}.ts`, name)
    expect(writes.size).toBe(3)
    expect(writes.has('/p/a.ts')).toBe(false)
    expect(writes.has('/p/d.ts')).toBe(true)
  })
})
