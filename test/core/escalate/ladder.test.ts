import { describe, expect, it } from 'vitest'
import { planLadder } from '../../../src/main/core/escalate/ladder'
import { emptyMemoryEntry } from '../../../src/main/core/escalate/memory'

const now = Date.parse('2026-03-01T12:00:00.000Z')
const sentAt = (iso: string) => ({ ...emptyMemoryEntry(), lastAt: { slack: iso } })
const base = {
  ladder: ['log', 'slack', 'log'] as const,
  rateLimitMinutes: 60,
  rateLimited: new Set(['slack'] as const),
  now,
  missing: () => null,
}

describe('planLadder', () => {
  it('suppresses a channel delivered within the window, and removes duplicates', () => {
    const plan = planLadder({
      ...base,
      ladder: [...base.ladder],
      entry: sentAt('2026-03-01T11:30:00.000Z'),
    })
    expect(plan.active).toEqual(['log'])
    expect(plan.skipped).toEqual([
      {
        channel: 'slack',
        reason: 'rate_limited',
        detail: 'sent 30 min ago for this fingerprint (limit 60 min)',
      },
    ])
  })

  it('lets it through once the window has passed', () => {
    const plan = planLadder({
      ...base,
      ladder: [...base.ladder],
      entry: sentAt('2026-03-01T11:00:00.000Z'),
    })
    expect(plan.active).toEqual(['log', 'slack'])
  })

  it('turns the limit off at 0 minutes', () => {
    const entry = sentAt('2026-03-01T11:59:59.000Z')
    expect(
      planLadder({ ...base, ladder: [...base.ladder], rateLimitMinutes: 0, entry }).active,
    ).toEqual(['log', 'slack'])
  })

  it('does not suppress on a delivery time in the future (clock moved back)', () => {
    const entry = sentAt('2026-03-01T13:00:00.000Z')
    expect(planLadder({ ...base, ladder: [...base.ladder], entry }).active).toEqual([
      'log',
      'slack',
    ])
  })

  it('skips a channel that is not configured before looking at the limit', () => {
    const plan = planLadder({
      ...base,
      ladder: ['slack'],
      entry: sentAt('2026-03-01T11:30:00.000Z'),
      missing: () => 'set SLACK_WEBHOOK_URL',
    })
    expect(plan.skipped).toEqual([
      { channel: 'slack', reason: 'not_configured', detail: 'set SLACK_WEBHOOK_URL' },
    ])
  })
})
