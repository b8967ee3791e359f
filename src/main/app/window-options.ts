/**
 * The options of the dashboard window, kept apart from the code that creates it (window.ts) so a
 * test can read every security setting without an Electron binary.
 */
import type { BrowserWindowConstructorOptions, Rectangle, WebPreferences } from 'electron'

/** Electron's security checklist, for every window we create. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: true,
  }
}

export interface DashboardWindowOptions {
  /** Absolute path of the built preload (`out/preload/index.cjs`). */
  preloadPath: string
  /** Where the window was last, when it fits a screen. @default centred, 1100×760 */
  bounds?: Partial<Rectangle> | null
  /** The window icon on Linux and Windows. @default Electron's */
  iconPath?: string
  /** Allow the developer tools. @default true */
  devTools?: boolean
}

export const DEFAULT_SIZE = { width: 1100, height: 760 } as const
export const MIN_SIZE = { width: 800, height: 600 } as const

export function dashboardWindowOptions(
  options: DashboardWindowOptions,
): BrowserWindowConstructorOptions {
  const b = options.bounds ?? {}
  return {
    width: Math.max(b.width ?? DEFAULT_SIZE.width, MIN_SIZE.width),
    height: Math.max(b.height ?? DEFAULT_SIZE.height, MIN_SIZE.height),
    ...(b.x !== undefined && b.y !== undefined ? { x: b.x, y: b.y } : {}),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    // Shown on ready-to-show, so the window never flashes empty.
    show: false,
    title: 'Fixloop',
    backgroundColor: '#0d1117',
    autoHideMenuBar: true,
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: {
      ...secureWebPreferences(options.preloadPath),
      devTools: options.devTools ?? true,
    },
  }
}
