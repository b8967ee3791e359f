/**
 * The Electron main process: a readable list of setup calls. Everything that can run without Electron
 * lives in src/main/core; this file and src/main/app only pass paths, windows and notifications.
 */
import { join } from 'node:path'
import type { BrowserWindow } from 'electron'
import { app, Menu, Tray, nativeImage } from 'electron'
import { createDashboardWindow } from './app/window'
import { setupHardening } from './app/hardening'

const outDir = join(__dirname, '..')
let dashboard: BrowserWindow | null = null
let tray: Tray | null = null

function openDashboard(): void {
  if (dashboard && !dashboard.isDestroyed()) {
    dashboard.show()
    dashboard.focus()
    return
  }
  dashboard = createDashboardWindow({ outDir, devServerUrl: process.env.ELECTRON_RENDERER_URL })
  dashboard.on('closed', () => {
    dashboard = null
  })
}

function setupSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }
  app.on('second-instance', openDashboard)
  return true
}

function setupTray(): void {
  tray = new Tray(nativeImage.createEmpty())
  tray.setToolTip('Fixloop')
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open dashboard', click: openDashboard },
      { type: 'separator' },
      { label: 'Quit', role: 'quit' },
    ]),
  )
}

function setupLifecycle(): void {
  // A tray app keeps running with no window.
  app.on('window-all-closed', () => undefined)
}

if (setupSingleInstance()) {
  void app.whenReady().then(() => {
    setupHardening()
    setupTray()
    setupLifecycle()
  })
}
