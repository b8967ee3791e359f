import { describe, expect, it } from 'vitest'
import { EMPTY_USAGE, type Usage } from '../../../src/shared/domain'
import { DEFAULT_SETTINGS } from '../../../src/shared/settings'
import {
  addUsage,
  budgetTokens,
  checkBudgets,
  dayKey,
  remainingBudget,
} from '../../../src/main/core/fix/budget'

const budgets = DEFAULT_SETTINGS.budgets // $0.50 / $2 / $10; 200k / 800k / 4M tokens
const usage = (
  costUsd: number,
  inputTokens = 0,
  outputTokens = 0,
  extra: Partial<Usage> = {},
): Usage => ({
  ...EMPTY_USAGE,
  requests: 1,
  costUsd,
  inputTokens,
  outputTokens,
  ...extra,
})

describe('checkBudgets', () => {
  it('lets work go on under every budget', () => {
    expect(checkBudgets({ attempt: usage(0.1), task: usage(1), day: usage(5) }, budgets)).toBeNull()
    expect(checkBudgets({}, budgets)).toBeNull()
  })

  it('stops at the daily budget with the amount spent', () => {
    expect(checkBudgets({ day: usage(10.03) }, budgets)).toEqual({
      scope: 'day',
      unit: 'usd',
      limit: 10,
      spent: 10.03,
      reason: 'daily budget of $10.00 reached: $10.03 spent today',
    })
  })

  it('stops at the per-task and per-attempt budgets', () => {
    expect(checkBudgets({ task: usage(2) }, budgets)?.reason).toBe(
      'per-task budget of $2.00 reached: $2.00 spent on this task',
    )
    expect(checkBudgets({ attempt: usage(0.61) }, budgets)?.reason).toBe(
      'per-attempt budget of $0.50 reached: $0.61 spent in this attempt',
    )
  })

  it('stops at token budgets too', () => {
    expect(checkBudgets({ attempt: usage(0.01, 150_000, 50_001) }, budgets)).toEqual({
      scope: 'attempt',
      unit: 'tokens',
      limit: 200_000,
      spent: 200_001,
      reason: 'per-attempt token budget of 200,000 reached: 200,001 tokens used in this attempt',
    })
  })

  it('names the widest budget reached first', () => {
    const spend = { attempt: usage(0.7), task: usage(2.5), day: usage(12) }
    expect(checkBudgets(spend, budgets)?.scope).toBe('day')
    expect(checkBudgets({ ...spend, day: usage(3) }, budgets)?.scope).toBe('task')
  })

  it('treats a zero budget as no spend allowed', () => {
    expect(checkBudgets({}, { ...budgets, dayUsd: 0 })?.reason).toBe(
      'daily budget of $0.00 reached: $0.00 spent today',
    )
  })
})

describe('accounting', () => {
  it('counts fresh tokens, not cache reads, against token budgets', () => {
    const u = usage(0, 100, 50, { cacheCreationInputTokens: 1000, cacheReadInputTokens: 90_000 })
    expect(budgetTokens(u)).toBe(1150)
  })

  it('adds usages field by field', () => {
    const total = addUsage(usage(0.1, 10, 20), usage(0.2, 1, 2, { cacheReadInputTokens: 5 }))
    expect(total).toEqual({
      requests: 2,
      inputTokens: 11,
      outputTokens: 22,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 5,
      costUsd: 0.3,
    })
  })

  it('says what is left under the tightest budget', () => {
    const left = remainingBudget(
      { attempt: usage(0.2, 1000), task: usage(1.9), day: usage(9) },
      budgets,
    )
    expect(left.usd).toBeCloseTo(0.1, 10)
    expect(left.tokens).toBe(199_000)
    expect(remainingBudget({ day: usage(11) }, budgets).usd).toBe(0)
  })

  it('keys the daily budget by local calendar day', () => {
    const noon = new Date(2026, 2, 1, 12, 0, 0).getTime()
    expect(dayKey(noon)).toBe('2026-03-01')
    expect(dayKey(new Date(2026, 2, 1, 23, 59, 59).getTime())).toBe('2026-03-01')
    expect(dayKey(new Date(2026, 2, 2, 0, 0, 0).getTime())).toBe('2026-03-02')
  })
})
