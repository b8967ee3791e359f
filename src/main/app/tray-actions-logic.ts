/**
 * What a tray menu item does, without Electron. Engine actions go through `dispatchCommand`, the very
 * path the window's IPC and the web dashboard take, so Pause in the tray is the UI's Pause.
 */
import type { BridgeError, CommandArgs, CommandName } from '../../shared/contract'
import type { ControllerPort } from '../core/bridge/controller-port'
import { dispatchCommand } from '../core/bridge/dispatch'
import type { TrayItem } from './tray-logic'
import { findTrayItem } from './tray-logic'

export interface TrayActionDeps {
  port: ControllerPort
  /** Opens (or focuses) the dashboard. */
  openDashboard: () => void
  /** The native folder dialog; null when cancelled. */
  chooseFolder: () => Promise<string | null>
  /** Forgets the recent projects. */
  clearRecent: () => void
  /** Turns launch at login on or off. */
  setLaunchAtLogin: (on: boolean) => void
  /** Quits gracefully. */
  quit: () => void
  /** Told when an action could not be done, with a sentence for the user. */
  onError: (title: string, error: BridgeError) => void
  /** Told after an action that changes what the menu shows. */
  refresh: () => void
}

const TITLES: Partial<Record<CommandName, string>> = {
  start: 'Could not start watching',
  pause: 'Could not pause',
  resume: 'Could not resume',
  setProject: 'Could not open the project',
}

/** Runs the item with `id` of the menu `items`. Resolves when done; never rejects. */
export async function runTrayAction(
  items: readonly TrayItem[],
  id: string,
  deps: TrayActionDeps,
): Promise<void> {
  const item = findTrayItem(items, id)
  if (!item || item.type === 'separator' || !item.enabled) return
  const command = async <K extends CommandName>(name: K, args: CommandArgs<K>) => {
    const outcome = await dispatchCommand(deps.port, name, args)
    if (!outcome.ok) deps.onError(TITLES[name] ?? `Could not run ${name}`, outcome.error)
    deps.refresh()
  }
  try {
    if (item.type !== 'submenu' && item.command) return await command(item.command, {})
    if (item.type !== 'submenu' && item.path)
      return await command('setProject', { path: item.path })
    switch (id) {
      case 'open':
        return deps.openDashboard()
      case 'choose': {
        const path = await deps.chooseFolder()
        if (path) await command('setProject', { path })
        return
      }
      case 'recent-clear':
        deps.clearRecent()
        return deps.refresh()
      case 'login':
        deps.setLaunchAtLogin(!(item.type === 'checkbox' && item.checked))
        return deps.refresh()
      case 'quit':
        return deps.quit()
      default:
        return
    }
  } catch (error) {
    deps.onError('Fixloop could not do that', {
      code: 'internal',
      message: (error as Error)?.message ?? String(error),
    })
  }
}
