/**
 * The tray icon: its image follows the engine's activity, its tooltip says what Fixloop is doing,
 * its menu is built from tray-logic.ts and its items run through tray-actions-logic.ts.
 */
import { join } from 'node:path'
import { Menu, Tray, nativeImage } from 'electron'
import type { MenuItemConstructorOptions, NativeImage } from 'electron'
import type { EngineSnapshot } from '../../shared/domain'
import type { TrayActionDeps } from './tray-actions-logic'
import { runTrayAction } from './tray-actions-logic'
import type { TrayItem, TrayMenuInput, TrayView } from './tray-logic'
import { trayView } from './tray-logic'

export interface AppTrayOptions extends Omit<TrayActionDeps, 'refresh'> {
  /** Folder of the tray icons (resources/tray). */
  iconDir: string
  /** What the menu is built from, read each time the tray is refreshed. */
  input: () => TrayMenuInput
}

export interface AppTray {
  /** Rebuilds icon, tooltip and menu if any of them changed. */
  update(snapshot?: EngineSnapshot): void
  /** What the tray shows now (for the end-to-end hook). */
  view(): TrayView
  /** Runs a menu item by id, as a click would (for the end-to-end hook). */
  click(id: string): Promise<void>
  destroy(): void
}

export function createAppTray(options: AppTrayOptions): AppTray {
  const images = new Map<string, NativeImage>()
  const image = (file: string) => {
    let img = images.get(file)
    if (!img) {
      img = nativeImage.createFromPath(join(options.iconDir, file))
      if (file.includes('Template')) img.setTemplateImage(true)
      images.set(file, img)
    }
    return img
  }

  let current = trayView(options.input(), process.platform)
  const tray = new Tray(image(current.icon))
  let applied = ''

  const click = (id: string) =>
    runTrayAction(current.menu, id, { ...options, refresh: () => apply(options.input()) })

  const toTemplate = (items: readonly TrayItem[]): MenuItemConstructorOptions[] =>
    items.map((item) =>
      item.type === 'separator'
        ? { type: 'separator' }
        : item.type === 'submenu'
          ? { label: item.label, enabled: item.enabled, submenu: toTemplate(item.items) }
          : {
              type: item.type,
              label: item.label,
              enabled: item.enabled,
              checked: item.checked,
              click: () => void click(item.id),
            },
    )

  const apply = (input: TrayMenuInput) => {
    current = trayView(input, process.platform)
    const key = JSON.stringify(current)
    if (key === applied || tray.isDestroyed()) return
    applied = key
    tray.setImage(image(current.icon))
    tray.setToolTip(current.tooltip)
    tray.setContextMenu(Menu.buildFromTemplate(toTemplate(current.menu)))
  }

  // Windows and most Linux panels open the menu on right click; a left click opens the dashboard.
  if (process.platform !== 'darwin') tray.on('click', () => options.openDashboard())
  apply(options.input())

  return {
    update: (snapshot) => apply(snapshot ? { ...options.input(), snapshot } : options.input()),
    view: () => current,
    click,
    destroy: () => tray.destroy(),
  }
}
