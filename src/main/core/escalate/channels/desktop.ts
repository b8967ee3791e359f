/**
 * The desktop rung. The core only knows this interface: the Electron shell supplies a notifier over
 * `Notification` (clicking one opens the task), the CLI uses `consoleNotifier`.
 */

export interface DesktopNotification {
  title: string
  body: string
  /** The task to open when the notification is clicked; null for a test message. */
  taskId: string | null
}

export interface DesktopNotifier {
  notify(notification: DesktopNotification): Promise<void>
}

/**
 * A notifier for terminals: one block on stderr.
 * @param write where the text goes. @default process.stderr.write
 */
export function consoleNotifier(
  write: (text: string) => void = (text) => void process.stderr.write(text),
): DesktopNotifier {
  return {
    notify: async ({ title, body, taskId }) => {
      const lines = body.split('\n').map((l) => `  ${l}`)
      const task = taskId ? ` (${taskId})` : ''
      write(`\n[fixloop] ${title}${task}\n${lines.join('\n')}\n\n`)
    },
  }
}
