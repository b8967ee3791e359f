/**
 * A test-only handle for the Playwright `_electron` tests (test/e2e/electron), installed ONLY when the
 * app is launched with `FIXLOOP_E2E=1`. Tray menus and OS notifications cannot be clicked by
 * automation, so the hook clicks them the way the OS would: through the same code paths.
 *
 * `FIXLOOP_E2E_USER_DATA=<dir>` (with FIXLOOP_E2E=1) keeps the run's settings, secrets and logs in a
 * temporary folder instead of the user's.
 */
import { app } from 'electron'
import type { CommandName } from '../../shared/contract'
import type { EngineSnapshot } from '../../shared/domain'
import type { ControllerPort } from '../core/bridge/controller-port'
import { dispatchCommand } from '../core/bridge/dispatch'
import type { NotificationSpec } from './notifications-logic'
import type { TrayView } from './tray-logic'

export const E2E_FLAG = 'FIXLOOP_E2E'

export function e2eEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[E2E_FLAG] === '1'
}

/** Before `ready`: moves userData (settings, secrets, logs) to the run's folder. */
export function applyE2EPaths(env: NodeJS.ProcessEnv = process.env): void {
  if (!e2eEnabled(env) || !env.FIXLOOP_E2E_USER_DATA) return
  app.setPath('userData', env.FIXLOOP_E2E_USER_DATA)
  app.setAppLogsPath(`${env.FIXLOOP_E2E_USER_DATA}/logs`)
}

export interface FixloopE2E {
  snapshot(): Promise<EngineSnapshot>
  command(name: CommandName, args?: unknown): Promise<unknown>
  trayView(): TrayView
  clickTray(id: string): Promise<void>
  notifications(): NotificationSpec[]
  clickNotification(index: number): void
  windowUrl(): string | null
  windowCount(): number
}

export interface E2EParts {
  port: ControllerPort
  tray: { view(): TrayView; click(id: string): Promise<void> }
  shown: NotificationSpec[]
  clickNotification: (spec: NotificationSpec) => void
  windowUrl: () => string | null
  windowCount: () => number
}

export function installE2EHook(parts: E2EParts, env: NodeJS.ProcessEnv = process.env): void {
  if (!e2eEnabled(env)) return
  const hook: FixloopE2E = {
    snapshot: async () => {
      const outcome = await dispatchCommand(parts.port, 'getSnapshot', {})
      if (!outcome.ok) throw new Error(outcome.error.message)
      return outcome.value as EngineSnapshot
    },
    command: (name, args) => dispatchCommand(parts.port, name, args ?? {}),
    trayView: () => parts.tray.view(),
    clickTray: (id) => parts.tray.click(id),
    notifications: () => [...parts.shown],
    clickNotification: (index) => {
      const spec = parts.shown[index]
      if (!spec) throw new Error(`No notification #${index} (${parts.shown.length} shown)`)
      parts.clickNotification(spec)
    },
    windowUrl: parts.windowUrl,
    windowCount: parts.windowCount,
  }
  ;(globalThis as { __fixloopE2E?: FixloopE2E }).__fixloopE2E = hook
}
