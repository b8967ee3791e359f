/**
 * Launch at login: Electron's login items on macOS and Windows, an XDG autostart entry on Linux.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { app } from 'electron'
import type { LoginItem } from './login-item-logic'
import { linuxAutostart } from './login-item-logic'

export function createLoginItem(): LoginItem {
  if (process.platform === 'linux') {
    const autostart = linuxAutostart({
      configHome: process.env.XDG_CONFIG_HOME || join(homedir(), '.config'),
      // Inside an AppImage the executable lives on a temporary mount; the AppImage file does not.
      exec: process.env.APPIMAGE || process.execPath,
    })
    // Unpackaged (development), the executable is bare Electron: nothing to start at login.
    return { ...autostart, supported: app.isPackaged }
  }
  if (process.platform === 'darwin' || process.platform === 'win32') {
    return {
      supported: app.isPackaged,
      isEnabled: () => app.getLoginItemSettings().openAtLogin,
      setEnabled: (on) => app.setLoginItemSettings({ openAtLogin: on }),
    }
  }
  return { supported: false, isEnabled: () => false, setEnabled: () => undefined }
}
