/**
 * One task from in_progress to its end: detection (related checks with flaky triage), then — only
 * when a check is red and auto-fix may run — the breaker gate, the AutoFixer and the bookkeeping
 * (breakers, stats, escalation). An aborted task stays in_progress with its edits rolled back; the
 * orchestrator returns it to pending when it stops.
 */
import type {
  CheckResult,
  EscalationRecord,
  Task,
  TaskOutcome,
  Usage,
} from '../../../shared/domain'
import type { Settings } from '../../../shared/settings'
import type { RunnerInfo } from '../checks'
import { runDetection } from '../checks'
import type { ClaudeClient } from '../claude/client'
import { breakerConfig, gateBreakers, recordTaskResult } from '../fix/breaker'
import type { OwnWriteRegistry } from '../fix/editor-types'
import type { Logger } from '../log/logger'
import { complete, fail, updateTask } from '../queue'
import type { CompletePatch, FailPatch, TaskPatch } from '../queue'
import type { StateFile } from '../state'
import type { Clock } from '../util/clock'
import { isoNow } from '../util/clock'
import { autoFix, summarize } from './auto-fixer'
import { redactDetection } from './redact-checks'
import { countOutcome } from './session-stats'
import type { FixOutcome } from './auto-fixer'

export interface TaskRunnerDeps {
  root: string
  settings: Settings
  clock: Clock
  random?: () => number
  log: Logger
  ownWrites: OwnWriteRegistry
  runner: () => RunnerInfo
  client: () => ClaudeClient
  state: () => StateFile
  write: <R>(fn: (draft: StateFile) => R) => Promise<R>
  spentToday: () => Usage
  onUsage: (usage: Usage) => void
  escalate: (task: Task) => Promise<EscalationRecord[]>
  /** Holds new work; `keyRejected` marks the API key as unusable until it is replaced. */
  pause: (reason: string, keyRejected?: boolean) => void
  notice: (level: 'info' | 'warn' | 'error', title: string, body: string) => void
  recordOutcome: (outcome: TaskOutcome, fixMs?: number) => void
  emitTask: (kind: 'task_updated' | 'task_completed' | 'task_failed', task: Task) => void
  activity: () => void
  /** Removes secrets from check output (a test may print its environment). */
  redact: (text: string) => string
}

export async function runTask(
  task: Task,
  signal: AbortSignal,
  deps: TaskRunnerDeps,
): Promise<void> {
  const { log, settings } = deps
  const id = task.id
  const info = (m: string) => log.info(m, { taskId: id })
  const now = () => isoNow(deps.clock)

  const patch = async (p: TaskPatch) => {
    const t = await deps.write((s) => updateTask(s.queues, id, p, { now: now() }))
    deps.emitTask('task_updated', t)
    return t
  }
  const finishOk = async (p: CompletePatch, also?: (s: StateFile) => void) => {
    const t = await deps.write((s) => {
      also?.(s)
      const done = complete(s.queues, id, p, { now: now() })
      countOutcome(s.stats, p.outcome, fixTime(done))
      s.conversation_history.push({
        timestamp: now(),
        type: 'task_completed',
        task_id: id,
        outcome: p.outcome,
      })
      return done
    })
    deps.recordOutcome(
      p.outcome,
      p.outcome === 'fixed' || p.outcome === 'needs_review' ? fixTime(t) : undefined,
    )
    deps.emitTask('task_completed', t)
    return t
  }
  const finishFailed = async (reason: string, p: FailPatch = {}, also?: (s: StateFile) => void) => {
    const t = await deps.write((s) => {
      also?.(s)
      const done = fail(s.queues, id, reason, p, { now: now() })
      countOutcome(s.stats, done.outcome ?? 'failed')
      s.conversation_history.push({ timestamp: now(), type: 'task_failed', task_id: id, reason })
      return done
    })
    deps.recordOutcome(t.outcome ?? 'failed')
    deps.emitTask('task_failed', t)
    return t
  }

  let runner: RunnerInfo
  try {
    runner = deps.runner()
  } catch (error) {
    const reason = `No test command: ${(error as Error).message}`
    log.error(reason, { taskId: id })
    await finishFailed(reason)
    return
  }

  info(`Checking ${task.files.length > 3 ? `${task.files.length} files` : task.files.join(', ')}…`)
  deps.activity()
  let detection
  try {
    detection = redactDetection(
      await runDetection(runner, task.files, {
        settings,
        signal,
        onCheck: (e) => {
          if (e.type === 'start')
            log.debug(`$ ${e.command.join(' ')}`, { taskId: id, source: 'checks' })
        },
      }),
      deps.redact,
    )
  } catch (error) {
    if (signal.aborted) return
    await finishFailed(`Checks could not run: ${(error as Error).message}`)
    return
  }
  const checks = [...detection.checks, ...detection.reruns]
  task = await deps.write((s) => {
    for (const c of checks) s.test_results.push(testResult(id, c, now()))
    return updateTask(
      s.queues,
      id,
      { detection: detection.checks, selection: detection.selection },
      { now: now() },
    )
  })
  deps.emitTask('task_updated', task)

  if (detection.verdict === 'green') {
    info(`Checks pass (${describeChecks(detection.checks)}): no fix needed`)
    await finishOk({ outcome: 'no_fix_needed' })
    return
  }
  if (detection.verdict === 'flaky') {
    const names = detection.checks.filter((c) => c.flaky).map((c) => c.name)
    log.warn(`Flaky: ${names.join(', ')} failed, then passed on a re-run; not sent to Claude`, {
      taskId: id,
    })
    await finishOk({ outcome: 'flaky' })
    return
  }

  const red = detection.checks.filter((c) => !c.passed)
  const what = red.map(summarize).join('; ')
  log.warn(`Checks failed: ${what}`, { taskId: id })

  if (!settings.autoFix) {
    deps.notice('warn', 'Checks failed', `${task.files.join(', ')}: ${what} (auto-fix is off)`)
    await finishOk({ outcome: 'detected' })
    return
  }

  let client: ClaudeClient
  try {
    client = deps.client()
  } catch (error) {
    const body = `${what}. ${(error as Error).message} Set it to let Fixloop fix this.`
    deps.notice('warn', 'Checks failed', body)
    await patch({ failureReason: (error as Error).message })
    await finishOk({ outcome: 'detected' })
    return
  }

  const config = breakerConfig(settings)
  const gate = gateBreakers(deps.state().breakers, task.files, deps.clock.now(), config)
  if (JSON.stringify(gate.breakers) !== JSON.stringify(deps.state().breakers))
    await deps.write((s) => {
      s.breakers = gate.breakers
    })
  if (!gate.allowed) {
    log.warn(gate.reason, { taskId: id })
    deps.notice('warn', 'Circuit breaker open', gate.reason)
    await finishFailed(gate.reason)
    return
  }
  if (gate.trial.length)
    info(`Half-open breaker: this task is the trial for ${gate.trial.join(', ')}`)

  const outcome: FixOutcome = await autoFix(
    { task, detection: detection.checks, selection: detection.selection, signal },
    {
      root: deps.root,
      settings,
      client,
      runner,
      ownWrites: deps.ownWrites,
      clock: deps.clock,
      random: deps.random,
      spentToday: deps.spentToday,
      onUsage: deps.onUsage,
      onProgress: (p) => {
        void patch(p).catch(() => undefined)
        deps.activity()
      },
      log: (level, message) => log.log(level, message, { taskId: id, source: 'fixer' }),
      redact: deps.redact,
    },
  )
  const result: Pick<TaskPatch, 'attempts' | 'plan' | 'diff' | 'usage'> = {
    attempts: outcome.attempts,
    plan: outcome.plan,
    diff: outcome.diff,
    usage: outcome.usage,
  }
  const cost = `$${outcome.usage.costUsd.toFixed(4)}`

  switch (outcome.kind) {
    case 'aborted':
      log.warn(`Aborted; ${outcome.rollback?.message ?? 'no edits to roll back'}`, { taskId: id })
      await patch(result).catch(() => undefined)
      return
    case 'fixed':
    case 'needs_review': {
      const closeBreaker = (s: StateFile) => {
        s.breakers = recordTaskResult(s.breakers, task.files, 'success', deps.clock.now(), config)
      }
      const n = outcome.attempts.length
      if (outcome.kind === 'fixed') {
        info(`Fixed on attempt ${n} (${outcome.edits.map((e) => e.path).join(', ')}; ${cost})`)
        await finishOk({ ...result, outcome: 'fixed' }, closeBreaker)
      } else {
        deps.notice('warn', 'Fix held for review', outcome.message)
        await finishOk(
          { ...result, outcome: 'needs_review', failureReason: outcome.message },
          closeBreaker,
        )
      }
      return
    }
    case 'failed': {
      if (outcome.pause) {
        // Not the code's fault: no breaker count, no escalation; work waits for the user.
        log.error(`${outcome.reason}; edits rolled back`, { taskId: id })
        await finishFailed(outcome.reason, result)
        deps.pause(outcome.pause, outcome.keyRejected)
        return
      }
      const rolled = outcome.rollback ? ` ${outcome.rollback.message}` : ''
      log.error(`Failed: ${outcome.reason}.${rolled}`, { taskId: id })
      const failed = await finishFailed(outcome.reason, result, (s) => {
        s.breakers = recordTaskResult(s.breakers, task.files, 'failure', deps.clock.now(), config)
      })
      const records = await deps.escalate(failed).catch((error: unknown) => {
        log.error(`Escalation failed: ${(error as Error).message}`, { taskId: id })
        return [] as EscalationRecord[]
      })
      if (records.length) {
        const t = await deps.write((s) => {
          if (records.some((r) => r.ok && r.channel !== 'log')) s.stats.escalated++
          return updateTask(
            s.queues,
            id,
            { escalations: [...failed.escalations, ...records] },
            { now: now() },
          )
        })
        deps.emitTask('task_updated', t)
      }
      return
    }
  }
}

function fixTime(task: Task): number | undefined {
  if (!task.finishedAt) return undefined
  return Date.parse(task.finishedAt) - Date.parse(task.createdAt)
}

function describeChecks(checks: readonly CheckResult[]): string {
  return checks.map((c) => `${c.name} ${(c.durationMs / 1000).toFixed(1)} s`).join(', ')
}

function testResult(
  taskId: string,
  check: CheckResult,
  at: string,
): StateFile['test_results'][number] {
  return {
    task_id: taskId,
    timestamp: at,
    passed: check.passed,
    duration: check.durationMs / 1000,
    command: check.command,
    name: check.name,
  }
}
