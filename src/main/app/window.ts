/**
 * The dashboard window: created on demand with the options of window-options.ts, remembered bounds,
 * destroyed on close.
 */
import { BrowserWindow, app, screen } from 'electron'
import type { AppPrefs } from './prefs-logic'
import { dashboardWindowOptions } from './window-options'
import type { DashboardRoute } from './window-logic'
import { DashboardSlot, boundsVisible } from './window-logic'

export interface DashboardOptions {
  /** The renderer entry URL (`app://fixloop/index.html`, or the dev server's). */
  baseUrl: string
  preloadPath: string
  iconPath?: string
  prefs: AppPrefs
}

export interface Dashboard {
  open(route?: DashboardRoute): BrowserWindow
  current(): BrowserWindow | null
}

export function createDashboard(options: DashboardOptions): Dashboard {
  const slot = new DashboardSlot<BrowserWindow>({
    baseUrl: options.baseUrl,
    create: (url, onClosed) => {
      const saved = options.prefs.windowBounds()
      const areas = screen.getAllDisplays().map((d) => d.workArea)
      const win = new BrowserWindow(
        dashboardWindowOptions({
          preloadPath: options.preloadPath,
          iconPath: options.iconPath,
          bounds: saved && boundsVisible(saved, areas) ? saved : null,
          // Developer tools in development only: a packaged app has no use for a console.
          devTools: !app.isPackaged,
        }),
      )
      win.once('ready-to-show', () => win.show())
      win.on('close', () => options.prefs.setWindowBounds(win.getNormalBounds()))
      win.on('closed', onClosed)
      void win.loadURL(url)
      return win
    },
  })
  return { open: (route) => slot.open(route), current: () => slot.current() }
}
