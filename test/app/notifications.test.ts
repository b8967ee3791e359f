import { describe, expect, it } from 'vitest'
import type { EventPayload } from '../../src/shared/contract'
import type { Clock } from '../../src/main/core/util/clock'
import {
  BODY_MAX,
  NotificationGate,
  createDesktopNotifier,
  escalationNotification,
  noticeNotification,
} from '../../src/main/app/notifications-logic'
import type { NotificationSpec } from '../../src/main/app/notifications-logic'

const notice = (patch: Partial<EventPayload<'notice'>> = {}): EventPayload<'notice'> => ({
  level: 'warn',
  title: 'Auto-fix paused',
  body: 'The daily budget of $10.00 is spent.',
  taskId: 'task_1',
  ...patch,
})

/** A clock the test moves by hand (the gate only reads `now`). */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000
  return {
    now: () => now,
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
    advance: (ms) => (now += ms),
  }
}

describe('noticeNotification', () => {
  it('turns a notice into a notification that opens its task', () => {
    expect(noticeNotification(notice(), { escalationsOnly: false })).toEqual({
      kind: 'notice',
      title: 'Auto-fix paused',
      body: 'The daily budget of $10.00 is spent.',
      taskId: 'task_1',
      urgency: 'normal',
    })
  })

  it('is silenced when only escalations should show', () => {
    expect(noticeNotification(notice(), { escalationsOnly: true })).toBeNull()
  })

  it('marks errors critical and clips long bodies', () => {
    const spec = noticeNotification(notice({ level: 'error', body: 'x'.repeat(1000) }), {
      escalationsOnly: false,
    })
    expect(spec?.urgency).toBe('critical')
    expect(spec?.body).toHaveLength(BODY_MAX)
    expect(spec?.body.endsWith('…')).toBe(true)
  })
})

describe('escalations', () => {
  it('always become notifications, through the engine desktop rung', async () => {
    const shown: NotificationSpec[] = []
    const notifier = createDesktopNotifier((spec) => shown.push(spec))
    await notifier.notify({
      title: 'Fixloop could not fix math.js',
      body: 'Tests still fail',
      taskId: 'task_9',
    })
    expect(shown).toEqual([
      {
        kind: 'escalation',
        title: 'Fixloop could not fix math.js',
        body: 'Tests still fail',
        taskId: 'task_9',
        urgency: 'critical',
      },
    ])
    expect(escalationNotification({ title: 't', body: 'b', taskId: null }).taskId).toBeNull()
  })

  it('fail the rung when the OS cannot show them', async () => {
    const notifier = createDesktopNotifier(() => {
      throw new Error('no notification server')
    })
    await expect(notifier.notify({ title: 't', body: 'b', taskId: null })).rejects.toThrow(/server/)
  })
})

describe('NotificationGate', () => {
  it('drops a repeat within the window and lets it through after', () => {
    const clock = manualClock()
    const gate = new NotificationGate({ clock, repeatWindowMs: 60_000 })
    const spec = noticeNotification(notice(), { escalationsOnly: false })!
    expect(gate.admit(spec)).toBe(true)
    clock.advance(59_999)
    expect(gate.admit(spec)).toBe(false)
    expect(gate.admit({ ...spec, taskId: 'task_2' })).toBe(true)
    clock.advance(1)
    expect(gate.admit(spec)).toBe(true)
  })
})
