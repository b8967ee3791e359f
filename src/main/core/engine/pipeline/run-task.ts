/**
 * The task pipeline's driver: from in_progress to an ending, stage by stage (sync → detect → gate →
 * fix ⇄ verify → apply), then `settle`. The shadow workspace the
 * task took is released whatever happens, so the next task finds a faithful copy of the project.
 */
import type { Task, TaskPhase } from '../../../../shared/domain'
import type { Ending, Next } from './endings'
import type { PipelineDeps } from './ports'
import { settle } from './settle'
import { applyStage } from './stage-apply'
import { detectStage } from './stage-detect'
import { fixStage } from './stage-fix'
import { gateStage } from './stage-gate'
import { syncStage } from './stage-sync'
import { verifyStage } from './stage-verify'
import { TaskRun } from './task-run'

type Stage = (run: TaskRun) => Promise<Next>

const STAGES: Record<Exclude<TaskPhase, 'settle'>, Stage> = {
  sync: syncStage,
  detect: detectStage,
  gate: gateStage,
  fix: fixStage,
  verify: verifyStage,
  apply: applyStage,
}

/** Runs `task` (already in progress) to its end. Resolves with the task as it was left. */
export async function runTask(task: Task, signal: AbortSignal, deps: PipelineDeps): Promise<Task> {
  const run = new TaskRun(task, signal, deps)
  let ending: Ending
  try {
    ending = await drive(run, 'sync')
  } catch (error) {
    ending = signal.aborted
      ? { kind: 'aborted' }
      : { kind: 'failed', reason: `Fixloop error: ${(error as Error).message}`, blame: 'setup' }
  }
  try {
    return await settle(run, ending)
  } finally {
    await release(run)
  }
}

async function drive(run: TaskRun, first: Exclude<TaskPhase, 'settle'>): Promise<Ending> {
  let phase: TaskPhase = first
  for (;;) {
    if (run.signal.aborted) return { kind: 'aborted' }
    const result: Next = await STAGES[phase as Exclude<TaskPhase, 'settle'>](run)
    if ('end' in result) return result.end
    // Each stage stores its own phase with its first write, at the moment its work begins (apply,
    // only once the fix is staged), so a restart knows exactly what may have happened.
    phase = result.phase
    if (phase === 'settle') throw new Error('a stage cannot move to settle without an ending')
  }
}

async function release(run: TaskRun): Promise<void> {
  const lease = run.lease
  if (!lease) return
  run.lease = null
  try {
    await lease.release(run.fix.journal?.paths() ?? [])
  } catch (error) {
    run.deps.log.warn(`Shadow workspace not reset: ${(error as Error).message}`, {
      taskId: run.id,
      source: 'shadow',
    })
  }
}
