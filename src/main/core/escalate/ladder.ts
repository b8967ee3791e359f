/**
 * Which rungs of the ladder run for one failure, and which are skipped and why: not configured,
 * or rate-limited because the same fingerprint was delivered there within the window.
 */
import type { EscalationChannel } from '../../../shared/domain'
import type { EscalationMemoryEntry, SkippedChannel } from './types'

export interface LadderPlanInput {
  ladder: readonly EscalationChannel[]
  rateLimitMinutes: number
  /** Channels the rate limit applies to. */
  rateLimited: ReadonlySet<EscalationChannel>
  entry: EscalationMemoryEntry
  now: number
  /** Null when the channel is ready, else what is missing. */
  missing: (channel: EscalationChannel) => string | null
}

export interface LadderPlan {
  /** In ladder order, duplicates removed. */
  active: EscalationChannel[]
  skipped: SkippedChannel[]
}

export function planLadder(input: LadderPlanInput): LadderPlan {
  const { entry, now, rateLimitMinutes } = input
  const active: EscalationChannel[] = []
  const skipped: SkippedChannel[] = []
  const windowMs = rateLimitMinutes * 60_000
  for (const channel of new Set(input.ladder)) {
    const missing = input.missing(channel)
    const last = entry.lastAt[channel]
    // A last delivery "in the future" (clock moved back) does not suppress anything.
    const since = last ? now - Date.parse(last) : Number.POSITIVE_INFINITY
    if (missing) {
      skipped.push({ channel, reason: 'not_configured', detail: missing })
    } else if (input.rateLimited.has(channel) && since >= 0 && since < windowMs) {
      const ago = Math.round(since / 60_000)
      const detail = `sent ${ago} min ago for this fingerprint (limit ${rateLimitMinutes} min)`
      skipped.push({ channel, reason: 'rate_limited', detail })
    } else {
      active.push(channel)
    }
  }
  return { active, skipped }
}

/** The promise's value if it settles within `ms` (real time, unref'ed), else undefined. */
export async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
