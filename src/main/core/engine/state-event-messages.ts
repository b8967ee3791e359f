import type { LogLevel } from '../../../shared/domain'
import { describeSalvage } from '../state'
import type { StateEventName, StateEvents } from '../state'

export interface StateEventMessage {
  level: LogLevel
  message: string
  /** Set when the user must be told, not just the log. */
  notice?: { title: string; body: string }
}

/** What the engine says about something the state store reports (repairs, takeovers, lock loss). */
export function describeStateEvent<K extends StateEventName>(
  name: K,
  payload: StateEvents[K],
): StateEventMessage | null {
  switch (name) {
    case 'corrupt': {
      const e = payload as unknown as StateEvents['corrupt']
      if (e.salvaged) {
        const lost = e.salvaged.totals.dropped > 0
        return {
          level: lost ? 'error' : 'warn',
          message: `The state file was damaged (${e.reason}); the original is kept at ${e.movedTo}. ${describeSalvage(e.salvaged)}`,
          notice: {
            title: lost
              ? 'State file was damaged: some entries dropped'
              : 'State file was repaired',
            body: `${e.salvaged.totals.dropped} dropped, ${e.salvaged.totals.repaired} repaired; the original is kept at ${e.movedTo}`,
          },
        }
      }
      return {
        level: 'error',
        message: `The state file was unreadable (${e.reason}); it was moved to ${e.movedTo} and a fresh state started`,
        notice: { title: 'State file was corrupt', body: `Moved aside to ${e.movedTo}` },
      }
    }
    case 'migrated': {
      const e = payload as unknown as StateEvents['migrated']
      return {
        level: 'info',
        message: `State migrated from version ${e.from} (${e.tasks} tasks kept; backup at ${e.backup})`,
      }
    }
    case 'recovered': {
      const e = payload as unknown as StateEvents['recovered']
      const held = e.held?.length
        ? `; ${e.held.length} interrupted while applying a fix, held for review (${e.held.join(', ')})`
        : ''
      return {
        level: 'warn',
        message: `${e.tasks.length} interrupted task(s) returned to pending${held}`,
      }
    }
    case 'records-lost': {
      const e = payload as unknown as StateEvents['records-lost']
      return {
        level: 'warn',
        message: `The saved details of ${e.ids.length} task(s) were missing or unreadable (${e.ids.join(', ')}); they are kept without their check output, attempts and diff`,
      }
    }
    case 'lock-taken-over': {
      const e = payload as unknown as StateEvents['lock-taken-over']
      return { level: 'warn', message: `Took over a stale lock left by pid ${e.previousPid}` }
    }
    case 'compromised': {
      const e = payload as unknown as StateEvents['compromised']
      return {
        level: 'error',
        message: `State lock lost: ${e.message}`,
        notice: { title: 'State lock lost', body: e.message },
      }
    }
    default:
      return null
  }
}
