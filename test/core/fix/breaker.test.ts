import { describe, expect, it } from 'vitest'
import type { Breaker } from '../../../src/shared/domain'
import { DEFAULT_SETTINGS } from '../../../src/shared/settings'
import {
  breakerConfig,
  breakerKeys,
  currentBreakers,
  gateBreakers,
  recordTaskResult,
  resetBreaker,
} from '../../../src/main/core/fix/breaker'

const config = breakerConfig(DEFAULT_SETTINGS) // 3 failures within 3600 s
const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const min = 60_000
/** A task about a source file and the test that covers it. */
const TASK = ['src/math.ts', 'test/math.test.ts']

function failTimes(n: number, start = T0, step = min): Breaker[] {
  let breakers: Breaker[] = []
  for (let i = 0; i < n; i++)
    breakers = recordTaskResult(breakers, TASK, 'failure', start + i * step, config)
  return breakers
}

describe('breakerKeys', () => {
  it('keys a task by its source files, not its tests or snapshots', () => {
    expect(breakerKeys(['test/math.test.ts', 'src/math.ts', 'src/__snapshots__/a.snap'])).toEqual([
      'src/math.ts',
    ])
  })

  it('falls back to the test files of a task about tests only', () => {
    expect(breakerKeys(['test/b.test.ts', 'test/a.test.ts'])).toEqual([
      'test/a.test.ts',
      'test/b.test.ts',
    ])
  })
})

describe('the breaker', () => {
  it('stays closed below the threshold', () => {
    const breakers = failTimes(2)
    expect(breakers).toEqual([
      {
        file: 'src/math.ts',
        state: 'closed',
        failures: ['2026-03-01T10:00:00.000Z', '2026-03-01T10:01:00.000Z'],
        openedAt: null,
      },
    ])
    expect(gateBreakers(breakers, TASK, T0 + 2 * min, config).allowed).toBe(true)
  })

  it('opens for the source file after threshold failures within the window', () => {
    const breakers = failTimes(3)
    expect(breakers).toEqual([
      {
        file: 'src/math.ts',
        state: 'open',
        failures: [
          '2026-03-01T10:00:00.000Z',
          '2026-03-01T10:01:00.000Z',
          '2026-03-01T10:02:00.000Z',
        ],
        openedAt: '2026-03-01T10:02:00.000Z',
      },
    ])
    const gate = gateBreakers(breakers, TASK, T0 + 10 * min, config)
    expect(gate).toMatchObject({
      allowed: false,
      retryAt: T0 + 62 * min,
      reason:
        'circuit breaker open for src/math.ts (3 failed tasks within 60 min; next trial in 52 min, at 2026-03-01T11:02:00.000Z); reset it to try now',
    })
  })

  it('blocks any task touching the file, whatever test it came with', () => {
    const breakers = failTimes(3)
    expect(gateBreakers(breakers, ['src/math.ts'], T0 + 5 * min, config).allowed).toBe(false)
    expect(gateBreakers(breakers, ['src/other.ts'], T0 + 5 * min, config).allowed).toBe(true)
  })

  it('does not open when the failures are spread wider than the window', () => {
    const breakers = failTimes(5, T0, 40 * min)
    expect(breakers[0]?.state).toBe('closed')
    expect(breakers[0]?.failures).toHaveLength(2)
  })

  it('goes half-open when the window has passed: one trial whose success closes it', () => {
    const opened = failTimes(3)
    const later = T0 + 2 * min + 3600 * 1000
    const gate = gateBreakers(opened, TASK, later, config)
    expect(gate).toMatchObject({ allowed: true, trial: ['src/math.ts'] })
    expect(gate.breakers[0]?.state).toBe('half_open')
    const closed = recordTaskResult(gate.breakers, TASK, 'success', later + min, config)
    expect(closed).toEqual([])
    expect(gateBreakers(closed, TASK, later + 2 * min, config)).toMatchObject({
      allowed: true,
      trial: [],
    })
  })

  it('re-opens on a failed trial, for a whole new window', () => {
    const opened = failTimes(3)
    const later = T0 + 2 * min + 3600 * 1000
    const gate = gateBreakers(opened, TASK, later, config)
    const reopened = recordTaskResult(gate.breakers, TASK, 'failure', later + min, config)
    expect(reopened[0]).toMatchObject({
      state: 'open',
      openedAt: new Date(later + min).toISOString(),
    })
    expect(gateBreakers(reopened, TASK, later + 30 * min, config).allowed).toBe(false)
    expect(gateBreakers(reopened, TASK, later + min + 3600 * 1000, config).allowed).toBe(true)
  })

  it('is closed at once by the user reset', () => {
    const opened = failTimes(3)
    const reset = resetBreaker(opened, 'src/math.ts')
    expect(reset).toEqual([])
    expect(gateBreakers(reset, TASK, T0 + 3 * min, config).allowed).toBe(true)
    // And counting starts again from zero.
    expect(recordTaskResult(reset, TASK, 'failure', T0 + 4 * min, config)[0]?.state).toBe('closed')
  })

  it('keeps counting failures across a success while closed', () => {
    let breakers = failTimes(2)
    breakers = recordTaskResult(breakers, TASK, 'success', T0 + 3 * min, config)
    breakers = recordTaskResult(breakers, TASK, 'failure', T0 + 4 * min, config)
    expect(breakers[0]?.state).toBe('open')
  })

  it('shows an open breaker whose window passed as half-open, and drops stale failures', () => {
    const opened = failTimes(3)
    expect(currentBreakers(opened, T0 + 30 * min, config)[0]?.state).toBe('open')
    const view = currentBreakers(opened, T0 + 2 * min + 3600 * 1000, config)
    expect(view).toEqual([
      {
        file: 'src/math.ts',
        state: 'half_open',
        failures: [],
        openedAt: '2026-03-01T10:02:00.000Z',
      },
    ])
    const closed = failTimes(1)
    expect(currentBreakers(closed, T0 + 2 * 3600 * 1000, config)).toEqual([])
  })

  it('honours a custom threshold and window', () => {
    const strict = breakerConfig({ breakerThreshold: 1, breakerWindowSeconds: 60 })
    const breakers = recordTaskResult([], ['src/a.ts'], 'failure', T0, strict)
    expect(breakers[0]?.state).toBe('open')
    expect(gateBreakers(breakers, ['src/a.ts'], T0 + 59_000, strict).allowed).toBe(false)
    expect(gateBreakers(breakers, ['src/a.ts'], T0 + 60_000, strict).allowed).toBe(true)
  })
})
