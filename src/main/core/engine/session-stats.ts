import type { Stats, TaskOutcome, Usage } from '../../../shared/domain'
import type { PersistedStats } from '../state'
import { EMPTY_USAGE } from '../../../shared/domain'
import { addUsage } from '../claude/pricing'
import type { Clock } from '../util/clock'
import { systemClock } from '../util/clock'

/**
 * The figures of one engine session (since `start()`), as the seed printed them on shutdown.
 * Cumulative counters across restarts live in the state file.
 */
export class SessionStats {
  readonly #clock: Clock
  #startedAt: number | null = null
  #processed = 0
  #succeeded = 0
  #failed = 0
  #escalated = 0
  #noFixNeeded = 0
  #flaky = 0
  #usage: Usage = { ...EMPTY_USAGE }
  #fixTimeTotal = 0
  #fixCount = 0

  constructor(clock: Clock = systemClock) {
    this.#clock = clock
  }

  start(): void {
    this.#startedAt = this.#clock.now()
  }

  /** Counts a finished task by how it ended; `fixMs` is the time from detection to a green fix. */
  recordOutcome(outcome: TaskOutcome, fixMs?: number): void {
    this.#processed++
    switch (outcome) {
      case 'fixed':
      case 'needs_review':
        this.#succeeded++
        if (fixMs !== undefined) {
          this.#fixTimeTotal += fixMs
          this.#fixCount++
        }
        break
      case 'failed':
        this.#failed++
        break
      case 'no_fix_needed':
        this.#noFixNeeded++
        break
      case 'flaky':
        this.#flaky++
        break
      default:
        break
    }
  }

  recordEscalation(): void {
    this.#escalated++
  }

  addUsage(usage: Usage): void {
    this.#usage = addUsage(this.#usage, usage)
  }

  snapshot(today: Usage): Stats {
    const tried = this.#succeeded + this.#failed
    return {
      processed: this.#processed,
      succeeded: this.#succeeded,
      failed: this.#failed,
      escalated: this.#escalated,
      noFixNeeded: this.#noFixNeeded,
      flaky: this.#flaky,
      successRate: tried ? this.#succeeded / tried : null,
      startedAt: this.#startedAt === null ? null : new Date(this.#startedAt).toISOString(),
      uptimeMs: this.#startedAt === null ? 0 : Math.max(0, this.#clock.now() - this.#startedAt),
      session: this.#usage,
      today,
      meanTimeToFixMs: this.#fixCount ? this.#fixTimeTotal / this.#fixCount : null,
    }
  }
}

/** The seed's shutdown summary, extended with spend. */
export function formatSummary(stats: Stats): string {
  const rate = stats.successRate === null ? 'n/a' : `${(stats.successRate * 100).toFixed(1)}%`
  const mttf =
    stats.meanTimeToFixMs === null ? 'n/a' : `${(stats.meanTimeToFixMs / 1000).toFixed(1)} s`
  return [
    'Session statistics:',
    `  Uptime: ${formatDuration(stats.uptimeMs)}`,
    `  Tasks processed: ${stats.processed}`,
    `  Tasks succeeded: ${stats.succeeded}`,
    `  Tasks failed: ${stats.failed}`,
    `  Tasks escalated: ${stats.escalated}`,
    `  No fix needed: ${stats.noFixNeeded}`,
    `  Flaky: ${stats.flaky}`,
    `  Success rate: ${rate}`,
    `  Mean time to fix: ${mttf}`,
    `  Tokens (session): ${stats.session.inputTokens + stats.session.outputTokens} · cost $${stats.session.costUsd.toFixed(4)}`,
    `  Cost today: $${stats.today.costUsd.toFixed(4)}`,
  ].join('\n')
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}

/** Counts a finished task into the totals kept in the state file (they survive restarts). */
export function countOutcome(stats: PersistedStats, outcome: TaskOutcome, fixMs?: number): void {
  stats.processed++
  if (outcome === 'fixed' || outcome === 'needs_review') {
    stats.succeeded++
    if (fixMs !== undefined) {
      stats.fixTimeTotalMs += fixMs
      stats.fixCount++
    }
  } else if (outcome === 'failed') stats.failed++
  else if (outcome === 'no_fix_needed') stats.noFixNeeded++
  else if (outcome === 'flaky') stats.flaky++
  else if (outcome === 'cancelled') stats.cancelled++
}
