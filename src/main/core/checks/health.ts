import type { Settings } from '../../../shared/settings'
import { detectRunner } from './detect-runner'
import type { DetectOptions } from './detect-runner'
import { planExtraChecks } from './plan-checks'
import type { RunnerInfo } from './types'

export interface ChecksHealth {
  /** Shaped like the contract's HealthCheck. */
  check: { name: 'checks'; ok: boolean; detail: string }
  runner: RunnerInfo | null
}

/** What health shows about checks: the runner in use, or why there is none; unresolvable extras. */
export function checksHealth(
  root: string,
  settings: Pick<Settings, 'testCommand' | 'extraChecks'>,
  options: DetectOptions = {},
): ChecksHealth {
  let runner: RunnerInfo
  try {
    runner = detectRunner(root, settings, options)
  } catch (error) {
    return { check: { name: 'checks', ok: false, detail: (error as Error).message }, runner: null }
  }
  const broken = planExtraChecks(runner.root, settings.extraChecks, [], options).filter(
    (c) => c.error,
  )
  const detail = [`Tests: ${runner.description}.`, ...broken.map((c) => c.error as string)].join(
    ' ',
  )
  return { check: { name: 'checks', ok: broken.length === 0, detail }, runner }
}
