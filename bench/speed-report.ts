/** Figures and markdown tables for bench/speed.ts. */
import os from 'node:os'

export const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b)
  if (!s.length) return Number.NaN
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Nearest-rank percentile, as bench/engine.ts takes it. */
export const pct = (xs: number[], p: number): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}

export const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '–')
export const ms1 = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '–')

/** "median (min–max)" of a series, in ms. */
export const spread = (xs: number[]): string =>
  xs.length ? `${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})` : '–'

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const align = headers.map((_, i) => (i === 0 ? '---' : '---:'))
  return [headers, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')
}

export function heading(title: string, detail: string): void {
  console.log(`\n### ${title}\n\n${detail} Load average (1/5/15 min): ${loadAverage()}.\n`)
}
