/**
 * The persisted shape of `<project>/.fixloop/state.json`, version 2. It keeps the seed's top level
 * (`version`, `timestamp`, `processes`, `queues`, `conversation_history`, `test_results`) and adds
 * what the product needs: cumulative stats, circuit breakers, daily spend, escalation dedup, the
 * task sequence counter and a write generation.
 */
import { z } from 'zod'
import {
  Breaker,
  EMPTY_USAGE,
  EngineStatus,
  EscalationChannel,
  Health,
  Queues,
  Usage,
  isoTime,
} from '../../../shared/domain'

export const STATE_VERSION = 2

/** Bounds applied on every write. Queue limits live with the queue (DEFAULT_QUEUE_LIMITS). */
export const STATE_LIMITS = Object.freeze({
  conversationHistory: 100,
  testResults: 200,
  /** Days of spend kept, newest first. */
  spendDays: 31,
  escalations: 500,
  /**
   * A state file larger than this is not read (it is set aside, and a fresh state starts). The
   * largest state the limits allow is about 2.5 MiB (bench/state.ts); tasks still running keep
   * their checks' full output, a few MiB more. Parsing hundreds of MiB could exhaust the heap.
   */
  fileBytes: 64 * 1024 * 1024,
  /**
   * Once a task has finished, its bulky text is clipped: each check output of its last attempt
   * keeps its last 2,000 characters, earlier attempts' and the detection run's their last 500;
   * failure messages keep 500 characters (at most 10 per check) and attempt edit diffs 4,000. Running
   * tasks keep what the runner gave (up to 64 KiB a check) because the fixer reads it. Unclipped,
   * 100 finished tasks of three attempts would make the file ~47 MiB and every write ~1 s.
   */
  finishedOutputChars: 2_000,
  finishedEarlierOutputChars: 500,
  finishedFailureChars: 500,
  finishedFailuresPerCheck: 10,
  finishedDiffChars: 4_000,
})

const count = z.number().int().nonnegative()

export const OrchestratorProcess = z.object({
  status: EngineStatus,
  pid: z.number().int().nullable(),
  last_heartbeat: isoTime.nullable(),
})
export type OrchestratorProcess = z.infer<typeof OrchestratorProcess>

/** One event in the conversation log; extra keys (file_path, message, …) are kept as they are. */
export const HistoryEntry = z.looseObject({
  timestamp: isoTime,
  type: z.string().min(1),
  task_id: z.string().optional(),
})
export type HistoryEntry = z.infer<typeof HistoryEntry>

export const TestResultEntry = z.object({
  task_id: z.string().nullable(),
  timestamp: isoTime,
  passed: z.boolean(),
  /** Seconds, as in the seed. */
  duration: z.number().nonnegative(),
  command: z.array(z.string()),
  /** The test files the run covered, when known (the seed's `test_path`). */
  files: z.array(z.string()).optional(),
  /** The check's name ("related", "suite", …). */
  name: z.string().optional(),
})
export type TestResultEntry = z.infer<typeof TestResultEntry>

/** Counters that survive restarts; session figures are the engine's own business. */
export const PersistedStats = z.object({
  processed: count,
  succeeded: count,
  failed: count,
  escalated: count,
  noFixNeeded: count,
  flaky: count,
  cancelled: count,
  /** Sum and number of fix durations, for the mean time to fix. */
  fixTimeTotalMs: z.number().nonnegative(),
  fixCount: count,
  usage: Usage,
  firstStartedAt: isoTime.nullable(),
})
export type PersistedStats = z.infer<typeof PersistedStats>

/** A day in the project's spend, keyed `YYYY-MM-DD`. */
export const DayKey = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

export const EscalationMemo = z.object({
  /** ISO time of the last successful delivery, per channel (the ladder's rate limit). */
  lastAt: z.partialRecord(EscalationChannel, isoTime),
  /** The GitHub issue opened for this fingerprint, so a repeat comments instead of opening another. */
  githubIssue: z.number().int().positive().nullable(),
  githubIssueUrl: z.string().nullable(),
})
export type EscalationMemo = z.infer<typeof EscalationMemo>

export const StateFile = z.object({
  version: z.literal(STATE_VERSION),
  timestamp: isoTime,
  /** Incremented by every write; tells a reader which write it is looking at. */
  generation: count,
  /** The next task sequence number to hand out. */
  seq: count,
  processes: z.object({ orchestrator: OrchestratorProcess }),
  queues: Queues,
  conversation_history: z.array(HistoryEntry),
  test_results: z.array(TestResultEntry),
  stats: PersistedStats,
  breakers: z.array(Breaker),
  spend: z.record(DayKey, Usage),
  escalations: z.record(z.string().min(1), EscalationMemo),
  /** The last health check, for `fixloop status` (which reads without the lock). */
  health: Health.nullable().default(null),
})
export type StateFile = z.infer<typeof StateFile>

export function freshStats(): PersistedStats {
  return {
    processed: 0,
    succeeded: 0,
    failed: 0,
    escalated: 0,
    noFixNeeded: 0,
    flaky: 0,
    cancelled: 0,
    fixTimeTotalMs: 0,
    fixCount: 0,
    usage: { ...EMPTY_USAGE },
    firstStartedAt: null,
  }
}

export function freshState(now: string): StateFile {
  return {
    version: STATE_VERSION,
    timestamp: now,
    generation: 0,
    seq: 0,
    processes: { orchestrator: { status: 'stopped', pid: null, last_heartbeat: null } },
    queues: { pending: [], in_progress: [], completed: [], failed: [] },
    conversation_history: [],
    test_results: [],
    stats: freshStats(),
    breakers: [],
    spend: {},
    escalations: {},
    health: null,
  }
}
