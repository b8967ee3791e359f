/**
 * What an escalation says, gathered from a task once and trimmed, before it is rendered as GitHub
 * markdown, Slack mrkdwn or plain text (`format.ts`). Trimming happens here so every channel shows
 * the same facts.
 */
import type { Attempt, Task } from '../../../shared/domain'
import { errorClass, failingChecks } from './fingerprint'

export interface ReportLimits {
  /** Characters kept of one error message. @default 600 */
  errorChars: number
  /** Failing tests listed; the rest are counted. @default 20 */
  tests: number
  /** Characters kept of the last diff. @default 8000 */
  diffChars: number
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = Object.freeze({
  errorChars: 600,
  tests: 20,
  diffChars: 8000,
})

export interface ReportTest {
  name: string
  message: string
}

export interface ReportAttempt {
  n: number
  outcome: string
  at: string
  error: string
}

export interface Report {
  fingerprint: string
  taskId: string
  kind: string
  project: string | null
  /** Whether Fixloop's edits were rolled back (the task failed), so there is nothing to undo. */
  rolledBack: boolean
  failedAt: string
  reason: string
  files: string[]
  errorClass: string
  tests: ReportTest[]
  /** Failing tests beyond `limits.tests`. */
  moreTests: number
  attempts: ReportAttempt[]
  plan: { rootCause: string; steps: string[]; risk: string; source: string } | null
  /** The last diff Claude produced, trimmed; null when no attempt edited anything. */
  diff: string | null
  issueUrl: string | null
}

/** Head of `text` within `max` characters, saying how much was cut. */
export function trimText(text: string, max: number): string {
  const clean = text.replace(/\r\n/g, '\n').trim()
  if (clean.length <= max) return clean
  const cut = clean.length - max
  return `${clean.slice(0, max).trimEnd()}\n… (${cut} more characters)`
}

function attemptError(attempt: Attempt, limits: ReportLimits): string {
  if (attempt.error) return trimText(attempt.error, limits.errorChars)
  const red = attempt.checks.filter((c) => !c.passed && !c.flaky)
  if (red.length === 0) return attempt.outcome === 'passed' ? 'checks passed' : 'no error recorded'
  const parts = red.map((c) => {
    if (c.timedOut) return `${c.name}: timed out`
    const failures = c.failures.length
    if (failures > 0) {
      const first = c.failures[0]
      return `${c.name}: ${failures} failing (${first?.name}: ${first?.message})`
    }
    return `${c.name}: exited ${c.exitCode ?? c.signal ?? '?'}`
  })
  return trimText(parts.join('; '), limits.errorChars)
}

/** The diff of the last attempt that edited something, else the task's standing diff. */
function lastDiff(task: Task): string | null {
  const withEdits = [...task.attempts].reverse().find((a) => a.edits.length > 0)
  const diff = withEdits ? withEdits.edits.map((e) => e.diff).join('\n') : task.diff
  return diff && diff.trim() !== '' ? diff : null
}

export interface BuildReportOptions {
  fingerprint: string
  /** The project's name, for titles. @default null */
  project?: string | null
  /** A GitHub issue already tracking this fingerprint. @default null */
  issueUrl?: string | null
  limits?: Partial<ReportLimits>
}

export function buildReport(task: Task, options: BuildReportOptions): Report {
  const limits = { ...DEFAULT_REPORT_LIMITS, ...options.limits }
  const failures = failingChecks(task).flatMap((c) =>
    c.failures.length > 0
      ? c.failures.map((f) => ({
          name: f.file ? `${f.file} › ${f.name}` : f.name,
          message: trimText(f.message, limits.errorChars),
        }))
      : [
          {
            name: `check "${c.name}"`,
            message: trimText(
              c.timedOut ? `timed out\n${c.output}` : c.output || `exited ${c.exitCode}`,
              limits.errorChars,
            ),
          },
        ],
  )
  const unique = [...new Map(failures.map((f) => [f.name, f])).values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  )
  const diff = lastDiff(task)
  return {
    fingerprint: options.fingerprint,
    taskId: task.id,
    kind: task.kind,
    project: options.project ?? null,
    rolledBack: task.status === 'failed',
    failedAt: task.finishedAt ?? task.updatedAt,
    reason: trimText(
      task.failureReason ?? `task ${task.outcome ?? task.status}`,
      limits.errorChars,
    ),
    files: [...task.files].sort(),
    errorClass: errorClass(task),
    tests: unique.slice(0, limits.tests),
    moreTests: Math.max(0, unique.length - limits.tests),
    attempts: task.attempts.map((a) => ({
      n: a.n,
      outcome: a.outcome ?? 'unfinished',
      at: a.finishedAt ?? a.startedAt,
      error: attemptError(a, limits),
    })),
    plan: task.plan && {
      rootCause: trimText(task.plan.rootCause, limits.errorChars * 2),
      steps: task.plan.steps.map((s) => trimText(s, limits.errorChars)),
      risk: task.plan.risk,
      source: task.plan.source,
    },
    diff: diff === null ? null : trimText(diff, limits.diffChars),
    issueUrl: options.issueUrl ?? null,
  }
}
