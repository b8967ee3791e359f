/**
 * Detection: the checks a change can affect, run before any fix is considered. A red check is
 * re-run alone (only its failing test files) up to `flakyReruns` times; if any re-run passes, the
 * failure is flaky — reported, never sent to Claude. A check that fails in a test the change
 * touches (the test file itself, or the test was chosen for a changed file) is not re-run: a
 * failure the change caused is not flaky, and a re-run would only delay the fix.
 */
import type { CheckResult, SelectedTest } from '../../../shared/domain'
import { DEFAULT_SETTINGS } from '../../../shared/settings'
import type { Settings } from '../../../shared/settings'
import { planRerun } from './plan-checks'
import { normalizeChanged } from './planned-check'
import { runOne, runRelated } from './related-run'
import type { RingOptions } from './related-run'
import type { RunnerInfo } from './types'

export interface DetectionOptions extends Omit<RingOptions, 'timeoutMs'> {
  /** `flakyReruns` and `checkTimeoutSeconds` are used. @default DEFAULT_SETTINGS */
  settings?: Partial<Pick<Settings, 'flakyReruns' | 'checkTimeoutSeconds'>>
}

/**
 * - green: every related check passed; no fix needed.
 * - red: a check failed on every re-run; send it to the fixer.
 * - flaky: every red check passed on a re-run; report it, do not fix.
 */
export type DetectionVerdict = 'green' | 'red' | 'flaky'

export interface DetectionResult {
  verdict: DetectionVerdict
  /** The related checks as first run; a red one that passed on a re-run has `flaky: true`. */
  checks: CheckResult[]
  /** The re-runs made for flaky triage, in order. */
  reruns: CheckResult[]
  /** Why each test ran. */
  selection: SelectedTest[]
}

/** Runs the related checks for `changedFiles` with flaky triage. Rejects only on abort. */
export async function runDetection(
  runner: RunnerInfo,
  changedFiles: readonly string[],
  options: DetectionOptions = {},
): Promise<DetectionResult> {
  const rerunsAllowed = options.settings?.flakyReruns ?? DEFAULT_SETTINGS.flakyReruns
  const ring: RingOptions = {
    ...options,
    timeoutMs: (options.settings?.checkTimeoutSeconds ?? 300) * 1000,
  }
  const related = await runRelated(runner, changedFiles, ring)
  const changed = new Set(normalizeChanged(runner.root, changedFiles))
  const checks: CheckResult[] = []
  const reruns: CheckResult[] = []
  let red = false
  let flaky = false
  for (const [i, result] of related.results.entries()) {
    if (result.passed) {
      checks.push(result)
      continue
    }
    const planned = related.planned[i]
    let passedOnRerun = false
    // A timeout is not retried: another full timeout would only delay the verdict. Nor is a
    // failure the change caused: it would fail again.
    const triage =
      !result.timedOut && !failsInChangedTest(runner, result, changed, related.selection)
    for (let n = 1; planned && triage && n <= rerunsAllowed && !passedOnRerun; n++) {
      const rerun = planRerun(
        runner,
        planned,
        result,
        `${result.name} (re-run ${n}/${rerunsAllowed})`,
      )
      const { result: again } = await runOne(rerun, ring)
      reruns.push(again)
      passedOnRerun = again.passed
    }
    if (passedOnRerun) flaky = true
    else red = true
    checks.push(passedOnRerun ? { ...result, flaky: true } : result)
  }
  return {
    verdict: red ? 'red' : flaky ? 'flaky' : 'green',
    checks,
    reruns,
    selection: related.selection,
  }
}

/**
 * Whether `result` fails in a test the change touches: a failing test file that is itself changed,
 * or one selected because of a changed file (by name, or by the module graph when it says which
 * file). Conservative: a failure without a file, or a test that only the whole suite or a graph
 * run over several changes brought in, might be flaky, so it keeps its re-run.
 */
function failsInChangedTest(
  runner: RunnerInfo,
  result: CheckResult,
  changed: ReadonlySet<string>,
  selection: readonly SelectedTest[],
): boolean {
  const failing = result.failures.map((f) => f.file).filter((f): f is string => !!f)
  const causedBy = new Set(
    selection.filter((s) => s.because !== undefined && changed.has(s.because)).map((s) => s.file),
  )
  return normalizeChanged(runner.root, failing).some((f) => changed.has(f) || causedBy.has(f))
}
