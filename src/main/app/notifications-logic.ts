/**
 * Which engine messages become OS notifications, and how they read. Escalations (the engine's
 * desktop rung) always show; notices (paused by budget, breaker open, checks failing with auto-fix
 * off…) show unless the user asked for escalations only. Repeats within a short window are dropped
 * so a flapping check cannot bury the desktop.
 */
import type { EventPayload } from '../../shared/contract'
import type { DesktopNotification, DesktopNotifier } from '../core/escalate/channels/desktop'
import type { Clock } from '../core/util/clock'
import { systemClock } from '../core/util/clock'

export interface NotificationSpec {
  kind: 'escalation' | 'notice'
  title: string
  body: string
  /** The task a click opens; null opens the dashboard's overview. */
  taskId: string | null
  urgency: 'normal' | 'critical'
}

/** macOS shows about 4 lines, Windows about 3; the rest is in the dashboard. */
export const BODY_MAX = 240

function clip(text: string, max: number): string {
  const flat = text.trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export function escalationNotification(n: DesktopNotification): NotificationSpec {
  return {
    kind: 'escalation',
    title: clip(n.title, 80),
    body: clip(n.body, BODY_MAX),
    taskId: n.taskId,
    urgency: 'critical',
  }
}

/** The notification for a notice, or null when the settings silence it. */
export function noticeNotification(
  notice: EventPayload<'notice'>,
  settings: { escalationsOnly: boolean },
): NotificationSpec | null {
  if (settings.escalationsOnly) return null
  return {
    kind: 'notice',
    title: clip(notice.title, 80),
    body: clip(notice.body, BODY_MAX),
    taskId: notice.taskId,
    urgency: notice.level === 'error' ? 'critical' : 'normal',
  }
}

export interface NotificationGateOptions {
  /** A notification equal to one shown this recently is dropped. @default 60 s */
  repeatWindowMs?: number
  /** @default systemClock */
  clock?: Clock
}

/** Drops repeats of the same notification within a window. */
export class NotificationGate {
  readonly #windowMs: number
  readonly #clock: Clock
  readonly #shown = new Map<string, number>()

  constructor(options: NotificationGateOptions = {}) {
    this.#windowMs = options.repeatWindowMs ?? 60_000
    this.#clock = options.clock ?? systemClock
  }

  /** True when `spec` should be shown now (and remembers that it was). */
  admit(spec: NotificationSpec): boolean {
    const now = this.#clock.now()
    for (const [key, at] of this.#shown) if (now - at >= this.#windowMs) this.#shown.delete(key)
    const key = `${spec.kind}\u0000${spec.taskId ?? ''}\u0000${spec.title}\u0000${spec.body}`
    if (this.#shown.has(key)) return false
    this.#shown.set(key, now)
    return true
  }
}

/**
 * The engine's desktop rung over a `show` function. `show` may throw (no notification server):
 * the rung then fails and the escalation ladder records it, as it should.
 */
export function createDesktopNotifier(show: (spec: NotificationSpec) => void): DesktopNotifier {
  return {
    notify: async (n) => show(escalationNotification(n)),
  }
}
