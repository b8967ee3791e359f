import type { CheckResult } from '../../../shared/domain'
import type { DetectionResult, VerificationResult } from '../checks'

/**
 * Check output is the one place a secret can come from the project itself: a test that prints its
 * environment inherits ours. It is redacted before it is stored, shown or sent to Claude.
 */
export function redactCheck(check: CheckResult, redact: (text: string) => string): CheckResult {
  return {
    ...check,
    output: redact(check.output),
    failures: check.failures.map((f) => ({
      ...f,
      name: redact(f.name),
      message: redact(f.message),
    })),
  }
}

export function redactDetection(
  d: DetectionResult,
  redact: ((text: string) => string) | undefined,
): DetectionResult {
  if (!redact) return d
  return {
    ...d,
    checks: d.checks.map((c) => redactCheck(c, redact)),
    reruns: d.reruns.map((c) => redactCheck(c, redact)),
  }
}

export function redactVerification(
  v: VerificationResult,
  redact: ((text: string) => string) | undefined,
): VerificationResult {
  if (!redact) return v
  return {
    ...v,
    checks: v.checks.map((c) => redactCheck(c, redact)),
    failed: v.failed ? redactCheck(v.failed, redact) : null,
  }
}
