/** How the pipeline says things in one line: a red check, a list of files. */
import type { CheckResult } from '../../../../shared/domain'

/** One line about a red check: its name and first failing test. */
export function summarize(check: CheckResult): string {
  const first = check.failures[0]
  if (check.timedOut) return `${check.name} timed out`
  if (!first) return `${check.name} failed (exit ${check.exitCode ?? check.signal ?? '?'})`
  const more = check.failures.length > 1 ? ` (+${check.failures.length - 1} more)` : ''
  return `${check.name}: ${first.name}${more} — ${firstLine(first.message)}`
}

export function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? ''
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}

export function describeFiles(files: readonly string[]): string {
  if (files.length <= 3) return files.join(', ')
  return `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`
}

export function describeChecks(checks: readonly CheckResult[]): string {
  return checks.map((c) => `${c.name} ${(c.durationMs / 1000).toFixed(1)} s`).join(', ')
}
