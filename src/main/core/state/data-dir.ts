/**
 * `<project>/.fixloop` holds the state, the lock, the undo journal (with file contents) and the fixes
 * held for review. A repository can ship it as a symbolic link — or a link inside it — so that all
 * of that would be written outside the project, wherever the link points. Fixloop refuses to start
 * on such a project instead of following it.
 */
import { lstat, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import { STATE_DIR } from './paths'

/** The entries of `.fixloop` that Fixloop writes; none of them may be a link either. */
const OWN_ENTRIES = [
  'state.json',
  'state.json.lock',
  'journal',
  'fixes',
  'tmp',
  'settings.json',
  '.gitignore',
]

export class LinkedDataDirError extends Error {
  override readonly name = 'LinkedDataDirError'
  /** A setup problem the user fixes (the CLI prints the message alone, exit 2). */
  readonly code = 'bad_data_dir'
}

/** Throws `LinkedDataDirError` when `.fixloop`, or an entry Fixloop writes in it, is a link. */
export async function assertRealDataDir(projectRoot: string): Promise<void> {
  const dir = join(projectRoot, STATE_DIR)
  await refuseLink(dir, `${STATE_DIR}`)
  for (const name of OWN_ENTRIES) await refuseLink(join(dir, name), `${STATE_DIR}/${name}`)
}

async function refuseLink(path: string, shown: string): Promise<void> {
  const info = await lstat(path).catch(() => null)
  if (!info?.isSymbolicLink()) return
  const target = await readlink(path).catch(() => 'somewhere else')
  throw new LinkedDataDirError(
    `${shown} in this project is a symbolic link (to ${target}). Fixloop keeps its state, lock and ` +
      'undo journal only in a real folder inside the project, so it does not start here. Remove the ' +
      `link (rm ${shown}) and start again; Fixloop makes the folder itself.`,
  )
}
