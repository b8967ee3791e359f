/** Small helpers the salvage of each part of the state file shares. */
import { z } from 'zod'
import { EMPTY_USAGE } from '../../../shared/domain'
import type { Usage } from '../../../shared/domain'
import type { SalvageNotes } from './salvage-notes'
import { firstIssue, show } from './salvage-notes'

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function sumUsage(list: readonly Usage[]): Usage {
  const total = { ...EMPTY_USAGE }
  for (const u of list) {
    for (const key of Object.keys(total) as (keyof Usage)[]) total[key] += u[key]
  }
  return total
}

/**
 * An object checked field by field against `shape`: a field that passes keeps its value, one that
 * does not takes `fallback[key]` and is noted as repaired. Not an object at all: every field falls
 * back, in one note.
 */
export function fieldwise<S extends z.ZodRawShape>(
  shape: S,
  raw: unknown,
  fallback: { [K in keyof S]: z.output<S[K]> },
  where: string,
  notes: SalvageNotes,
  /** Said after each fallback value: where it came from. */
  source = '',
): { [K in keyof S]: z.output<S[K]> } {
  const out = { ...fallback }
  const from = source ? ` (${source})` : ''
  if (!isRecord(raw)) {
    notes.repair(where, `not an object (${show(raw)}) → rebuilt${from}`)
    return out
  }
  for (const key of Object.keys(shape) as (keyof S & string)[]) {
    const parsed = z.safeParse(shape[key]!, raw[key])
    if (parsed.success) out[key] = parsed.data as z.output<S[typeof key]>
    else notes.repair(`${where}.${key}`, `${show(raw[key])} → ${show(fallback[key])}${from}`)
  }
  return out
}

/**
 * The entries of a list that pass `schema`, each failure noted as dropped. A value that is not a
 * list is dropped whole (and a missing one is simply empty).
 */
export function validEntries<T>(
  raw: unknown,
  schema: z.ZodType<T>,
  where: string,
  notes: SalvageNotes,
): { kept: T[]; found: number } {
  if (raw === undefined) return { kept: [], found: 0 }
  if (!Array.isArray(raw)) {
    notes.drop(where, `not a list (${show(raw)})`)
    return { kept: [], found: 0 }
  }
  const kept: T[] = []
  raw.forEach((item, i) => {
    const parsed = schema.safeParse(item)
    if (parsed.success) kept.push(parsed.data)
    else notes.drop(`${where}[${i}]`, firstIssue(parsed.error))
  })
  return { kept, found: raw.length }
}

/** `raw` if it passes `schema`, else `fallback`, noted as repaired. */
export function valid<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  raw: unknown,
  fallback: T,
  where: string,
  notes: SalvageNotes,
): T {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  notes.repair(where, `${show(raw)} → ${show(fallback)}`)
  return fallback
}
