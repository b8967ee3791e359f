/** Related-check selection and the check runner: the engine's judge. */
export { detectRunner } from './detect-runner'
export type { DetectOptions } from './detect-runner'
export { CheckSetupError } from './errors'
export type { CheckSetupCode } from './errors'
export { checksHealth } from './health'
export type { ChecksHealth } from './health'
export {
  planExtraChecks,
  planNamedChecks,
  planRelatedChecks,
  planRerun,
  planSuiteCheck,
  planTestFilesCheck,
} from './plan-checks'
export type { PlanOptions, RelatedPlan } from './plan-checks'
export { filesAt, indexedFiles } from './project-files'
export type { ProjectFiles } from './project-files'
export { skipsFolder } from './test-files'
export { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS, executeCheck, runCheck } from './run-check'
export type { RunCheckOptions, WarmExecutor } from './run-check'
export { runDetection } from './detection'
export type { DetectionOptions, DetectionResult, DetectionVerdict } from './detection'
export { runVerification } from './verification'
export type { VerificationOptions, VerificationResult } from './verification'
export { confirmFix } from './confirm-fix'
export type { FixConfirmation, VerifiedRun } from './confirm-fix'
export type { TestCounts, TestRef, TestTally } from './parse-common'
export { runRelated } from './related-run'
export type { RelatedRun, RingOptions } from './related-run'
export { parseCmdShim, resolveExecutable } from './resolve-bin'
export { rebaseRunner } from './rebase-runner'
export { checkEnv, withoutSecretValues } from './check-env'
export { REPORT_PLACEHOLDER, WHOLE_SUITE } from './types'
export type {
  CheckEvent,
  CheckExecution,
  PlannedCheck,
  ReportFormat,
  RunnerInfo,
  RunnerKind,
} from './types'
