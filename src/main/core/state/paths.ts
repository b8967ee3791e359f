import { join, resolve } from 'node:path'

export const STATE_DIR = '.fixloop'

export interface StatePaths {
  projectRoot: string
  /** `<project>/.fixloop`, which also holds the journal and logs. */
  dataDir: string
  stateFile: string
  lockFile: string
}

/**
 * Where the state lives. STATE_FILE / LOCK_FILE style overrides may be relative: they resolve
 * against the project root, as the seed's `automation/state/app_state.json` did.
 */
export function resolveStatePaths(input: {
  projectRoot: string
  stateFile?: string
  lockFile?: string
}): StatePaths {
  const projectRoot = resolve(input.projectRoot)
  const dataDir = join(projectRoot, STATE_DIR)
  const stateFile = input.stateFile
    ? resolve(projectRoot, input.stateFile)
    : join(dataDir, 'state.json')
  const lockFile = input.lockFile ? resolve(projectRoot, input.lockFile) : `${stateFile}.lock`
  return { projectRoot, dataDir, stateFile, lockFile }
}
