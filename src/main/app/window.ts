import { join } from 'node:path'
import { BrowserWindow } from 'electron'
import type { BrowserWindowConstructorOptions } from 'electron'

/**
 * The security settings of every window we create (Electron's security checklist). Exported so a test
 * can assert each of them without an Electron binary.
 */
export function secureWebPreferences(
  preloadPath: string,
): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  }
}

export interface DashboardWindowOptions {
  /** Folder of the built app (`out/`). */
  outDir: string
  /** The dev server URL in `electron-vite dev`, otherwise undefined. */
  devServerUrl?: string
}

/** Creates the dashboard window. It is destroyed on close, so an idle Fixloop holds no renderer. */
export function createDashboardWindow(options: DashboardWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Fixloop',
    webPreferences: secureWebPreferences(join(options.outDir, 'preload', 'index.cjs')),
  })
  win.once('ready-to-show', () => win.show())
  if (options.devServerUrl) void win.loadURL(options.devServerUrl)
  else void win.loadFile(join(options.outDir, 'renderer', 'index.html'))
  return win
}
