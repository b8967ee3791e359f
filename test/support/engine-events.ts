/** Waiting on a real engine's events in tests. */
import type { Task } from '../../src/shared/domain'
import type { Orchestrator, OrchestratorEvents } from '../../src/main/core/engine/orchestrator'

/** The next `event` (matching `pred`), or a rejection after `timeoutMs`. */
export function next<K extends keyof OrchestratorEvents>(
  e: Orchestrator,
  event: K,
  pred: (...args: OrchestratorEvents[K]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<OrchestratorEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs)
    const listener = (...args: OrchestratorEvents[K]) => {
      if (!pred(...args)) return
      clearTimeout(timer)
      e.off(event, listener as never)
      resolve(args[0])
    }
    e.on(event, listener as never)
  })
}

/** The next task to end, completed or failed. */
export const finished = (e: Orchestrator) =>
  Promise.race([next(e, 'task_completed'), next(e, 'task_failed')]) as Promise<Task>

/** 'none' when no task is created within `ms`, else which files started one. */
export const noTaskWithin = (e: Orchestrator, ms: number) =>
  next(e, 'task_created', () => true, ms).then(
    (t) => `task for ${t.files.join(', ')}`,
    () => 'none',
  )
