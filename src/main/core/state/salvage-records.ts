/**
 * Salvage of the records that must outlive any damage to the rest of the state file: daily spend
 * (the day budget), circuit breakers, the all-time stats and the escalation memos (so a repeat
 * comments on its GitHub issue instead of opening another). Each is kept entry by entry, and each
 * damaged figure is repaired on the safe side.
 */
import { Breaker, BreakerState, EscalationChannel, Usage, isoTime } from '../../../shared/domain'
import type { Queues } from '../../../shared/domain'
import { dayKey } from '../fix/budget'
import { DayKey, EscalationMemo, PersistedStats, freshStats } from './schema'
import { show } from './salvage-notes'
import type { SalvageNotes } from './salvage-notes'
import { fieldwise, isRecord, sumUsage, valid } from './salvage-values'

/**
 * Day by day. A damaged figure is replaced by what the kept tasks' attempts spent that day, a lower
 * bound, so a broken record never hands out a fresh daily budget; a spend that is not an object at
 * all is rebuilt the same way, for every day the attempts cover.
 */
export function salvageSpend(
  raw: unknown,
  queues: Queues,
  notes: SalvageNotes,
): { value: Record<string, Usage>; found: number } {
  const byDay = new Map<string, Usage[]>()
  for (const task of Object.values(queues).flat()) {
    for (const attempt of task.attempts) {
      const ms = Date.parse(attempt.startedAt)
      if (Number.isNaN(ms)) continue
      const day = dayKey(ms)
      const list = byDay.get(day)
      if (list) list.push(attempt.usage)
      else byDay.set(day, [attempt.usage])
    }
  }
  const fromTasks = (day: string) => sumUsage(byDay.get(day) ?? [])
  const source = "from the tasks' attempts that day, a lower bound"
  if (!isRecord(raw)) {
    const value = Object.fromEntries([...byDay.keys()].map((day) => [day, fromTasks(day)]))
    notes.repair(
      'spend',
      `not an object (${show(raw)}) → rebuilt for ${byDay.size} day(s) from the tasks' attempts, a lower bound`,
    )
    return { value, found: 0 }
  }
  const value: Record<string, Usage> = {}
  for (const [day, record] of Object.entries(raw)) {
    if (!DayKey.safeParse(day).success) {
      notes.drop(`spend[${show(day)}]`, 'not a day (YYYY-MM-DD)')
      continue
    }
    value[day] = fieldwise(Usage.shape, record, fromTasks(day), `spend.${day}`, notes, source)
  }
  return { value, found: Object.keys(raw).length }
}

const SEVERITY = { open: 2, half_open: 1, closed: 0 } as const

/**
 * Breaker by breaker; only one without a file is dropped. An unreadable state is taken from its
 * opening time (set: open; none: closed); an unreadable opening time of a breaker that is not closed
 * becomes now, so its window starts again rather than being skipped. Two breakers on one file: the
 * more restrictive is kept.
 */
export function salvageBreakers(
  raw: unknown,
  now: string,
  notes: SalvageNotes,
): { value: Breaker[]; found: number } {
  if (raw === undefined) return { value: [], found: 0 }
  if (!Array.isArray(raw)) {
    notes.drop('breakers', `not a list (${show(raw)})`)
    return { value: [], found: 0 }
  }
  const byFile = new Map<string, { breaker: Breaker; where: string }>()
  raw.forEach((item, i) => {
    const where = `breakers[${i}]`
    const breaker = repairBreaker(item, where, now, notes)
    if (!breaker) return
    const held = byFile.get(breaker.file)
    if (held && SEVERITY[held.breaker.state] >= SEVERITY[breaker.state]) {
      notes.drop(
        where,
        `a second breaker on ${breaker.file}; the ${held.breaker.state} one at ${held.where} is kept`,
      )
      return
    }
    if (held) {
      notes.drop(
        held.where,
        `a second breaker on ${breaker.file}; the ${breaker.state} one at ${where} is kept`,
      )
    }
    byFile.set(breaker.file, { breaker, where })
  })
  const value = [...byFile.values()].map((b) => b.breaker)
  return { value, found: raw.length }
}

function repairBreaker(
  item: unknown,
  where: string,
  now: string,
  notes: SalvageNotes,
): Breaker | null {
  const whole = Breaker.safeParse(item)
  if (whole.success) return whole.data
  if (!isRecord(item) || typeof item.file !== 'string') {
    notes.drop(where, `no file (${show(isRecord(item) ? item.file : item)})`)
    return null
  }
  const name = `${where} (${item.file})`
  const list = Array.isArray(item.failures) ? item.failures : []
  const failures = list.filter((t): t is string => isoTime.safeParse(t).success)
  if (failures.length !== list.length || !Array.isArray(item.failures)) {
    notes.repair(name, `failures ${show(item.failures)} → the ${failures.length} readable`)
  }
  const opened = isoTime.nullable().safeParse(item.openedAt)
  const parsedState = BreakerState.safeParse(item.state)
  const state = parsedState.success
    ? parsedState.data
    : opened.success && opened.data
      ? 'open'
      : 'closed'
  if (!parsedState.success) notes.repair(name, `state ${show(item.state)} → "${state}"`)
  const openedAt = opened.success ? opened.data : state === 'closed' ? null : now
  if (!opened.success) notes.repair(name, `openedAt ${show(item.openedAt)} → ${show(openedAt)}`)
  return { file: item.file, state, failures, openedAt }
}

/** Memo by memo: unreadable delivery times are forgotten, an unreadable issue number is none. */
export function salvageEscalations(
  raw: unknown,
  notes: SalvageNotes,
): { value: Record<string, EscalationMemo>; found: number } {
  if (raw === undefined) return { value: {}, found: 0 }
  if (!isRecord(raw)) {
    notes.drop('escalations', `not an object (${show(raw)})`)
    return { value: {}, found: 0 }
  }
  const value: Record<string, EscalationMemo> = {}
  for (const [key, memo] of Object.entries(raw)) {
    const where = `escalations[${show(key)}]`
    const whole = EscalationMemo.safeParse(memo)
    if (whole.success && key !== '') {
      value[key] = whole.data
      continue
    }
    if (key === '' || !isRecord(memo)) {
      notes.drop(where, key === '' ? 'no fingerprint' : `not a record (${show(memo)})`)
      continue
    }
    const times = isRecord(memo.lastAt) ? Object.entries(memo.lastAt) : []
    const lastAt = Object.fromEntries(
      times.filter(
        ([c, t]) => EscalationChannel.safeParse(c).success && isoTime.safeParse(t).success,
      ),
    )
    if (!isRecord(memo.lastAt) || Object.keys(lastAt).length !== times.length) {
      notes.repair(
        where,
        `lastAt: ${times.length - Object.keys(lastAt).length} unreadable time(s) forgotten`,
      )
    }
    const shape = EscalationMemo.shape
    value[key] = {
      lastAt,
      githubIssue: valid(shape.githubIssue, memo.githubIssue, null, `${where}.githubIssue`, notes),
      githubIssueUrl: valid(
        shape.githubIssueUrl,
        memo.githubIssueUrl,
        null,
        `${where}.githubIssueUrl`,
        notes,
      ),
    }
  }
  return { value, found: Object.keys(raw).length }
}

/** Counter by counter; damaged all-time usage is rebuilt from the kept spend, a lower bound. */
export function salvageStats(
  raw: unknown,
  spend: Record<string, Usage>,
  notes: SalvageNotes,
): PersistedStats {
  const fallback = { ...freshStats(), usage: sumUsage(Object.values(spend)) }
  if (!isRecord(raw)) {
    notes.repair(
      'stats',
      `not an object (${show(raw)}) → counters from 0, usage from the kept spend`,
    )
    return fallback
  }
  const usage = fieldwise(
    Usage.shape,
    raw.usage,
    fallback.usage,
    'stats.usage',
    notes,
    'the kept spend',
  )
  return fieldwise(PersistedStats.shape, { ...raw, usage }, fallback, 'stats', notes)
}
