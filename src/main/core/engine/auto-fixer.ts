/**
 * The AutoFixer: plan once, then up to `maxRetries` attempts of fix → verify, each failure fed into
 * the next after an exponential backoff with full jitter. Edits accumulate across attempts in one
 * journal; when the task cannot be fixed (attempts spent, a budget, an API error that pauses auto-fix,
 * the test-integrity policy, an abort) every edit is rolled back and the tree is as it was found.
 */
import type {
  Attempt,
  CheckResult,
  FileEdit,
  Plan,
  SelectedTest,
  Task,
  Usage,
} from '../../../shared/domain'
import { EMPTY_USAGE } from '../../../shared/domain'
import type { Settings } from '../../../shared/settings'
import type { RunnerInfo } from '../checks'
import { runVerification } from '../checks'
import type { ClaudeClient } from '../claude/client'
import { ClaudeAuthError, pausesAutoFix } from '../claude/errors'
import { addUsage } from '../claude/pricing'
import { checkBudgets } from '../fix/budget'
import { createSandboxedEditor } from '../fix/editor'
import type { OwnWriteRegistry } from '../fix/editor-types'
import { runFixAttempt } from '../fix/fixer'
import { assessIntegrity, decideIntegrity, integrityByPath } from '../fix/integrity'
import { Journal } from '../fix/journal'
import type { RollbackReport } from '../fix/journal'
import { planFix, planningStopsTask } from '../fix/planner'
import type { AttemptFeedback } from '../fix/prompts'
import type { Clock } from '../util/clock'
import { isoNow, sleep, systemClock } from '../util/clock'
import { redactVerification } from './redact-checks'
import { gatherSources, gitDiff } from './sources'

export interface AutoFixerDeps {
  root: string
  settings: Settings
  client: ClaudeClient
  runner: RunnerInfo
  ownWrites?: OwnWriteRegistry
  /** @default systemClock */
  clock?: Clock
  /** @default Math.random */
  random?: () => number
  /** Spend of the day so far (before this task), for the daily budget. */
  spentToday: () => Usage
  /** Every API request's usage, as it happens (session and day totals, state). */
  onUsage?: (usage: Usage) => void
  /** The task as it moves on (plan made, attempt started, attempt judged), to persist and show. */
  onProgress?: (patch: FixProgress) => void
  log?: (level: 'info' | 'warn' | 'error', message: string) => void
  /** Applied to check output before it is kept, shown or sent to Claude. @default identity */
  redact?: (text: string) => string
}

export type FixProgress = Pick<Task, 'attempts' | 'plan' | 'diff' | 'usage'>

/** Backoff between attempts: full jitter over an exponential ceiling. */
export const BACKOFF = Object.freeze({ baseMs: 1000, capMs: 60_000 })

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, attempt - 2))
  return Math.floor(random() * ceiling)
}

interface Common {
  plan: Plan | null
  attempts: Attempt[]
  usage: Usage
  /** The diff that stands (fixed / needs_review) or that was tried and rolled back. */
  diff: string | null
}

export type FixOutcome =
  | (Common & { kind: 'fixed'; edits: FileEdit[] })
  | (Common & { kind: 'needs_review'; edits: FileEdit[]; reasons: string[]; message: string })
  | (Common & {
      kind: 'failed'
      reason: string
      /** Set when auto-fix must pause (key rejected, spend limit, a task or daily budget). */
      pause: string | null
      /** The API key was rejected (401/403): it must be replaced before anything is tried again. */
      keyRejected: boolean
      rollback: RollbackReport | null
    })
  | (Common & { kind: 'aborted'; rollback: RollbackReport | null })

export interface FixRequest {
  task: Task
  /** The red checks of the detection run. */
  detection: CheckResult[]
  selection: SelectedTest[]
  signal?: AbortSignal
}

export async function autoFix(request: FixRequest, deps: AutoFixerDeps): Promise<FixOutcome> {
  const { task, signal } = request
  const clock = deps.clock ?? systemClock
  const random = deps.random ?? Math.random
  const log = deps.log ?? (() => undefined)
  const settings = deps.settings
  const maxAttempts = settings.maxRetries
  const attempts: Attempt[] = []
  let plan: Plan | null = null
  let usage: Usage = { ...EMPTY_USAGE }
  let journal: Journal | null = null

  const count = (u: Usage) => {
    usage = addUsage(usage, u)
    deps.onUsage?.(u)
  }
  // Copies: what is handed out may be frozen by the state store while attempts keep changing here.
  const progress = () =>
    deps.onProgress?.(structuredClone({ attempts, plan, diff: journal?.diff() || null, usage }))
  const common = (): Common =>
    structuredClone({ plan, attempts, usage, diff: journal?.diff() || null })

  const giveUp = async (
    reason: string,
    pause: string | null,
    cause?: unknown,
  ): Promise<FixOutcome> => {
    const diff = journal?.diff() || null
    const rollback = journal && journal.paths().length > 0 ? await journal.rollback() : null
    if (rollback && !rollback.ok) log('error', `Rollback incomplete: ${rollback.message}`)
    return {
      ...common(),
      diff,
      kind: 'failed',
      reason,
      pause,
      keyRejected: cause instanceof ClaudeAuthError,
      rollback,
    }
  }
  const aborted = async (): Promise<FixOutcome> => {
    const diff = journal?.diff() || null
    const rollback = journal && journal.paths().length > 0 ? await journal.rollback() : null
    return { ...common(), diff, kind: 'aborted', rollback }
  }

  try {
    const dayStop = checkBudgets({ day: deps.spentToday() }, settings.budgets)
    if (dayStop) return await giveUp(dayStop.reason, dayStop.reason)

    const failing = request.detection.filter((c) => !c.passed)
    const [sources, diff] = await Promise.all([
      gatherSources(deps.root, task.files, failing),
      gitDiff(deps.root, task.files, signal),
    ])

    log('info', 'Planning the fix…')
    const planned = await planFix(
      { files: task.files, checks: failing, diff, sources },
      { client: deps.client, signal },
    )
    count(planned.usage)
    plan = planned.plan
    progress()
    if (signal?.aborted) return await aborted()
    if (planningStopsTask(planned)) {
      const reason = `Planning failed: ${planned.error?.message ?? 'unknown error'}`
      return await giveUp(reason, pausesAutoFix(planned.error) ? reason : null, planned.error)
    }
    if (plan.source === 'default')
      log('warn', `Planner unavailable (${plan.error ?? 'no answer'}); fixing with a default plan`)
    else log('info', `Plan: ${plan.rootCause}`)

    journal = await Journal.begin(deps.root, task.id, { ownWrites: deps.ownWrites, clock })
    const feedback: AttemptFeedback[] = []

    for (let n = 1; n <= maxAttempts; n++) {
      if (n > 1) {
        const delay = backoffDelay(n, random)
        log('info', `Attempt ${n}/${maxAttempts} in ${(delay / 1000).toFixed(1)} s`)
        await sleep(delay, signal, clock)
      }
      const before = checkBudgets({ task: usage, day: deps.spentToday() }, settings.budgets)
      if (before) return await giveUp(before.reason, before.reason)

      const attempt: Attempt = {
        n,
        startedAt: isoNow(clock),
        finishedAt: null,
        outcome: null,
        checks: [],
        edits: [],
        usage: { ...EMPTY_USAGE },
      }
      attempts.push(attempt)
      progress()
      log('info', `Attempt ${n}/${maxAttempts}: asking Claude to fix ${task.files.join(', ')}`)

      let budgetStop: { reason: string; pause: boolean } | null = null
      const editor = createSandboxedEditor({
        root: deps.root,
        journal,
        ownWrites: deps.ownWrites,
        // What the tool definition advertises to Claude as a view's limit.
        maxResultChars: 40_000,
      })
      const result = await runFixAttempt(
        {
          files: task.files,
          checks: failing,
          diff,
          sources,
          plan,
          attempt: n,
          maxAttempts,
          feedback,
        },
        {
          client: deps.client,
          editor,
          signal,
          maxTokens: settings.budgets.attemptTokens,
          onUsage: (req, attemptTotal) => {
            count(req)
            attempt.usage = attemptTotal
            const stop = checkBudgets(
              { attempt: attemptTotal, task: usage, day: deps.spentToday() },
              settings.budgets,
            )
            if (!stop) return 'continue'
            budgetStop = { reason: stop.reason, pause: stop.scope !== 'attempt' }
            return { stop: stop.reason }
          },
          onToolCall: (call) => {
            if (call.isError)
              log(
                'warn',
                `Editor refused ${call.command ?? '?'} ${call.path ?? ''}: ${firstLine(call.result)}`,
              )
            else if (call.command && call.command !== 'view')
              log('info', `Edited ${call.path ?? '?'} (${call.command})`)
          },
        },
      )
      attempt.usage = result.usage
      attempt.edits = journal.fileEdits()
      const edited = editor.writes().map((w) => w.path)

      if (result.stopReason === 'aborted' || signal?.aborted) {
        attempt.outcome = 'aborted'
        attempt.finishedAt = isoNow(clock)
        return await aborted()
      }
      if (result.error && pausesAutoFix(result.error)) {
        attempt.outcome = 'error'
        attempt.error = result.error.message
        attempt.finishedAt = isoNow(clock)
        return await giveUp(result.error.message, result.error.message, result.error)
      }
      const stopped = budgetStop as { reason: string; pause: boolean } | null
      if (stopped?.pause) {
        attempt.outcome = 'error'
        attempt.error = stopped.reason
        attempt.finishedAt = isoNow(clock)
        return await giveUp(stopped.reason, stopped.reason)
      }

      if (journal.paths().length === 0) {
        attempt.outcome = result.error ? 'error' : 'failed'
        attempt.error = result.error?.message ?? result.detail ?? 'Claude made no edit'
        attempt.finishedAt = isoNow(clock)
        feedback.push({ attempt: n, checks: failing, edited, error: attempt.error })
        progress()
        continue
      }

      log('info', `Verifying attempt ${n}…`)
      const verification = redactVerification(
        await runVerification(deps.runner, unique(task.files, journal.paths()), {
          settings,
          signal,
        }),
        deps.redact,
      )
      attempt.checks = verification.checks
      attempt.finishedAt = isoNow(clock)
      if (!verification.passed) {
        attempt.outcome = 'failed'
        if (result.error) attempt.error = result.error.message
        const failed = verification.failed
        log('warn', `Attempt ${n} did not pass: ${failed ? summarize(failed) : 'checks red'}`)
        feedback.push({
          attempt: n,
          checks: verification.checks.filter((c) => !c.passed),
          edited,
          ...(result.error ? { error: result.error.message } : {}),
        })
        progress()
        continue
      }

      attempt.outcome = 'passed'
      const integrity = decideIntegrity(assessIntegrity(journal.changes()), settings.testIntegrity)
      const marks = integrityByPath(integrity.findings)
      const edits = journal
        .fileEdits()
        .map((e) => (marks.has(e.path) ? { ...e, integrity: marks.get(e.path) } : e))
      attempt.edits = edits
      progress()
      if (integrity.decision === 'refuse') {
        attempt.outcome = 'refused'
        return await giveUp(integrity.message, null)
      }
      await journal.complete()
      if (integrity.decision === 'review') {
        log('warn', integrity.message)
        return {
          ...common(),
          kind: 'needs_review',
          edits,
          reasons: integrity.reasons,
          message: integrity.message,
        }
      }
      return { ...common(), kind: 'fixed', edits }
    }

    const last = attempts.at(-1)
    const lastFailure = last?.checks.find((c) => !c.passed)
    const why = lastFailure ? summarize(lastFailure) : (last?.error ?? 'no attempt passed')
    return await giveUp(`All ${maxAttempts} attempts failed; last: ${why}`, null)
  } catch (error) {
    if (signal?.aborted) return await aborted()
    const message = error instanceof Error ? error.message : String(error)
    return await giveUp(`Fix pipeline error: ${message}`, null)
  }
}

function unique(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())]
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? ''
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}

/** One line about a red check: its name and first failing test. */
export function summarize(check: CheckResult): string {
  const first = check.failures[0]
  if (check.timedOut) return `${check.name} timed out`
  if (!first) return `${check.name} failed (exit ${check.exitCode ?? check.signal ?? '?'})`
  const more = check.failures.length > 1 ? ` (+${check.failures.length - 1} more)` : ''
  return `${check.name}: ${first.name}${more} — ${firstLine(first.message)}`
}
