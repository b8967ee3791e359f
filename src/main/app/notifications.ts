/**
 * OS notifications through Electron's `Notification`. A click opens the dashboard on the task.
 */
import { Notification } from 'electron'
import type { EventPayload } from '../../shared/contract'
import type { DesktopNotifier } from '../core/escalate/channels/desktop'
import type { Logger } from '../core/log/logger'
import type { NotificationSpec } from './notifications-logic'
import { NotificationGate, createDesktopNotifier, noticeNotification } from './notifications-logic'

export interface AppNotificationsOptions {
  /** Opens the dashboard on a task (or the overview for null). */
  openTask: (taskId: string | null) => void
  /** The current "escalations only" setting. */
  escalationsOnly: () => boolean
  /** The notification icon on Linux and Windows. */
  iconPath?: string
  log: Logger
  /** Sees each notification shown (the end-to-end hook records them). */
  onShown?: (spec: NotificationSpec) => void
}

export interface AppNotifications {
  /** The engine's desktop rung. */
  notifier: DesktopNotifier
  /** Shows a notice unless the settings silence it or it repeats. */
  notice(notice: EventPayload<'notice'>): void
  /** Shows any notification (errors from tray actions). */
  show(spec: NotificationSpec): void
  /** What a click on a notification does (the end-to-end hook calls it). */
  clicked(spec: NotificationSpec): void
}

export function createAppNotifications(options: AppNotificationsOptions): AppNotifications {
  const gate = new NotificationGate()
  // Electron drops a notification's handlers when the object is garbage-collected, so a click on an
  // old notification would do nothing: hold each one until it is clicked or closed.
  const live = new Set<Notification>()

  const clicked = (spec: NotificationSpec) => options.openTask(spec.taskId)

  const show = (spec: NotificationSpec) => {
    options.onShown?.(spec)
    if (!Notification.isSupported()) {
      options.log.info(`Notification (not supported here): ${spec.title} — ${spec.body}`)
      return
    }
    const n = new Notification({
      title: spec.title,
      body: spec.body,
      urgency: spec.urgency,
      ...(options.iconPath ? { icon: options.iconPath } : {}),
    })
    live.add(n)
    n.on('click', () => {
      live.delete(n)
      clicked(spec)
    })
    n.on('close', () => live.delete(n))
    n.on('failed', (_e, error) => {
      live.delete(n)
      options.log.warn(`Notification failed: ${error}`)
    })
    n.show()
  }

  return {
    notifier: createDesktopNotifier(show),
    notice: (notice) => {
      const spec = noticeNotification(notice, { escalationsOnly: options.escalationsOnly() })
      if (spec && gate.admit(spec)) show(spec)
    },
    show,
    clicked,
  }
}
