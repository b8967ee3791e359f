import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChangeBatcher, type ClosedWindow } from '../../../src/main/core/watch/change-batcher'
import { systemClock } from '../../../src/main/core/util/clock'
import { ManualClock } from '../../support/manual-clock'

function batcher(debounceMs: number, maxWaitMs: number) {
  const closed: ClosedWindow[] = []
  const instance = new ChangeBatcher({
    debounceMs,
    maxWaitMs,
    clock: systemClock,
    onClose: (window) => closed.push(window),
  })
  return { instance, closed }
}

/** The batcher looks once more, a timer turn later, before closing a quiet window. */
const CONFIRM_MS = 1

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('ChangeBatcher', () => {
  it('closes a window after the debounce of quiet', () => {
    const { instance, closed } = batcher(2000, 10_000)
    instance.add('a.ts', 'update')
    vi.advanceTimersByTime(1999)
    expect(closed).toHaveLength(0)
    vi.advanceTimersByTime(1 + CONFIRM_MS)
    expect(closed).toHaveLength(1)
    expect(closed[0]?.reason).toBe('quiet')
    expect(closed[0]?.closedAt).toBe(1_002_000)
  })

  it('moves the deadline with each change', () => {
    const { instance, closed } = batcher(2000, 10_000)
    instance.add('a.ts', 'update')
    vi.advanceTimersByTime(1500)
    instance.add('b.ts', 'update')
    vi.advanceTimersByTime(1500)
    expect(closed).toHaveLength(0)
    vi.advanceTimersByTime(500 + CONFIRM_MS)
    expect([...(closed[0]?.changes.keys() ?? [])]).toEqual(['a.ts', 'b.ts'])
  })

  it('closes at the maximum wait while changes keep coming', () => {
    const { instance, closed } = batcher(2000, 10_000)
    for (let t = 0; t < 15_000; t += 500) {
      instance.add(`f${t % 3}.ts`, 'update')
      vi.advanceTimersByTime(500)
    }
    expect(closed[0]?.reason).toBe('max-wait')
    expect(closed[0]?.closedAt).toBe(1_010_000)
    expect(closed[0]?.changes.size).toBe(3)
  })

  it('collapses duplicate events and keeps the last type (delete then create is a create)', () => {
    const { instance, closed } = batcher(100, 1000)
    instance.add('a.ts', 'update')
    instance.add('a.ts', 'update')
    instance.add('b.ts', 'delete')
    instance.add('b.ts', 'create')
    vi.advanceTimersByTime(100 + CONFIRM_MS)
    const changes = closed[0]?.changes
    expect(changes?.size).toBe(2)
    expect(changes?.get('b.ts')?.type).toBe('create')
  })

  it('flushes on demand and does nothing when empty', () => {
    const { instance, closed } = batcher(2000, 10_000)
    instance.flush()
    expect(closed).toHaveLength(0)
    instance.add('a.ts', 'update')
    instance.flush()
    expect(closed[0]?.reason).toBe('flush')
    vi.advanceTimersByTime(5000)
    expect(closed).toHaveLength(1)
  })

  it('raises a maximum wait below the debounce to the debounce', () => {
    const { instance, closed } = batcher(1000, 10)
    instance.add('a.ts', 'update')
    vi.advanceTimersByTime(999)
    expect(closed).toHaveLength(0)
    vi.advanceTimersByTime(1 + CONFIRM_MS)
    expect(closed).toHaveLength(1)
  })

  it('restores held-over changes into the next window', () => {
    const { instance, closed } = batcher(100, 1000)
    instance.restore(
      new Map([['a.ts', { type: 'delete', firstAt: Date.now(), lastAt: Date.now() }]]),
    )
    expect(instance.size).toBe(1)
    vi.advanceTimersByTime(100 + CONFIRM_MS)
    expect(closed[0]?.changes.get('a.ts')?.type).toBe('delete')
  })

  it('does not call a window quiet while an event that arrived in time is still queued', () => {
    const { instance, closed } = batcher(100, 1000)
    instance.add('a.ts', 'update')
    vi.advanceTimersByTime(100)
    // Delivered in the same turn as the timer, just after it
    instance.add('b.ts', 'update')
    vi.advanceTimersByTime(CONFIRM_MS)
    expect(closed).toHaveLength(0)
    vi.advanceTimersByTime(100 + CONFIRM_MS)
    expect(closed[0]?.changes.size).toBe(2)
  })

  it('rejects negative timings', () => {
    expect(() => batcher(-1, 0)).toThrow(RangeError)
    expect(() => batcher(0, Number.NaN)).toThrow(RangeError)
  })
})

describe('ChangeBatcher and a repeated event', () => {
  function manual(debounceMs = 300, maxWaitMs = 10_000) {
    const clock = new ManualClock()
    const closed: ClosedWindow[] = []
    const instance = new ChangeBatcher({
      debounceMs,
      maxWaitMs,
      clock,
      onClose: (window) => closed.push(window),
    })
    return { clock, instance, closed, t0: clock.now() }
  }

  it('does not move the deadline for a repeat of the last event (same type, same state)', () => {
    const { clock, instance, closed, t0 } = manual()
    expect(instance.add('a.ts', 'update', clock.now(), '1:10:100')).toBe(true)
    clock.advance(50)
    expect(instance.add('a.ts', 'update', clock.now(), '1:10:100')).toBe(false)
    clock.advance(250)
    expect(closed).toHaveLength(1)
    expect(closed[0]?.closedAt).toBe(t0 + 300)
    expect(closed[0]?.changes.get('a.ts')).toMatchObject({ firstAt: t0, lastAt: t0 })
  })

  it('moves the deadline when the state or the type differs, or is unknown', () => {
    const { clock, instance, closed, t0 } = manual()
    instance.add('a.ts', 'update', clock.now(), '1:10:100')
    clock.advance(50)
    expect(instance.add('a.ts', 'update', clock.now(), '1:11:150')).toBe(true)
    clock.advance(50)
    expect(instance.add('a.ts', 'delete', clock.now(), '1:11:150')).toBe(true)
    clock.advance(50)
    expect(instance.add('a.ts', 'delete', clock.now())).toBe(true)
    clock.advance(299)
    expect(closed).toHaveLength(0)
    clock.advance(1)
    expect(closed[0]?.closedAt).toBe(t0 + 450)
  })

  it('opens no window for a repeat arriving just after the window closed', () => {
    const { clock, instance, closed } = manual(30)
    instance.add('a.ts', 'update', clock.now(), '1:10:100')
    instance.add('b.ts', 'create', clock.now(), '2:5:100')
    clock.advance(40)
    expect(closed).toHaveLength(1)
    expect(instance.add('a.ts', 'update', clock.now(), '1:10:100')).toBe(false)
    expect(instance.add('b.ts', 'create', clock.now(), '2:5:100')).toBe(false)
    expect(instance.size).toBe(0)
    clock.advance(1000)
    expect(closed).toHaveLength(1)
    // A real change of the same file after it does open one
    expect(instance.add('a.ts', 'update', clock.now(), '1:12:1100')).toBe(true)
    clock.advance(31)
    expect(closed).toHaveLength(2)
  })

  it('forgets the last window once another has closed', () => {
    const { clock, instance, closed } = manual(30)
    instance.add('a.ts', 'update', clock.now(), '1:10:100')
    clock.advance(40)
    instance.add('b.ts', 'update', clock.now(), '2:10:100')
    clock.advance(40)
    expect(closed).toHaveLength(2)
    // Only the window just closed is remembered; the batch builder judges an older repeat
    expect(instance.add('a.ts', 'update', clock.now(), '1:10:100')).toBe(true)
  })
})
