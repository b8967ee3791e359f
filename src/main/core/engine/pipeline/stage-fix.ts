/**
 * fix: one round of the task's fix, by the configured backend — Fixloop's own agent over the API
 * (one conversation across rounds, `fix-api.ts`) or the developer's Claude Code (`fix-claude-code.ts`)
 * — always in the SHADOW workspace, whose journal records what changed. The first round gathers the
 * context. Edits go to verify; a round without edits feeds the next; budgets, a billing or key
 * answer or an abort end the task; an API outage defers it, uncounted.
 */
import type { Attempt } from '../../../../shared/domain'
import { EMPTY_USAGE } from '../../../../shared/domain'
import { ClaudeAuthError, outageRetryAfterMs } from '../../claude/errors'
import type { RoundStop } from '../../fix/agent-types'
import { checkBudgets } from '../../fix/budget'
import { Journal } from '../../fix/journal'
import { isoNow, sleep } from '../../util/clock'
import { changeSinceHead, gatherSources } from '../sources'
import { backoffDelay } from './backoff'
import { end, next } from './endings'
import type { Ending, Next } from './endings'
import { apiRound } from './fix-api'
import { claudeCodeRound } from './fix-claude-code'
import type { TaskRun } from './task-run'
import { summarize } from './words'

/** How a round ended, whichever backend ran it. */
export interface RoundReport {
  /** How the agent's round ended, or `stale`: the user changed a file the fixer edited, meanwhile. */
  stop: RoundStop | 'stale'
  summary: string | null
  detail?: string
  error?: Error
  /** A budget stopped the round: `pause` when it was the task's or the day's, not the round's. */
  budget?: { reason: string; pause: boolean }
}

export async function fixStage(run: TaskRun): Promise<Next> {
  const { deps, fix, signal } = run
  if (!run.lease) throw new Error('fix runs after sync and gate')
  const settings = deps.settings
  const max = settings.maxRetries
  const log = (level: 'info' | 'warn' | 'error', message: string) =>
    deps.log.log(level, message, { taskId: run.id, source: 'fixer' })

  try {
    if (!fix.journal) await prepare(run)
    const journal = fix.journal as Journal
    const n = fix.attempts.length + 1
    if (n > 1) {
      const delay = backoffDelay(n, deps.random)
      log('info', `Attempt ${n}/${max} in ${(delay / 1000).toFixed(1)} s`)
      await sleep(delay, signal, deps.clock)
    }
    const before = checkBudgets({ task: fix.usage, day: deps.spend.today() }, settings.budgets)
    if (before) return end({ kind: 'paused', reason: before.reason, keyRejected: false })

    const attempt: Attempt = {
      n,
      startedAt: isoNow(deps.clock),
      finishedAt: null,
      outcome: null,
      checks: [],
      edits: [],
      usage: { ...EMPTY_USAGE },
    }
    fix.attempts.push(attempt)
    await run.persist({ ...run.progress(), phase: 'fix' })
    deps.effects.activity()
    const by = settings.fixer === 'claude-code' ? 'Claude Code' : 'Claude'
    log('info', `Attempt ${n}/${max}: asking ${by} to fix ${run.task.files.join(', ')}`)

    const report =
      settings.fixer === 'claude-code'
        ? await claudeCodeRound(run, attempt)
        : await apiRound(run, attempt)
    attempt.edits = journal.fileEdits()
    return settleRound(run, attempt, report)
  } catch (error) {
    if (signal.aborted) return end({ kind: 'aborted' })
    return end({
      kind: 'failed',
      reason: `Fix pipeline error: ${error instanceof Error ? error.message : String(error)}`,
      blame: 'code',
    })
  }
}

/** What a round's end means for the task. */
async function settleRound(run: TaskRun, attempt: Attempt, report: RoundReport): Promise<Next> {
  const { deps, fix, signal } = run
  const max = deps.settings.maxRetries
  const close = (outcome: Attempt['outcome'], error?: string) => {
    attempt.outcome = outcome
    if (error) attempt.error = error
    attempt.finishedAt = isoNow(deps.clock)
  }
  if (report.stop !== 'outage') deps.effects.apiAvailable()

  if (report.stop === 'aborted' || signal.aborted) {
    close('aborted')
    return end({ kind: 'aborted' })
  }
  if (report.stop === 'outage') {
    // Not the task's fault: this round is not counted, and the task waits out the outage.
    fix.attempts.pop()
    const reason = report.error?.message ?? report.detail ?? 'the Claude API is unavailable'
    return end({ kind: 'deferred', reason, retryAfterMs: outageRetryAfterMs(report.error) })
  }
  if (report.stop === 'paused') {
    const reason = report.error?.message ?? report.detail ?? 'Claude refused the request'
    close('error', reason)
    return end({
      kind: 'paused',
      reason,
      keyRejected: report.error instanceof ClaudeAuthError,
    })
  }
  if (report.budget?.pause) {
    close('error', report.budget.reason)
    return end({ kind: 'paused', reason: report.budget.reason, keyRejected: false })
  }
  if (report.stop === 'stale') {
    const reason = report.detail ?? 'a file changed in your tree while the fixer worked'
    close('error', reason)
    // Not the code's fault, and the user's newer change is a task of its own.
    return end({ kind: 'failed', reason, blame: 'setup' })
  }
  if (report.stop === 'refusal') {
    const reason = report.detail ?? 'Claude declined the task'
    close('refused', reason)
    return end({ kind: 'failed', reason, blame: 'code' })
  }
  const journal = fix.journal as Journal
  if (journal.paths().length === 0) {
    const why = report.error?.message ?? report.detail ?? 'no file was edited'
    close(report.error ? 'error' : 'failed', why)
    fix.feedback =
      `Attempt ${attempt.n} ended without an edit (${why}); the checks still fail. ` +
      'Edit the code to fix them, then call finish.'
    await run.persist(run.progress())
    return attempt.n < max ? next('fix') : end(allFailed(run))
  }
  if (report.stop !== 'finish' && report.stop !== 'end_turn') {
    // Stopped early (turns, a round budget, an error) with edits made: verification judges them.
    attempt.error = report.detail ?? report.error?.message ?? report.stop
  }
  return next('verify')
}

/** The first round's context (sources from the shadow, the change since green) and the journal. */
async function prepare(run: TaskRun): Promise<void> {
  const { deps, fix, signal } = run
  const lease = run.lease!
  const [sources, change] = await Promise.all([
    gatherSources(lease.root, run.task.files, run.red),
    changeSince(run),
  ])
  fix.sources = sources
  fix.change = change
  if (signal.aborted) return
  // The journal lives in the shadow: it says what Claude changed, against each file's base.
  fix.journal = await Journal.begin(lease.root, run.id, { clock: deps.clock })
}

/** The change since the last green run when one was recorded, else since git's HEAD. */
async function changeSince(run: TaskRun): Promise<TaskRun['fix']['change']> {
  const baseline = run.deps.baseline?.()
  const since = baseline
    ? await baseline.changesSince({ maxChars: 12_000 }).catch(() => null)
    : null
  if (since && since.diff.trim()) {
    const when = new Date(since.recordedAt).toISOString().slice(0, 16).replace('T', ' ')
    return { heading: `The change since the last green run (${when} UTC)`, diff: since.diff }
  }
  if (since) return null
  const diff = await changeSinceHead(run.deps.root, run.signal)
  return diff ? { heading: 'The change since the last commit (git diff HEAD)', diff } : null
}

/** Every round was spent without a green verification. */
export function allFailed(run: TaskRun): Ending {
  const last = run.fix.attempts.at(-1)
  const lastFailure = last?.checks.find((c) => !c.passed)
  const why = lastFailure ? summarize(lastFailure) : (last?.error ?? 'no round passed')
  return {
    kind: 'failed',
    reason: `All ${run.deps.settings.maxRetries} attempts failed; last: ${why}`,
    blame: 'code',
  }
}
