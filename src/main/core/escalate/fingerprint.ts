/**
 * The fingerprint says "this is the same failure as before": the task's files, the failing test names
 * and the class of error, hashed. It leaves out everything that changes between two runs of the same
 * failure (times, ids, the values in an assertion message, line numbers), so a second failure of the
 * same kind lands as a comment on the first one's issue instead of a twin.
 */
import type { CheckResult, Task } from '../../../shared/domain'
import { contentHash } from '../util/hash'

export interface FingerprintParts {
  files: string[]
  tests: string[]
  errorClass: string
}

const ERROR_CLASS = /\b([A-Z][A-Za-z0-9]*(?:Error|Exception))\b/

/** The red checks of the last attempt that ran any, else of the detection run. Flaky ones do not count. */
export function failingChecks(task: Task): CheckResult[] {
  const lastWithChecks = [...task.attempts].reverse().find((a) => a.checks.length > 0)
  const checks = lastWithChecks?.checks ?? task.detection
  return checks.filter((c) => !c.passed && !c.flaky)
}

/** `file › name` for each failing test, sorted and unique. */
export function failingTestNames(task: Task): string[] {
  const names = failingChecks(task).flatMap((c) =>
    c.failures.map((f) => (f.file ? `${f.file} › ${f.name}` : f.name)),
  )
  return [...new Set(names)].sort()
}

/**
 * The class of the failure: the first `…Error`/`…Exception` name in the failing tests' messages (in
 * sorted test order, so it is stable), then `Timeout` if a check timed out, then the first error name
 * in a red check's output, then `CheckFailed` for a red check with neither, else `Failure`.
 */
export function errorClass(task: Task): string {
  const checks = failingChecks(task)
  const failures = checks
    .flatMap((c) => c.failures)
    .sort((a, b) => `${a.file ?? ''}${a.name}`.localeCompare(`${b.file ?? ''}${b.name}`))
  for (const f of failures) {
    const m = ERROR_CLASS.exec(f.message)
    if (m?.[1]) return m[1]
  }
  if (checks.some((c) => c.timedOut)) return 'Timeout'
  for (const c of checks) {
    const m = ERROR_CLASS.exec(c.output)
    if (m?.[1]) return m[1]
  }
  return checks.length > 0 ? 'CheckFailed' : 'Failure'
}

export function fingerprintParts(task: Task): FingerprintParts {
  return {
    files: [...new Set(task.files)].sort(),
    tests: failingTestNames(task),
    errorClass: errorClass(task),
  }
}

/** 16 hex digits (64 bits) of sha256 over the parts: short enough for a title, unique enough. */
export function fingerprint(task: Task): string {
  return contentHash(JSON.stringify(fingerprintParts(task))).slice(0, 16)
}

/** The hidden line that finds an issue again: `<!-- fixloop:fingerprint=… -->`. */
export const fingerprintMarker = (fp: string): string => `<!-- fixloop:fingerprint=${fp} -->`
