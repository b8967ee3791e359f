/**
 * The fix as it leaves the shadow: each file Claude changed, with the base it was made against (the
 * project's content when the task took the workspace) and the verified content. Kept on disk before
 * anything is applied, so a held fix waits for Approve and an interrupted apply can be told apart.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { StagedFix } from '../../fix/staged-fix'
import { saveStagedFix } from '../../fix/staged-fix'
import type { TaskRun } from './task-run'

async function stagedFixOf(run: TaskRun): Promise<StagedFix> {
  const journal = run.fix.journal
  if (!journal) throw new Error('no fix to stage')
  const hashes = new Map(journal.fileEdits().map((e) => [e.path, e.hashBefore]))
  const files = await Promise.all(
    journal.changes().map(async (c) => ({
      path: c.path,
      baseHash: hashes.get(c.path) ?? null,
      baseContent: c.before,
      content: c.after,
      // A file the fix creates takes the mode it has in the shadow; existing files keep their own.
      mode: c.before === null ? await modeIn(run.lease?.root, c.path) : null,
    })),
  )
  return { taskId: run.id, createdAt: run.now, files }
}

/** Saves the staged fix once per run; returns it. */
export async function stageFix(run: TaskRun): Promise<StagedFix> {
  if (run.staged) return run.staged
  const fix = await stagedFixOf(run)
  await saveStagedFix(run.deps.root, fix)
  run.staged = fix
  return fix
}

async function modeIn(root: string | undefined, path: string): Promise<number | null> {
  if (!root) return null
  try {
    return (await stat(join(root, path))).mode & 0o777
  } catch {
    return null
  }
}
