/**
 * Salvage of a state file that parses but fails the schema or the queue invariants: every part is
 * checked on its own and entry by entry, so one bad field costs that entry (or only that field),
 * never the rest. Spend and breakers are salvaged independently of the queues, and a spend record
 * that is itself damaged is rebuilt from the tasks' attempts rather than restarted at zero.
 *
 * Only the slow path: a valid file is taken as it is by one parse and one schema check (load.ts).
 */
import { Health, isoTime } from '../../../shared/domain'
import { checkInvariants } from '../queue/invariants'
import {
  HistoryEntry,
  OrchestratorProcess,
  STATE_VERSION,
  StateFile,
  TestResultEntry,
  freshState,
} from './schema'
import { SalvageNotes, firstIssue, show } from './salvage-notes'
import type { SalvageCount, SalvageReport } from './salvage-notes'
import { salvageBreakers, salvageEscalations, salvageSpend, salvageStats } from './salvage-records'
import { salvageQueues } from './salvage-tasks'
import { fieldwise, isRecord, valid, validEntries } from './salvage-values'

export interface SalvageResult {
  state: StateFile
  report: SalvageReport
}

/**
 * What can be kept of `raw` (a parsed JSON object meant as a version 2 state), with a note for every
 * entry dropped or field repaired. Null only if even the spend and breakers cannot be made valid,
 * which the rules below rule out; the check is a last guard.
 */
export function salvageState(raw: Record<string, unknown>, now: string): SalvageResult | null {
  const notes = new SalvageNotes()
  if (raw.version !== STATE_VERSION)
    notes.repair('version', `${show(raw.version)} → ${STATE_VERSION}`)

  const { queues, found: tasksFound, maxSeq } = salvageQueues(raw.queues, now, notes)
  const history = validEntries(
    raw.conversation_history,
    HistoryEntry,
    'conversation_history',
    notes,
  )
  const tests = validEntries(raw.test_results, TestResultEntry, 'test_results', notes)
  const spend = salvageSpend(raw.spend, queues, notes)
  const breakers = salvageBreakers(raw.breakers, now, notes)
  const escalations = salvageEscalations(raw.escalations, notes)
  const stats = salvageStats(raw.stats, spend.value, notes)

  const rawSeq = StateFile.shape.seq.safeParse(raw.seq)
  const seq = Math.max(rawSeq.success ? rawSeq.data : 0, maxSeq + 1)
  if (!rawSeq.success || seq !== rawSeq.data) {
    notes.repair('seq', `${show(raw.seq)} → ${seq} (after the highest task seq)`)
  }
  const processes = isRecord(raw.processes) ? raw.processes : {}
  const orchestrator = fieldwise(
    OrchestratorProcess.shape,
    processes.orchestrator,
    { status: 'stopped', pid: null, last_heartbeat: null },
    'processes.orchestrator',
    notes,
  )
  const health = Health.nullable().safeParse(raw.health ?? null)
  if (!health.success)
    notes.repair('health', `${show(raw.health)} → null (the next check fills it)`)

  const state: StateFile = {
    version: STATE_VERSION,
    timestamp: valid(isoTime, raw.timestamp, now, 'timestamp', notes),
    generation: valid(StateFile.shape.generation, raw.generation, 0, 'generation', notes),
    seq,
    processes: { orchestrator },
    queues,
    conversation_history: history.kept,
    test_results: tests.kept,
    stats,
    breakers: breakers.value,
    spend: spend.value,
    escalations: escalations.value,
    health: health.success ? health.data : null,
  }
  let problem = inconsistency(state)
  if (problem) {
    // Not expected: the task rules restore every invariant. Spend and breakers survive regardless.
    notes.drop('queues', `could not be made consistent (${problem}); every task is dropped`)
    state.queues = freshState(now).queues
    problem = inconsistency(state)
    if (problem) return null
  }
  const count = (found: number, kept: number): SalvageCount => ({ found, kept })
  const tasksKept = Object.values(state.queues).reduce((n, q) => n + q.length, 0)
  return {
    state,
    report: {
      counts: {
        tasks: count(tasksFound, tasksKept),
        history: count(history.found, history.kept.length),
        testResults: count(tests.found, tests.kept.length),
        breakers: count(breakers.found, breakers.value.length),
        spendDays: count(spend.found, Object.keys(spend.value).length),
        escalations: count(escalations.found, Object.keys(escalations.value).length),
      },
      ...notes.lines(),
    },
  }
}

function inconsistency(state: StateFile): string | null {
  const parsed = StateFile.safeParse(state)
  if (!parsed.success) return firstIssue(parsed.error)
  return checkInvariants(state.queues, { limits: false })[0] ?? null
}
