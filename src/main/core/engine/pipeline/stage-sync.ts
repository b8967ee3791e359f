/**
 * sync: the task takes a shadow workspace, brought up to date with the project (the task's files
 * checked by hash), and the project's runner is rebased into it. Nothing runs in the user's tree.
 */
import { rebaseRunner } from '../../checks'
import { end, next } from './endings'
import type { Next } from './endings'
import type { TaskRun } from './task-run'

export async function syncStage(run: TaskRun): Promise<Next> {
  let runner
  try {
    runner = run.deps.runner()
  } catch (error) {
    return end({ kind: 'failed', reason: `No test command: ${message(error)}`, blame: 'setup' })
  }
  try {
    run.lease = await run.deps.workspaces().lease(run.task.files, run.signal)
  } catch (error) {
    if (run.signal.aborted) return end({ kind: 'aborted' })
    return end({
      kind: 'failed',
      reason: `The shadow workspace could not be prepared: ${message(error)}`,
      blame: 'setup',
    })
  }
  run.runner = rebaseRunner(runner, run.lease.root)
  await run.persist({ phase: 'detect' })
  run.deps.log.debug(
    `Shadow workspace ${run.lease.root} ready in ${run.lease.syncMs} ms (${run.lease.synced} paths synced)`,
    { taskId: run.id, source: 'shadow' },
  )
  return next('detect')
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
