/**
 * Verification after a fix, in widening rings: the related tests, then the whole suite
 * (`verifyFullSuite`), then the extra checks (typecheck, lint…), stopping at the first red so a
 * broken fix is reported quickly and cheaply. No flaky re-runs here: a fix must be green as it is.
 * Green is then confirmed against detection (`confirmFix`): the tests that failed must be seen
 * passing by name, and no fewer tests may have run.
 */
import type { CheckResult, SelectedTest } from '../../../shared/domain'
import type { Settings } from '../../../shared/settings'
import { confirmFix } from './confirm-fix'
import type { FixConfirmation, VerifiedRun } from './confirm-fix'
import { planExtraChecks, planSuiteCheck } from './plan-checks'
import { runOne, runRelated } from './related-run'
import type { RingOptions } from './related-run'
import type { PlannedCheck, RunnerInfo } from './types'

export interface VerificationOptions extends Omit<RingOptions, 'timeoutMs'> {
  /** @default DEFAULT_SETTINGS */
  settings?: Partial<Pick<Settings, 'verifyFullSuite' | 'extraChecks' | 'checkTimeoutSeconds'>>
  /**
   * The related checks as detection ran them. When given, a green verification is confirmed
   * against them (see `confirmation`). @default none: no confirmation
   */
  detected?: readonly CheckResult[]
}

export interface VerificationResult {
  passed: boolean
  /** Every check that ran, in ring order; the last one is the red one when `passed` is false. */
  checks: CheckResult[]
  /** The first red check, or null. */
  failed: CheckResult | null
  /** Names of the checks the ring did not reach (after a red one). */
  skipped: string[]
  selection: SelectedTest[]
  /** For a green verification with `detected` given: whether the fix is confirmed, and why not. */
  confirmation: FixConfirmation | null
}

export async function runVerification(
  runner: RunnerInfo,
  changedFiles: readonly string[],
  options: VerificationOptions = {},
): Promise<VerificationResult> {
  const settings = options.settings ?? {}
  const ring: RingOptions = { ...options, timeoutMs: (settings.checkTimeoutSeconds ?? 300) * 1000 }
  const related = await runRelated(runner, changedFiles, ring)
  const checks = [...related.results]
  const extras = planExtraChecks(runner.root, settings.extraChecks ?? [], changedFiles, {
    platform: options.platform,
    env: options.env,
  })
  const coveredSuite = related.planned.some((p) => p.wholeSuite)
  const later: PlannedCheck[] = [
    ...((settings.verifyFullSuite ?? true) && !coveredSuite
      ? [planSuiteCheck(runner, 'suite', options)]
      : []),
    ...extras,
  ]
  const relatedRuns = related.results.map((result, i) => ({
    result,
    tests: related.tests[i] ?? null,
  }))
  let suite: VerifiedRun | null = null
  const done = (failed: CheckResult | null, skipped: string[]): VerificationResult => ({
    passed: failed === null,
    checks,
    failed,
    skipped,
    selection: related.selection,
    confirmation:
      failed === null && options.detected ? confirmFix(options.detected, relatedRuns, suite) : null,
  })
  const firstRed = checks.find((c) => !c.passed)
  if (firstRed)
    return done(
      firstRed,
      later.map((c) => c.name),
    )
  for (const [i, check] of later.entries()) {
    const { result, tests } = await runOne(check, ring)
    if (check.wholeSuite) suite = { result, tests }
    checks.push(result)
    if (!result.passed)
      return done(
        result,
        later.slice(i + 1).map((c) => c.name),
      )
  }
  return done(null, [])
}
