/**
 * verify: the checks judge the last attempt in the shadow, in widening rings (related, the suite,
 * the extra checks). Red goes back to fix while attempts remain. Green must be confirmed against
 * detection (the tests that failed seen passing by name, no fewer tests run) and pass the
 * test-integrity check to go to apply; otherwise it is held for review — unapplied — with the
 * reason, as it is when review is the policy.
 */
import { runVerification } from '../../checks'
import { assessIntegrity, decideIntegrity, integrityByPath } from '../../fix/integrity'
import { DEFAULT_PROMPT_LIMITS, renderChecks } from '../../fix/prompts'
import { isoNow } from '../../util/clock'
import { redactVerification } from '../redact-checks'
import { end, next } from './endings'
import type { Next } from './endings'
import { allFailed } from './stage-fix'
import type { TaskRun } from './task-run'
import { summarize } from './words'

export async function verifyStage(run: TaskRun): Promise<Next> {
  const { deps, fix } = run
  const journal = fix.journal
  const attempt = fix.attempts.at(-1)
  if (!run.runner || !journal || !attempt) throw new Error('verify runs after a fix attempt')
  const n = attempt.n
  deps.log.info(`Verifying attempt ${n}…`, { taskId: run.id, source: 'fixer' })
  await run.persist({ ...run.progress(), phase: 'verify' })
  let verification
  try {
    verification = redactVerification(
      await runVerification(run.runner, unique(run.task.files, journal.paths()), {
        ...run.ring(),
        settings: deps.settings,
        detected: run.task.detection,
      }),
      (text) => run.presentable(text),
    )
  } catch (error) {
    if (run.signal.aborted) return end({ kind: 'aborted' })
    throw error
  }
  attempt.checks = verification.checks
  attempt.finishedAt = isoNow(deps.clock)

  if (!verification.passed) {
    attempt.outcome = 'failed'
    const failed = verification.failed
    deps.log.warn(`Attempt ${n} did not pass: ${failed ? summarize(failed) : 'checks red'}`, {
      taskId: run.id,
      source: 'fixer',
    })
    // Back to the same conversation, as finish's error result: what failed, in the shadow.
    const red = verification.checks.filter((c) => !c.passed)
    const skipped = verification.skipped.length
      ? `\nNot run after that: ${verification.skipped.join(', ')}.`
      : ''
    fix.feedback = `Fixloop's verification of your fix failed.\n${renderChecks(red, DEFAULT_PROMPT_LIMITS)}${skipped}`
    await run.persist(run.progress())
    return n < deps.settings.maxRetries ? next('fix') : end(allFailed(run))
  }

  attempt.outcome = 'passed'
  const integrity = decideIntegrity(assessIntegrity(journal.changes()), deps.settings.testIntegrity)
  const marks = integrityByPath(integrity.findings)
  const edits = journal
    .fileEdits()
    .map((e) => (marks.has(e.path) ? { ...e, integrity: marks.get(e.path) } : e))
  attempt.edits = edits
  if (integrity.decision === 'refuse') {
    attempt.outcome = 'refused'
    return end({ kind: 'failed', reason: integrity.message, blame: 'code' })
  }
  // Not confirmed: the checks went green without the failing tests being seen to pass.
  const unconfirmed = (verification.confirmation?.problems ?? []).map((p) => run.presentable(p))
  if (unconfirmed.length > 0) {
    const also = integrity.decision === 'review' ? integrity.reasons : []
    const message = `Held for review: the fix is not confirmed: ${[...unconfirmed, ...also].join('; ')}`
    return end({ kind: 'held', edits, message })
  }
  if (integrity.decision === 'review')
    return end({ kind: 'held', edits, message: integrity.message })
  if (deps.settings.apply === 'review')
    return end({
      kind: 'held',
      edits,
      message:
        'Fix verified and held for review (apply: review); your tree is unchanged until you approve it.',
    })
  return next('apply')
}

function unique(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())]
}
