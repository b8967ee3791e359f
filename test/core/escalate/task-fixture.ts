/**
 * Failed tasks for escalation tests, validated against the domain schema so they stay real.
 */
import { EMPTY_USAGE, Task, type CheckResult, type TestFailure } from '../../../src/shared/domain'

export interface FailedTaskInput {
  id?: string
  files?: string[]
  failures?: TestFailure[]
  /** Text in every attempt's error. */
  attemptError?: string
  diff?: string
  rootCause?: string
  output?: string
  attempts?: number
}

export function failedCheck(failures: TestFailure[], output = ''): CheckResult {
  return {
    name: 'related',
    command: ['npx', 'vitest', 'run'],
    passed: false,
    exitCode: 1,
    signal: null,
    timedOut: false,
    durationMs: 1200,
    output,
    failures,
  }
}

export function failedTask(input: FailedTaskInput = {}): Task {
  const failures = input.failures ?? [
    {
      name: 'adds two numbers',
      file: 'test/math.test.ts',
      message: 'AssertionError: expected 3 to be 4 // Object.is equality',
    },
  ]
  const diff =
    input.diff ??
    '--- a/src/math.ts\n+++ b/src/math.ts\n@@ -1,3 +1,3 @@\n export function add(a, b) {\n-  return a - b\n+  return a + b + 1\n }\n'
  const attempts = Array.from({ length: input.attempts ?? 2 }, (_, i) => ({
    n: i + 1,
    startedAt: `2026-03-01T10:0${i}:00.000Z`,
    finishedAt: `2026-03-01T10:0${i}:30.000Z`,
    outcome: 'failed' as const,
    checks: [failedCheck(failures, input.output)],
    edits: [{ path: 'src/math.ts', hashBefore: 'a'.repeat(64), hashAfter: 'b'.repeat(64), diff }],
    usage: EMPTY_USAGE,
    ...(input.attemptError ? { error: input.attemptError } : {}),
  }))
  return Task.parse({
    id: input.id ?? 'task_abc123',
    kind: 'file_change',
    files: input.files ?? ['src/math.ts'],
    status: 'failed',
    priority: 0,
    seq: 1,
    createdAt: '2026-03-01T09:59:00.000Z',
    updatedAt: '2026-03-01T10:05:00.000Z',
    startedAt: '2026-03-01T10:00:00.000Z',
    finishedAt: '2026-03-01T10:05:00.000Z',
    outcome: 'failed',
    detection: [failedCheck(failures, input.output)],
    selection: [{ file: 'test/math.test.ts', reason: 'graph', because: 'src/math.ts' }],
    attempts,
    plan: {
      rootCause: input.rootCause ?? 'add() subtracts instead of adding',
      files: ['src/math.ts'],
      steps: ['Change the operator in add()', 'Re-run test/math.test.ts'],
      risk: 'low',
      testsLookWrong: false,
      source: 'claude',
    },
    diff: null,
    usage: EMPTY_USAGE,
    failureReason: `All ${input.attempts ?? 2} attempts failed`,
    escalations: [],
    retries: 0,
    phase: null,
  })
}
