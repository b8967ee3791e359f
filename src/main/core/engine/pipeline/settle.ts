/**
 * settle: how each ending leaves the task, in one table — which queue and outcome, the breaker, the
 * log line, the notice, escalation and pause. The shadow workspace is released by the driver either
 * way; nothing here touches the user's tree (a held fix is staged, not applied).
 */
import type { EscalationRecord, LogLevel, Task, TaskOutcome } from '../../../../shared/domain'
import { breakerConfig, recordTaskResult } from '../../fix/breaker'
import { complete, defer, fail, updateTask } from '../../queue'
import type { StateFile } from '../../state'
import { countOutcome } from '../session-stats'
import type { Ending } from './endings'
import type { NoticeLevel } from './ports'
import { stageFix } from './staged'
import type { TaskRun } from './task-run'

interface Rule {
  queue: 'completed' | 'failed'
  outcome: TaskOutcome
  breaker: 'success' | 'failure' | null
  escalate: boolean
  /** The log line ('' when an earlier stage said it already). */
  log: { level: LogLevel; message: string }
  /** Shown to the user (desktop, CLI, dashboard toast), when worth interrupting for. */
  notice?: { level: NoticeLevel; title: string; body: string }
  /** The reason stored on the task. */
  reason?: string
  pause?: { reason: string; keyRejected: boolean }
}

type Settled = Exclude<Ending, { kind: 'aborted' } | { kind: 'deferred' } | { kind: 'requeued' }>

const cost = (run: TaskRun) => `$${run.fix.usage.costUsd.toFixed(4)}`

/** The table: one rule per ending. */
const RULES: { [K in Settled['kind']]: (e: Extract<Settled, { kind: K }>, run: TaskRun) => Rule } =
  {
    no_fix_needed: () => ({
      queue: 'completed',
      outcome: 'no_fix_needed',
      breaker: null,
      escalate: false,
      log: { level: 'debug', message: '' },
    }),
    flaky: (e) => ({
      queue: 'completed',
      outcome: 'flaky',
      breaker: null,
      escalate: false,
      log: {
        level: 'warn',
        message: `Flaky: ${e.names.join(', ')} failed, then passed on a re-run; not sent to Claude`,
      },
    }),
    detected: (e, run) => ({
      queue: 'completed',
      outcome: 'detected',
      breaker: null,
      escalate: false,
      log: { level: 'warn', message: `Not fixed: ${e.why}` },
      notice: {
        level: 'warn',
        title: 'Checks failed',
        body: `${run.task.files.join(', ')}: ${e.summary} (${e.why})`,
      },
      reason: e.why === 'auto-fix is off' ? undefined : e.why,
    }),
    // The red was reported when detected; the newer change is checked next, so no notice.
    superseded: (e) => ({
      queue: 'completed',
      outcome: 'detected',
      breaker: null,
      escalate: false,
      log: { level: 'info', message: `Not sent to Claude: ${e.why}` },
      reason: e.why,
    }),
    fixed: (e, run) => ({
      queue: 'completed',
      outcome: 'fixed',
      breaker: 'success',
      escalate: false,
      log: {
        level: 'info',
        message: `Fixed on attempt ${run.fix.attempts.length} (${e.edits.map((x) => x.path).join(', ')}; ${cost(run)}). ${e.message}`,
      },
    }),
    held: (e, run) => ({
      queue: 'completed',
      outcome: 'needs_review',
      breaker: 'success',
      escalate: false,
      log: { level: 'warn', message: `Held for review, not applied (${cost(run)}): ${e.message}` },
      notice: { level: 'warn', title: 'Fix held for review', body: e.message },
      reason: e.message,
    }),
    failed: (e) => ({
      queue: 'failed',
      outcome: 'failed',
      breaker: e.blame === 'code' ? 'failure' : null,
      escalate: e.blame === 'code',
      log: {
        level: 'error',
        message: `Failed: ${e.reason}. Your tree was not changed.`,
      },
      reason: e.reason,
    }),
    paused: (e) => ({
      queue: 'failed',
      outcome: 'failed',
      breaker: null,
      escalate: false,
      log: { level: 'error', message: `${e.reason}; your tree was not changed` },
      reason: e.reason,
      pause: { reason: e.reason, keyRejected: e.keyRejected },
    }),
  }

export async function settle(run: TaskRun, ending: Ending): Promise<Task> {
  const { deps } = run
  if (ending.kind === 'aborted') {
    run.warn('Aborted; the shadow workspace is discarded and your tree was not changed')
    return run.persist(run.progress()).catch(() => run.task)
  }
  if (ending.kind === 'deferred' || ending.kind === 'requeued') return deferTask(run, ending)
  const rule = (RULES[ending.kind] as (e: Settled, r: TaskRun) => Rule)(ending, run)
  if (ending.kind === 'held') await stageFix(run)
  if (rule.log.message) deps.log.log(rule.log.level, rule.log.message, { taskId: run.id })
  if (rule.notice) deps.effects.notice(rule.notice.level, rule.notice.title, rule.notice.body)

  const config = breakerConfig(deps.settings)
  const now = run.now
  const patch = { ...run.progress(), outcome: rule.outcome }
  const task = await deps.store.write((s: StateFile) => {
    if (rule.breaker)
      s.breakers = recordTaskResult(
        s.breakers,
        run.task.files,
        rule.breaker,
        deps.clock.now(),
        config,
      )
    const done =
      rule.queue === 'completed'
        ? complete(
            s.queues,
            run.id,
            { ...patch, outcome: rule.outcome as never, failureReason: rule.reason ?? null },
            { now },
          )
        : fail(s.queues, run.id, rule.reason ?? 'failed', { ...patch, outcome: undefined }, { now })
    countOutcome(s.stats, rule.outcome, fixTime(done))
    s.conversation_history.push(
      rule.queue === 'completed'
        ? { timestamp: now, type: 'task_completed', task_id: run.id, outcome: rule.outcome }
        : { timestamp: now, type: 'task_failed', task_id: run.id, reason: rule.reason ?? '' },
    )
    return done
  })
  run.task = task
  const timed = rule.outcome === 'fixed' || rule.outcome === 'needs_review'
  deps.effects.recordOutcome(rule.outcome, timed ? fixTime(task) : undefined)
  deps.effects.emitTask(rule.queue === 'completed' ? 'task_completed' : 'task_failed', task)
  if (ending.kind === 'no_fix_needed' || ending.kind === 'fixed') recordGreen(run, ending)
  if (rule.pause) deps.effects.pause(rule.pause.reason, rule.pause.keyRejected)
  if (rule.escalate) return escalate(run, task)
  return task
}

/**
 * Back to pending, keeping what the run recorded. After an API outage the engine holds new work
 * through it; a task requeued because work stopped simply waits for work to resume.
 */
async function deferTask(
  run: TaskRun,
  ending: Extract<Ending, { kind: 'deferred' | 'requeued' }>,
): Promise<Task> {
  const { deps } = run
  const said = `${ending.reason}. Your tree was not changed.`
  if (ending.kind === 'deferred')
    deps.log.warn(`Deferred, back to pending: ${said}`, { taskId: run.id })
  else deps.log.info(`Back to pending: ${said}`, { taskId: run.id })
  const now = run.now
  const task = await deps.store.write((s: StateFile) => {
    s.conversation_history.push({
      timestamp: now,
      type: ending.kind === 'deferred' ? 'task_deferred' : 'task_requeued',
      task_id: run.id,
      reason: ending.reason,
    })
    return defer(s.queues, run.id, run.progress(), { now }).task
  })
  run.task = task
  deps.effects.emitTask('task_updated', task)
  if (ending.kind === 'deferred') deps.effects.defer(ending.reason, ending.retryAfterMs)
  return task
}

async function escalate(run: TaskRun, failed: Task): Promise<Task> {
  const { deps } = run
  const records = await deps.effects.escalate(failed).catch((error: unknown) => {
    deps.log.error(`Escalation failed: ${(error as Error).message}`, { taskId: run.id })
    return [] as EscalationRecord[]
  })
  if (!records.length) return failed
  const task = await deps.store.write((s) => {
    if (records.some((r) => r.ok && r.channel !== 'log')) s.stats.escalated++
    return updateTask(
      s.queues,
      run.id,
      { escalations: [...failed.escalations, ...records] },
      { now: run.now },
    )
  })
  deps.effects.emitTask('task_updated', task)
  return task
}

/**
 * The checks are green on the tree: the next failure is shown what changed since now. Not awaited
 * (a full first record reads the tree); a failure only means the next fix falls back to git.
 */
function recordGreen(run: TaskRun, ending: Extract<Ending, { kind: 'no_fix_needed' | 'fixed' }>) {
  const baseline = run.deps.baseline?.()
  if (!baseline) return
  const changed = [
    ...run.task.files,
    ...(ending.kind === 'fixed' ? ending.edits.map((e) => e.path) : []),
  ]
  baseline.record({ changed }).catch((error: unknown) => {
    run.deps.log.debug(`Green baseline not recorded: ${(error as Error).message}`, {
      taskId: run.id,
    })
  })
}

function fixTime(task: Task): number | undefined {
  if (!task.finishedAt) return undefined
  return Date.parse(task.finishedAt) - Date.parse(task.createdAt)
}
