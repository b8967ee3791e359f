/**
 * The domain of Fixloop, declared once as zod schemas. Types are inferred from the schemas so the
 * runtime validation (IPC, web bridge, state file) and the compile-time types can never drift apart.
 *
 * Paths inside a task are project-relative and use forward slashes on every platform.
 */
import { z } from 'zod'

export const isoTime = z.string().min(1)

export const TaskStatus = z.enum(['pending', 'in_progress', 'completed', 'failed'])
export type TaskStatus = z.infer<typeof TaskStatus>

export const TASK_STATUSES = TaskStatus.options

export const TaskKind = z.enum(['file_change', 'batch'])
export type TaskKind = z.infer<typeof TaskKind>

/** How a task ended, more precisely than its queue says. */
export const TaskOutcome = z.enum([
  /** Checks were red, Claude's edit made them green. */
  'fixed',
  /** Checks were green on the change itself: no API call was made. */
  'no_fix_needed',
  /** A failing check passed on a re-run: reported, not sent to Claude. */
  'flaky',
  /** Checks are red and auto-fix is off: detected and reported only. */
  'detected',
  /**
   * A fix turned the checks green in the shadow workspace but is held, NOT applied to the user's tree:
   * it touched tests or runner config, it conflicts with an edit made meanwhile, or review is required.
   * Approve applies it; reject discards it.
   */
  'needs_review',
  /** Every attempt failed, or a budget / breaker / error stopped the task. The user's tree was not touched. */
  'failed',
  /** Cancelled by the user. */
  'cancelled',
  /** A completed fix was undone by the user. */
  'undone',
])
export type TaskOutcome = z.infer<typeof TaskOutcome>

export const Usage = z.object({
  requests: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheCreationInputTokens: z.number().int().nonnegative(),
  cacheReadInputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
})
export type Usage = z.infer<typeof Usage>

export const EMPTY_USAGE: Usage = Object.freeze({
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  costUsd: 0,
})

/** Why a test was chosen for a change. */
export const SelectionReason = z.enum(['graph', 'name', 'fallback', 'config'])
export type SelectionReason = z.infer<typeof SelectionReason>

export const SelectedTest = z.object({
  file: z.string(),
  reason: SelectionReason,
  /** The changed file that led to this test, when there is one. */
  because: z.string().optional(),
})
export type SelectedTest = z.infer<typeof SelectedTest>

export const TestFailure = z.object({
  name: z.string(),
  file: z.string().optional(),
  message: z.string(),
})
export type TestFailure = z.infer<typeof TestFailure>

export const CheckResult = z.object({
  /** What the check is: "related", "suite", "typecheck", "lint", or a configured name. */
  name: z.string(),
  command: z.array(z.string()),
  passed: z.boolean(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().nonnegative(),
  /** The tail of the combined output, bounded. */
  output: z.string(),
  failures: z.array(TestFailure),
  /** Set when a red check passed on a re-run. */
  flaky: z.boolean().optional(),
  /**
   * How many tests ran and passed or failed, and how many were skipped (skip, todo, pending), as the
   * runner's report or its output's summary says. A test file that ran no test counts none. Absent
   * when the output cannot be read per test, for checks that run no tests, and in older states.
   */
  tests: z
    .object({
      passed: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      skipped: z.number().int().nonnegative(),
    })
    .optional(),
})
export type CheckResult = z.infer<typeof CheckResult>

export const Risk = z.enum(['low', 'medium', 'high'])

export const Plan = z.object({
  rootCause: z.string(),
  files: z.array(z.string()),
  steps: z.array(z.string()),
  risk: Risk,
  testsLookWrong: z.boolean(),
  /** "claude" when the planner answered, "default" when planning failed and the fixer ran without it. */
  source: z.enum(['claude', 'default']),
  error: z.string().optional(),
})
export type Plan = z.infer<typeof Plan>

/** One write made by Fixloop, as shown to the user. The undo data itself lives in the journal. */
export const FileEdit = z.object({
  path: z.string(),
  hashBefore: z.string().nullable(),
  hashAfter: z.string(),
  diff: z.string(),
  /** Set when the edit touches tests, snapshots or runner config, or weakens assertions. */
  integrity: z.array(z.string()).optional(),
})
export type FileEdit = z.infer<typeof FileEdit>

export const AttemptOutcome = z.enum(['passed', 'failed', 'error', 'aborted', 'refused'])

export const Attempt = z.object({
  n: z.number().int().positive(),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  outcome: AttemptOutcome.nullable(),
  checks: z.array(CheckResult),
  edits: z.array(FileEdit),
  usage: Usage,
  error: z.string().optional(),
})
export type Attempt = z.infer<typeof Attempt>

export const EscalationChannel = z.enum(['log', 'desktop', 'github', 'slack', 'email'])
export type EscalationChannel = z.infer<typeof EscalationChannel>

export const EscalationRecord = z.object({
  channel: EscalationChannel,
  at: isoTime,
  ok: z.boolean(),
  /** What happened, secrets redacted: "issue #12 opened", "comment on #12", "HTTP 500 after 3 tries". */
  detail: z.string(),
  url: z.string().optional(),
  fingerprint: z.string(),
  tries: z.number().int().nonnegative(),
})
export type EscalationRecord = z.infer<typeof EscalationRecord>

/**
 * Where a running task is in the pipeline: sync (the shadow workspace is brought up to date), detect
 * (the related checks run there), gate (auto-fix, key, breakers and budgets allow a fix), fix (Claude
 * edits the shadow), verify (the checks judge the edit), apply (the verified fix goes to the user's
 * tree through the journal), settle (breakers, stats, history, escalation). Null outside in_progress.
 */
export const TaskPhase = z.enum(['sync', 'detect', 'gate', 'fix', 'verify', 'apply', 'settle'])
export type TaskPhase = z.infer<typeof TaskPhase>

export const Task = z.object({
  id: z.string().regex(/^task_[A-Za-z0-9_-]+$/),
  kind: TaskKind,
  files: z.array(z.string()),
  status: TaskStatus,
  priority: z.number().int(),
  /** Monotonic insertion order, used for FIFO within equal priority. */
  seq: z.number().int().nonnegative(),
  createdAt: isoTime,
  updatedAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  outcome: TaskOutcome.nullable(),
  /** Checks run on the change before any fix (the detection run). */
  detection: z.array(CheckResult),
  selection: z.array(SelectedTest),
  attempts: z.array(Attempt),
  plan: Plan.nullable(),
  /** The unified diff of every edit that stands, for display. */
  diff: z.string().nullable(),
  usage: Usage,
  failureReason: z.string().nullable(),
  escalations: z.array(EscalationRecord),
  /** How many times the user sent this task back to pending. */
  retries: z.number().int().nonnegative(),
  /** The stage a task in progress is at (kept in state, so a restart knows where it stopped). */
  phase: TaskPhase.nullable().default(null),
})
export type Task = z.infer<typeof Task>

export const Queues = z.object({
  pending: z.array(Task),
  in_progress: z.array(Task),
  completed: z.array(Task),
  failed: z.array(Task),
})
export type Queues = z.infer<typeof Queues>

/** What the UI shows of a task in a list: everything but the bulky parts. */
export const TaskSummary = Task.pick({
  id: true,
  kind: true,
  files: true,
  status: true,
  priority: true,
  createdAt: true,
  updatedAt: true,
  startedAt: true,
  finishedAt: true,
  outcome: true,
  failureReason: true,
  phase: true,
}).extend({ attemptCount: z.number().int().nonnegative(), costUsd: z.number().nonnegative() })
export type TaskSummary = z.infer<typeof TaskSummary>

export const QueueSnapshot = z.object({
  pending: z.array(TaskSummary),
  in_progress: z.array(TaskSummary),
  completed: z.array(TaskSummary),
  failed: z.array(TaskSummary),
})
export type QueueSnapshot = z.infer<typeof QueueSnapshot>

export const Stats = z.object({
  processed: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  escalated: z.number().int().nonnegative(),
  noFixNeeded: z.number().int().nonnegative(),
  flaky: z.number().int().nonnegative(),
  /** succeeded / (succeeded + failed), 0..1; null before any fix was tried. */
  successRate: z.number().min(0).max(1).nullable(),
  startedAt: isoTime.nullable(),
  uptimeMs: z.number().nonnegative(),
  session: Usage,
  today: Usage,
  meanTimeToFixMs: z.number().nonnegative().nullable(),
})
export type Stats = z.infer<typeof Stats>

export const HealthStatus = z.enum(['HEALTHY', 'DEGRADED'])
export const HealthCheck = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })
export const Health = z.object({
  status: HealthStatus,
  checkedAt: isoTime,
  checks: z.array(HealthCheck),
})
export type Health = z.infer<typeof Health>

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error'])
export type LogLevel = z.infer<typeof LogLevel>

export const LogEntry = z.object({
  seq: z.number().int().nonnegative(),
  at: isoTime,
  level: LogLevel,
  message: z.string(),
  taskId: z.string().optional(),
  source: z.string().optional(),
})
export type LogEntry = z.infer<typeof LogEntry>

export const BreakerState = z.enum(['closed', 'open', 'half_open'])
export const Breaker = z.object({
  file: z.string(),
  state: BreakerState,
  /** Times (ISO) of the failed tasks that count toward the threshold, inside the window. */
  failures: z.array(isoTime),
  openedAt: isoTime.nullable(),
})
export type Breaker = z.infer<typeof Breaker>

export const EngineStatus = z.enum(['starting', 'running', 'paused', 'stopping', 'stopped'])
export type EngineStatus = z.infer<typeof EngineStatus>

/** What the engine is doing right now, for the tray icon and the overview. */
export const Activity = z.enum(['idle', 'checking', 'fixing', 'paused', 'error'])
export type Activity = z.infer<typeof Activity>

export const EngineSnapshot = z.object({
  status: EngineStatus,
  activity: Activity,
  projectRoot: z.string().nullable(),
  pid: z.number().int().nullable(),
  lastHeartbeat: isoTime.nullable(),
  autoFix: z.boolean(),
  /** Why work is held, in words, when status is "paused". */
  pausedReason: z.string().nullable(),
  /** The Claude API has been unavailable since `since`: tasks wait, uncounted, until `retryAt`. */
  apiOutage: z
    .object({ since: isoTime, retryAt: isoTime, reason: z.string() })
    .nullable()
    .default(null),
  queues: QueueSnapshot,
  stats: Stats,
  health: Health.nullable(),
  breakers: z.array(Breaker),
})
export type EngineSnapshot = z.infer<typeof EngineSnapshot>
