import { describe, expect, it } from 'vitest'
import { describeSalvage, describeSalvageBrief } from '../../../src/main/core/state'
import type { SalvageReport } from '../../../src/main/core/state'
import { SalvageNotes, show } from '../../../src/main/core/state/salvage-notes'

const report = (over: Partial<SalvageReport> = {}): SalvageReport => ({
  counts: {
    tasks: { found: 5, kept: 4 },
    history: { found: 100, kept: 100 },
    testResults: { found: 0, kept: 0 },
    breakers: { found: 1, kept: 1 },
    spendDays: { found: 0, kept: 2 },
    escalations: { found: 0, kept: 0 },
  },
  dropped: ['queues.pending[0]: not a task (7)'],
  repaired: [],
  totals: { dropped: 1, repaired: 0 },
  ...over,
})

describe('describeSalvage', () => {
  it('says what was kept of what was found, then every drop and repair', () => {
    expect(describeSalvage(report())).toBe(
      'Kept 4 of 5 tasks, 100 history entries, 1 breaker, 2 days of spend (rebuilt). ' +
        'Dropped: queues.pending[0]: not a task (7).',
    )
  })

  it('in brief, for status, counts the notes instead of listing them', () => {
    expect(describeSalvageBrief(report({ totals: { dropped: 1, repaired: 3 } }))).toBe(
      'the next start keeps 4 of 5 tasks, 100 history entries, 1 breaker, 2 days of spend (rebuilt) (1 dropped, 3 repaired)',
    )
  })
})

describe('SalvageNotes', () => {
  it('lists up to 200 notes of a kind and counts the rest', () => {
    const notes = new SalvageNotes()
    for (let i = 0; i < 250; i++) notes.drop(`x[${i}]`, 'bad')
    const { dropped, totals } = notes.lines()
    expect(dropped).toHaveLength(201)
    expect(dropped[0]).toBe('x[0]: bad')
    expect(dropped.at(-1)).toBe('… and 50 more')
    expect(totals).toEqual({ dropped: 250, repaired: 0 })
  })
})

describe('show', () => {
  it('never renders more than a short prefix of what the file held', () => {
    expect(show('y'.repeat(10_000))).toBe(`"${'y'.repeat(40)}"…`)
    expect(show(new Array(1e6))).toBe('a list of 1000000')
    expect(show({ huge: 'x' })).toBe('an object')
    expect(show(undefined)).toBe('missing')
    expect(show(null)).toBe('null')
  })
})
