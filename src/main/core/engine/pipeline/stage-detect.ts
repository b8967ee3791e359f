/**
 * detect: the related checks run in the shadow, with flaky triage. Green and flaky end the task
 * without an API call; red goes on to the gate with the red checks.
 */
import type { CheckResult } from '../../../../shared/domain'
import { runDetection } from '../../checks'
import type { StateFile } from '../../state'
import { redactDetection } from '../redact-checks'
import { end, next } from './endings'
import type { Next } from './endings'
import type { TaskRun } from './task-run'
import { describeChecks, describeFiles, summarize } from './words'

export async function detectStage(run: TaskRun): Promise<Next> {
  const { deps, task } = run
  const runner = run.runner
  if (!runner) throw new Error('detect runs after sync')
  run.info(
    `Checking ${task.files.length > 3 ? `${task.files.length} files` : describeFiles(task.files)}…`,
  )
  deps.effects.activity()
  let detection
  try {
    detection = redactDetection(
      await runDetection(runner, task.files, { ...run.ring(), settings: deps.settings }),
      (text) => run.presentable(text),
    )
  } catch (error) {
    if (run.signal.aborted) return end({ kind: 'aborted' })
    return end({
      kind: 'failed',
      reason: `Checks could not run: ${(error as Error).message}`,
      blame: 'setup',
    })
  }
  const checks = [...detection.checks, ...detection.reruns]
  run.selection = detection.selection
  const verdictPhase = detection.verdict === 'red' ? 'gate' : 'settle'
  await run.persist(
    { detection: detection.checks, selection: detection.selection, phase: verdictPhase },
    (s) => {
      for (const c of checks) s.test_results.push(testResult(run.id, c, run.now))
    },
  )
  if (detection.verdict === 'green') {
    run.info(`Checks pass (${describeChecks(detection.checks)}): no fix needed`)
    return end({ kind: 'no_fix_needed' })
  }
  if (detection.verdict === 'flaky') {
    const names = detection.checks.filter((c) => c.flaky).map((c) => c.name)
    return end({ kind: 'flaky', names })
  }
  run.red = detection.checks.filter((c) => !c.passed)
  run.warn(`Checks failed: ${run.red.map(summarize).join('; ')}`)
  return next('gate')
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
