/**
 * The circuit breaker, one per source file: when fixes for a file keep failing, stop paying for more.
 *
 * `threshold` failed tasks within `windowSeconds` open the breaker; no fix is tried for that file until
 * the window has passed since it opened. Then it is half-open: the next task on the file is a trial
 * whose success closes the breaker and whose failure opens it again. The user can reset it any time.
 *
 * Pure functions over the `Breaker[]` kept in the state file; time comes in as `now` (ms), so tests
 * and the engine's injected clock drive every transition. One trial at a time holds because the
 * scheduler never runs two tasks on the same file at once.
 */
import type { Breaker } from '../../../shared/domain'
import type { Settings } from '../../../shared/settings'
import { isSnapshotPath, isTestPath } from './integrity'

export interface BreakerConfig {
  /** Failed tasks within the window that open a breaker. @default 3 */
  threshold: number
  /** @default 3600 */
  windowSeconds: number
}

export const breakerConfig = (
  settings: Pick<Settings, 'breakerThreshold' | 'breakerWindowSeconds'>,
): BreakerConfig => ({
  threshold: settings.breakerThreshold,
  windowSeconds: settings.breakerWindowSeconds,
})

export type BreakerGate =
  | {
      allowed: true
      /** The breakers after the check: open ones whose window passed are now half-open. */
      breakers: Breaker[]
      /** Files whose breaker is half-open: this task is their trial. */
      trial: string[]
    }
  | {
      allowed: false
      breakers: Breaker[]
      /** The open breakers that stop the task. */
      blocking: Breaker[]
      /** When the first of them lets a trial through (ms). */
      retryAt: number
      /** "circuit breaker open for src/math.ts: 3 failed tasks within 60 min; …" */
      reason: string
    }

/**
 * The files a breaker is keyed by for a task: its source files. Tests and snapshots are left out, since
 * a failing test says the source it covers is what keeps breaking; a task about tests only falls back
 * to its own files so it is still bounded.
 */
export function breakerKeys(files: readonly string[]): string[] {
  const sources = files.filter((f) => !isTestPath(f) && !isSnapshotPath(f))
  return [...new Set(sources.length > 0 ? sources : files)].sort()
}

/** Whether a task on `files` may run now, and the breakers after open ones moved to half-open. */
export function gateBreakers(
  breakers: readonly Breaker[],
  files: readonly string[],
  now: number,
  config: BreakerConfig,
): BreakerGate {
  const keys = new Set(breakerKeys(files))
  const window = config.windowSeconds * 1000
  const next = breakers.map((b) => {
    if (b.state !== 'open' || b.openedAt === null) return b
    return Date.parse(b.openedAt) + window <= now ? { ...b, state: 'half_open' as const } : b
  })
  const relevant = next.filter((b) => keys.has(b.file))
  const blocking = relevant.filter((b) => b.state === 'open')
  if (blocking.length > 0) {
    const retryAt = Math.min(...blocking.map((b) => Date.parse(b.openedAt ?? '') + window))
    return {
      allowed: false,
      breakers: next,
      blocking,
      retryAt,
      reason: blockedReason(blocking, now, config),
    }
  }
  return {
    allowed: true,
    breakers: next,
    trial: relevant.filter((b) => b.state === 'half_open').map((b) => b.file),
  }
}

/**
 * Records how a task on `files` ended. A failure counts toward the threshold (and re-opens a half-open
 * breaker); a success closes a half-open or open breaker. Failures older than the window are dropped.
 */
export function recordTaskResult(
  breakers: readonly Breaker[],
  files: readonly string[],
  result: 'success' | 'failure',
  now: number,
  config: BreakerConfig,
): Breaker[] {
  const keys = breakerKeys(files)
  const at = new Date(now).toISOString()
  const byFile = new Map(breakers.map((b) => [b.file, b]))
  for (const file of keys) {
    const current = byFile.get(file) ?? {
      file,
      state: 'closed' as const,
      failures: [],
      openedAt: null,
    }
    const failures = recent(current.failures, now, config)
    let updated: Breaker
    if (result === 'success') {
      // A success in the closed state keeps the count: N failures within the window still open it.
      updated =
        current.state === 'closed'
          ? { ...current, failures }
          : { file, state: 'closed', failures: [], openedAt: null }
    } else {
      failures.push(at)
      const opens = current.state !== 'closed' || failures.length >= config.threshold
      updated = { file, state: opens ? 'open' : 'closed', failures, openedAt: opens ? at : null }
    }
    byFile.set(file, updated)
  }
  return compact([...byFile.values()])
}

/** The user's reset: the file's breaker is closed and its failures forgotten. */
export function resetBreaker(breakers: readonly Breaker[], file: string): Breaker[] {
  return breakers.filter((b) => b.file !== file)
}

/**
 * The breakers as the UI should show them at `now`: failures outside the window dropped, an open
 * breaker whose window has passed shown half-open, closed breakers without failures left out.
 */
export function currentBreakers(
  breakers: readonly Breaker[],
  now: number,
  config: BreakerConfig,
): Breaker[] {
  const window = config.windowSeconds * 1000
  return compact(
    breakers.map((b) => {
      const failures = recent(b.failures, now, config)
      if (b.state === 'open' && b.openedAt !== null && Date.parse(b.openedAt) + window <= now) {
        return { ...b, failures, state: 'half_open' as const }
      }
      return { ...b, failures }
    }),
  )
}

function recent(failures: readonly string[], now: number, config: BreakerConfig): string[] {
  const since = now - config.windowSeconds * 1000
  return failures.filter((t) => Date.parse(t) > since)
}

const compact = (breakers: Breaker[]) =>
  breakers
    .filter((b) => b.state !== 'closed' || b.failures.length > 0)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))

function blockedReason(blocking: Breaker[], now: number, config: BreakerConfig): string {
  const window = config.windowSeconds * 1000
  const parts = blocking.map((b) => {
    const until = Date.parse(b.openedAt ?? '') + window
    return `${b.file} (${b.failures.length} failed task${b.failures.length === 1 ? '' : 's'} within ${duration(window)}; next trial in ${duration(until - now)}, at ${new Date(until).toISOString()})`
  })
  return `circuit breaker open for ${parts.join(', ')}; reset it to try now`
}

function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000))
  if (s < 90) return `${s} s`
  if (s < 90 * 60) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1).replace(/\.0$/, '')} h`
}
