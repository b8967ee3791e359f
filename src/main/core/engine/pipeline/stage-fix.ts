/**
 * fix: one attempt. The first one gathers the context (sources from the shadow, the change from git)
 * and a plan; every one asks Claude to edit, through the sandboxed editor rooted in the SHADOW
 * workspace (its journal lives there too). Edits go to verify; an attempt without edits feeds the
 * next one; budgets, a rejected key, a spend limit or an abort end the task.
 */
import type { Attempt } from '../../../../shared/domain'
import { EMPTY_USAGE } from '../../../../shared/domain'
import { pausesAutoFix, ClaudeAuthError } from '../../claude/errors'
import { checkBudgets } from '../../fix/budget'
import { createSandboxedEditor } from '../../fix/editor'
import { runFixAttempt } from '../../fix/fixer'
import { Journal } from '../../fix/journal'
import { planFix, planningStopsTask } from '../../fix/planner'
import { isoNow, sleep } from '../../util/clock'
import { gatherSources, gitDiff } from '../sources'
import { backoffDelay } from './backoff'
import { end, next } from './endings'
import type { Ending, Next } from './endings'
import type { TaskRun } from './task-run'
import { firstLine, summarize } from './words'

/** The characters a `view` may return, as the tool definition advertises it to Claude. */
const VIEW_MAX_CHARS = 40_000

export async function fixStage(run: TaskRun): Promise<Next> {
  const { deps, fix, signal } = run
  const lease = run.lease
  const client = run.client
  if (!lease || !client) throw new Error('fix runs after sync and gate')
  const settings = deps.settings
  const max = settings.maxRetries
  const log = (level: 'info' | 'warn' | 'error', message: string) =>
    deps.log.log(level, message, { taskId: run.id, source: 'fixer' })

  try {
    if (!fix.journal) {
      const stop = await prepare(run)
      if (stop) return end(stop)
    }
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
    log('info', `Attempt ${n}/${max}: asking Claude to fix ${run.task.files.join(', ')}`)

    let budgetStop: { reason: string; pause: boolean } | null = null
    const editor = createSandboxedEditor({
      root: lease.root,
      aliases: [deps.root],
      journal,
      maxResultChars: VIEW_MAX_CHARS,
    })
    const result = await runFixAttempt(
      {
        files: run.task.files,
        checks: run.red,
        diff: fix.diff,
        sources: fix.sources,
        plan: fix.plan!,
        attempt: n,
        maxAttempts: max,
        feedback: fix.feedback,
      },
      {
        client,
        editor,
        signal,
        maxTokens: settings.budgets.attemptTokens,
        onUsage: (request, attemptTotal) => {
          run.addUsage(request)
          attempt.usage = attemptTotal
          const stop = checkBudgets(
            { attempt: attemptTotal, task: fix.usage, day: deps.spend.today() },
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
    const close = (outcome: Attempt['outcome'], error?: string) => {
      attempt.outcome = outcome
      if (error) attempt.error = error
      attempt.finishedAt = isoNow(deps.clock)
    }

    if (result.stopReason === 'aborted' || signal.aborted) {
      close('aborted')
      return end({ kind: 'aborted' })
    }
    if (result.error && pausesAutoFix(result.error)) {
      close('error', result.error.message)
      return end({
        kind: 'paused',
        reason: result.error.message,
        keyRejected: result.error instanceof ClaudeAuthError,
      })
    }
    const stopped = budgetStop as { reason: string; pause: boolean } | null
    if (stopped?.pause) {
      close('error', stopped.reason)
      return end({ kind: 'paused', reason: stopped.reason, keyRejected: false })
    }
    if (journal.paths().length === 0) {
      const why = result.error?.message ?? result.detail ?? 'Claude made no edit'
      close(result.error ? 'error' : 'failed', why)
      fix.feedback.push({ attempt: n, checks: run.red, edited, error: why })
      await run.persist(run.progress())
      return n < max ? next('fix') : end(allFailed(run))
    }
    if (result.error) attempt.error = result.error.message
    fix.lastEdited = edited
    return next('verify')
  } catch (error) {
    if (signal.aborted) return end({ kind: 'aborted' })
    return end({
      kind: 'failed',
      reason: `Fix pipeline error: ${error instanceof Error ? error.message : String(error)}`,
      blame: 'code',
    })
  }
}

/** The first attempt's context and plan; an ending when planning stops the task. */
async function prepare(run: TaskRun): Promise<Ending | null> {
  const { deps, fix, signal } = run
  const lease = run.lease!
  const [sources, diff] = await Promise.all([
    gatherSources(lease.root, run.task.files, run.red),
    gitDiff(deps.root, run.task.files, signal),
  ])
  fix.sources = sources
  fix.diff = diff
  deps.log.info('Planning the fix…', { taskId: run.id, source: 'fixer' })
  const planned = await planFix(
    { files: run.task.files, checks: run.red, diff, sources },
    { client: run.client!, signal },
  )
  run.addUsage(planned.usage)
  fix.plan = planned.plan
  if (signal.aborted) return { kind: 'aborted' }
  if (planningStopsTask(planned)) {
    const reason = `Planning failed: ${planned.error?.message ?? 'unknown error'}`
    return pausesAutoFix(planned.error)
      ? { kind: 'paused', reason, keyRejected: planned.error instanceof ClaudeAuthError }
      : { kind: 'failed', reason, blame: 'code' }
  }
  if (fix.plan.source === 'default')
    deps.log.warn(
      `Planner unavailable (${fix.plan.error ?? 'no answer'}); fixing with a default plan`,
      { taskId: run.id, source: 'fixer' },
    )
  else deps.log.info(`Plan: ${fix.plan.rootCause}`, { taskId: run.id, source: 'fixer' })
  // The editor's journal lives in the shadow: it says what Claude changed, against each file's base.
  fix.journal = await Journal.begin(lease.root, run.id, { clock: deps.clock })
  return null
}

/** Every attempt was spent without a green verification. */
export function allFailed(run: TaskRun): Ending {
  const last = run.fix.attempts.at(-1)
  const lastFailure = last?.checks.find((c) => !c.passed)
  const why = lastFailure ? summarize(lastFailure) : (last?.error ?? 'no attempt passed')
  return {
    kind: 'failed',
    reason: `All ${run.deps.settings.maxRetries} attempts failed; last: ${why}`,
    blame: 'code',
  }
}
