/** Building blocks of a PlannedCheck shared by the planners. */
import path from 'node:path'
import type { PlannedCheck, RunnerInfo } from './types'
import { REPORT_PLACEHOLDER } from './types'

export const VITEST_REPORT = [
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${REPORT_PLACEHOLDER}`,
]
export const JEST_REPORT = ['--json', `--outputFile=${REPORT_PLACEHOLDER}`]
export const NODE_REPORT = [
  '--test-reporter=tap',
  `--test-reporter-destination=${REPORT_PLACEHOLDER}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
]

/** Project-relative, forward slashes, whatever the caller passed. */
export function normalizeChanged(root: string, files: readonly string[]): string[] {
  const out = files.map((f) => {
    const rel = path.isAbsolute(f) ? path.relative(root, f) : f
    return rel.split(path.sep).join('/').replace(/\\/g, '/').replace(/^\.\//, '')
  })
  return [...new Set(out)].filter((f) => f.length > 0 && !f.startsWith('../'))
}

/** A path argument that can never be read as an option, even if the file name starts with "-". */
export const asArg = (file: string) => (file.startsWith('-') ? `./${file}` : file)

export function base(runner: RunnerInfo, name: string, extra: Partial<PlannedCheck>): PlannedCheck {
  return {
    name,
    command: [],
    cwd: runner.root,
    env: { ...runner.env },
    format: 'text',
    selection: [],
    graph: null,
    wholeSuite: false,
    ...extra,
  }
}
