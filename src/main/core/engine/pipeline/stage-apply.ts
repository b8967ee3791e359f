/**
 * apply: the verified fix goes to the user's tree — the only write Fixloop makes there — through the
 * journal, file by file, only where each file still has its base hash; where the user changed it
 * meanwhile, a clean three-way merge is applied, and a conflict holds the fix unapplied with the
 * user's edit untouched. The fix is staged on disk and the phase stored before the first write, so a
 * crash mid-apply is repaired at the next start and never re-run blindly.
 */
import { applyFix } from '../../fix/apply-fix'
import { discardStagedFix } from '../../fix/staged-fix'
import { end } from './endings'
import type { Next } from './endings'
import { stageFix } from './staged'
import type { TaskRun } from './task-run'

export async function applyStage(run: TaskRun): Promise<Next> {
  const { deps } = run
  const edits = run.fix.attempts.at(-1)?.edits ?? []
  let staged
  try {
    staged = await stageFix(run)
  } catch (error) {
    // Nothing was written to the tree; without a copy on disk the fix cannot wait for review either.
    return end({
      kind: 'failed',
      reason: `The verified fix could not be kept for applying (${(error as Error).message}); your tree was not changed`,
      blame: 'setup',
    })
  }
  await run.persist({ ...run.progress(), phase: 'apply' })
  const report = await applyFix(deps.root, staged, {
    ownWrites: deps.ownWrites,
    clock: deps.clock,
  })
  // Whatever was written, the shadows must learn it: the watcher drops Fixloop's own writes.
  deps.workspaces().noteChanged(staged.files.map((f) => f.path))
  if (!report.ok) return end({ kind: 'held', edits, message: report.message })
  await discardStagedFix(deps.root, run.id).catch(() => undefined)
  return end({ kind: 'fixed', edits, message: report.message })
}
