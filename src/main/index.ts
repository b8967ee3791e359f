/**
 * The Electron main process, as a list of setup steps. Everything that can run without Electron
 * lives in src/main/core or in src/main/app/*-logic.ts; the steps here only pass paths, windows,
 * notifications and the tray to it.
 *
 * Tray first: no window at start; the dashboard is created on demand and destroyed on close.
 */
import { existsSync } from 'node:fs'
import { BrowserWindow, app, safeStorage } from 'electron'
import { createAppLog } from './app/app-log-logic'
import { chooseProjectFolder, showFatalError } from './app/dialogs'
import { applyE2EPaths, e2eEnabled, installE2EHook } from './app/e2e-hook'
import { createAppController, guardSecrets, openLastProject } from './app/engine-logic'
import { setupHardening } from './app/hardening'
import { registerIpc } from './app/ipc'
import { createLoginItem } from './app/login-item'
import type { NotificationSpec } from './app/notifications-logic'
import { createAppNotifications } from './app/notifications'
import { appPaths } from './app/paths'
import { createPrefs } from './app/prefs'
import { registerAppScheme, serveRenderer } from './app/protocol'
import { createQuitGuard } from './app/quit-logic'
import { SecretVault } from './app/secrets-logic'
import { ExternalLinks, RENDERER_ENTRY, escalationLinks, isRendererUrl } from './app/security-logic'
import { loadLoginShellPath } from './app/shell-path-logic'
import { createAppTray } from './app/tray'
import { createDashboard } from './app/window'

const APP_ID = 'dev.fixloop.app'
const paths = appPaths(import.meta.dirname)
// The dev server of `electron-vite dev`; never honoured in a packaged app.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL

applyE2EPaths()
registerAppScheme()
app.enableSandbox()
app.setAppUserModelId(APP_ID)

if (!app.requestSingleInstanceLock()) {
  // Another Fixloop is running: it opens its dashboard on our 'second-instance'; we leave.
  app.quit()
} else {
  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      showFatalError(error)
      app.exit(1)
    })
}

async function start(): Promise<void> {
  if (process.platform === 'darwin') app.dock?.hide()

  // Settings, secrets and the log file.
  const prefs = createPrefs()
  const vault = new SecretVault({ safeStorage, prefs })
  const { secrets, problems } = await vault.loadAll()
  const log = createAppLog({ dir: app.getPath('logs'), secrets: () => secrets })
  for (const problem of problems) log.logger.warn(problem, { source: 'secrets' })
  // Checks run `node`, `npx` and the project's runners: find them as the user's terminal would.
  const shellPath = await loadLoginShellPath()
  if (shellPath.error) log.logger.warn(`Login shell PATH not read: ${shellPath.error}`)

  // Security, the renderer's protocol and the on-demand window.
  const links = new ExternalLinks()
  setupHardening({ links, log: log.logger })
  serveRenderer(paths.rendererDir)
  const dashboard = createDashboard({
    baseUrl: devServerUrl ?? RENDERER_ENTRY,
    preloadPath: paths.preloadPath,
    iconPath: paths.appIcon,
    prefs,
  })
  const openTask = (taskId: string | null) =>
    dashboard.open(taskId ? { view: 'task', id: taskId } : undefined)
  app.on('second-instance', () => dashboard.open())
  // A tray app keeps running with no window.
  app.on('window-all-closed', () => undefined)

  // Notifications, the engine and the bridge to the window.
  const shown: NotificationSpec[] = []
  const notifications = createAppNotifications({
    openTask,
    escalationsOnly: () => controller.engine?.settings.notifications.escalationsOnly ?? false,
    iconPath: paths.appIcon,
    log: log.logger,
    onShown: e2eEnabled() ? (spec) => shown.push(spec) : undefined,
  })
  const controller = createAppController({
    prefs,
    vault,
    secrets,
    notifier: notifications.notifier,
    log: log.logger,
    chooseFolder: () => chooseProjectFolder(dashboard.current()),
    onSecretsChanged: () => log.refreshRedaction(),
  })
  const port = guardSecrets(controller, vault)
  log.attach(port)
  port.on('notice', (notice) => notifications.notice(notice))
  registerIpc({
    port,
    window: () => dashboard.current(),
    isOurUrl: (url) => isRendererUrl(url, devServerUrl),
    log: log.logger,
    observe: (_kind, value) => escalationLinks(value).forEach((url) => links.allow(url)),
  })

  // The tray.
  const loginItem = createLoginItem()
  const tray = createAppTray({
    iconDir: paths.trayIconDir,
    port,
    input: () => ({
      snapshot: controller.snapshot(),
      recentProjects: prefs.recentProjects().filter((p) => existsSync(p)),
      loginItem: {
        supported: loginItem.supported,
        enabled: loginItem.supported && loginItem.isEnabled(),
      },
    }),
    openDashboard: () => dashboard.open(),
    chooseFolder: () => chooseProjectFolder(dashboard.current()),
    clearRecent: () => prefs.clearRecent(),
    setLaunchAtLogin: (on) => loginItem.setEnabled(on),
    quit: () => app.quit(),
    onError: (title, error) =>
      notifications.show({
        kind: 'notice',
        title,
        body: error.message,
        taskId: null,
        urgency: 'normal',
      }),
  })
  port.on('snapshot', (snapshot) => tray.update(snapshot))

  // Quit gracefully: the engine stops (tasks finish or roll back, the lock is released) first.
  const quitGuard = createQuitGuard({
    stop: () => controller.stop(),
    quit: () => app.quit(),
    onProblem: (message) => log.logger.warn(message, { source: 'app' }),
  })
  app.on('before-quit', (event) => quitGuard.onBeforeQuit(event))
  app.on('will-quit', () => tray.destroy())

  installE2EHook({
    port,
    tray,
    shown,
    clickNotification: (spec) => notifications.clicked(spec),
    windowUrl: () => dashboard.current()?.webContents.getURL() ?? null,
    windowCount: () => BrowserWindow.getAllWindows().length,
  })

  // Back to the project Fixloop watched last time.
  const reopened = await openLastProject(controller, prefs, existsSync)
  if (reopened.error) {
    log.logger.error(`Could not reopen the last project: ${reopened.error}`, { source: 'app' })
    notifications.show({
      kind: 'notice',
      title: 'Could not reopen the last project',
      body: reopened.error,
      taskId: null,
      urgency: 'normal',
    })
  }
  tray.update()
}
