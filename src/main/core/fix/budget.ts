/**
 * Spend control: per-attempt, per-task and per-day caps in USD and in tokens. The AutoFixer checks
 * before each request (and after each answer); a non-null result stops the work and pauses auto-fix
 * with the reason in words.
 *
 * Tokens counted against a budget are the fresh ones: input, cache writes and output. Cache reads are
 * left out of the token count on purpose (re-reading the cached prefix is what makes attempt 2..n
 * cheap), but their price is in the USD figure, which bounds the real spend.
 */
import { EMPTY_USAGE, type Usage } from '../../../shared/domain'
import type { Settings } from '../../../shared/settings'

export type Budgets = Settings['budgets']
export type BudgetScope = 'attempt' | 'task' | 'day'

/** What has been spent so far in each scope; a scope left out counts as nothing spent. */
export interface Spend {
  attempt?: Usage
  task?: Usage
  day?: Usage
}

export interface BudgetStop {
  scope: BudgetScope
  unit: 'usd' | 'tokens'
  limit: number
  spent: number
  /** "daily budget of $10.00 reached: $10.03 spent today" */
  reason: string
}

/** Tokens a usage counts against token budgets (see the module note on cache reads). */
export function budgetTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheCreationInputTokens + usage.outputTokens
}

/** The sum of usages: the one implementation, shared with the client's accounting. */
export { addUsage } from '../claude/pricing'

const SCOPES: { scope: BudgetScope; usd: keyof Budgets; tokens: keyof Budgets }[] = [
  { scope: 'day', usd: 'dayUsd', tokens: 'dayTokens' },
  { scope: 'task', usd: 'taskUsd', tokens: 'taskTokens' },
  { scope: 'attempt', usd: 'attemptUsd', tokens: 'attemptTokens' },
]

/**
 * The first budget reached, widest scope first (a spent day outranks a spent task), or null when work
 * may go on. A budget is reached when the spend is at or over it, so a limit of 0 allows no spend.
 */
export function checkBudgets(spend: Spend, budgets: Budgets): BudgetStop | null {
  for (const { scope, usd, tokens } of SCOPES) {
    const usage = spend[scope] ?? EMPTY_USAGE
    const usdLimit = budgets[usd]
    if (usage.costUsd >= usdLimit) {
      return {
        scope,
        unit: 'usd',
        limit: usdLimit,
        spent: usage.costUsd,
        reason: `${LABEL[scope]} budget of ${dollars(usdLimit)} reached: ${dollars(usage.costUsd)} spent ${WHERE[scope]}`,
      }
    }
    const tokenLimit = budgets[tokens]
    const used = budgetTokens(usage)
    if (used >= tokenLimit) {
      return {
        scope,
        unit: 'tokens',
        limit: tokenLimit,
        spent: used,
        reason: `${LABEL[scope]} token budget of ${count(tokenLimit)} reached: ${count(used)} tokens used ${WHERE[scope]}`,
      }
    }
  }
  return null
}

/**
 * What is left before the tightest budget is reached, in USD and in tokens, so a request can be sized
 * (e.g. its `max_tokens`) to stay inside it.
 */
export function remainingBudget(spend: Spend, budgets: Budgets): { usd: number; tokens: number } {
  let usd = Infinity
  let tokens = Infinity
  for (const { scope, usd: u, tokens: t } of SCOPES) {
    const usage = spend[scope] ?? EMPTY_USAGE
    usd = Math.min(usd, budgets[u] - usage.costUsd)
    tokens = Math.min(tokens, budgets[t] - budgetTokens(usage))
  }
  return { usd: Math.max(0, usd), tokens: Math.max(0, tokens) }
}

/** The calendar day (local time, YYYY-MM-DD) a moment falls in: the day budget resets at midnight. */
export function dayKey(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

const LABEL: Record<BudgetScope, string> = {
  day: 'daily',
  task: 'per-task',
  attempt: 'per-attempt',
}
const WHERE: Record<BudgetScope, string> = {
  day: 'today',
  task: 'on this task',
  attempt: 'in this attempt',
}

function dollars(n: number): string {
  // Small spends show enough digits to be non-zero; budgets and real spends read as dollars and cents.
  return n > 0 && n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`
}

const count = (n: number) => n.toLocaleString('en-US')
