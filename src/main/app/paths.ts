/**
 * Where the built app's parts are, from the folder of the main bundle (`out/main`). The same layout
 * holds in development (the package root) and packaged (inside app.asar; the tray icons are unpacked
 * next to it and Electron reads them through the asar path transparently).
 */
import { join } from 'node:path'

export interface AppPaths {
  /** `out/renderer`: served on app://fixloop/. */
  rendererDir: string
  /** `out/preload/index.cjs`: the sandboxed preload. */
  preloadPath: string
  /** `resources/tray`: the tray icons per state. */
  trayIconDir: string
  /** `resources/icon.png`: window and notification icon. */
  appIcon: string
}

export function appPaths(mainDir: string): AppPaths {
  const outDir = join(mainDir, '..')
  const root = join(outDir, '..')
  return {
    rendererDir: join(outDir, 'renderer'),
    preloadPath: join(outDir, 'preload', 'index.cjs'),
    trayIconDir: join(root, 'resources', 'tray'),
    appIcon: join(root, 'resources', 'icon.png'),
  }
}
