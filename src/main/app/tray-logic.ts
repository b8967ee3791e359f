/**
 * What the tray shows, as plain data: the icon for the engine's activity, the tooltip, and the menu
 * (items with ids; tray.ts turns them into an Electron menu and the ids into actions).
 */
import { basename } from 'node:path'
import type { Activity, EngineSnapshot } from '../../shared/domain'

/** The icon file (in resources/tray) for an activity. macOS gets template images. */
export function trayIconFile(activity: Activity, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${activity}Template.png` : `tray-${activity}.png`
}

/** Windows cuts tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** One line saying what Fixloop is doing, for the tooltip and the top of the menu. */
export function statusLine(s: EngineSnapshot): string {
  if (!s.projectRoot) return 'No project open'
  const name = basename(s.projectRoot) || s.projectRoot
  switch (s.status) {
    case 'starting':
      return `Starting on ${name}…`
    case 'stopping':
      return 'Stopping…'
    case 'stopped':
      return `Stopped · ${name}`
    case 'paused':
      return `Paused: ${s.pausedReason ?? 'by the user'}`
    default:
      break
  }
  const running = s.queues.in_progress
  const pending = s.queues.pending.length
  const waiting = pending ? ` · ${pending} waiting` : ''
  switch (s.activity) {
    case 'fixing': {
      const file = running[0]?.files[0]
      return `Fixing ${file ? basename(file) : 'a failure'}…${waiting}`
    }
    case 'checking':
      return `Checking ${plural(running.length || 1, 'change')}…${waiting}`
    case 'error': {
      const bad = s.health?.checks.find((c) => !c.ok)
      return bad ? `Needs attention: ${bad.name} — ${bad.detail}` : 'Needs attention'
    }
    default: {
      const failed = s.queues.failed.length
      return failed
        ? `Watching ${name} · ${plural(failed, 'failed task')}${waiting}`
        : `Watching ${name} · all green${waiting}`
    }
  }
}

export function trayTooltip(s: EngineSnapshot): string {
  const text = `Fixloop — ${statusLine(s)}`
  return text.length > TOOLTIP_MAX ? `${text.slice(0, TOOLTIP_MAX - 1)}…` : text
}

/** The engine command behind the Start / Pause item, if it can be run now. */
export type RunCommand = 'start' | 'pause' | 'resume'

export type TrayItem =
  | { type: 'separator' }
  | {
      type: 'normal' | 'checkbox' | 'radio'
      id: string
      label: string
      enabled: boolean
      checked?: boolean
      /** For `run:*` ids, the command; for `recent:*`, the project path. */
      command?: RunCommand
      path?: string
    }
  | { type: 'submenu'; id: string; label: string; enabled: boolean; items: TrayItem[] }

export interface TrayMenuInput {
  snapshot: EngineSnapshot
  /** Recent project folders, most recent first (only those that still exist). */
  recentProjects: readonly string[]
  /** Whether launch at login can be set on this system, and whether it is on. */
  loginItem: { supported: boolean; enabled: boolean }
}

/** Ampersands are mnemonics in Windows and Linux menus: a path with `&` must show one. */
export function menuText(text: string): string {
  return text.replace(/&/g, '&&')
}

function runItem(s: EngineSnapshot): TrayItem {
  if (!s.projectRoot) return { type: 'normal', id: 'run', label: 'Start watching', enabled: false }
  switch (s.status) {
    case 'stopped':
      return { type: 'normal', id: 'run', label: 'Start watching', enabled: true, command: 'start' }
    case 'running':
      return { type: 'normal', id: 'run', label: 'Pause', enabled: true, command: 'pause' }
    case 'paused':
      return { type: 'normal', id: 'run', label: 'Resume', enabled: true, command: 'resume' }
    case 'starting':
      return { type: 'normal', id: 'run', label: 'Starting…', enabled: false }
    case 'stopping':
      return { type: 'normal', id: 'run', label: 'Stopping…', enabled: false }
  }
}

/** A folder as a menu label: its name, with the parent to tell two of the same name apart. */
export function projectLabel(path: string, all: readonly string[]): string {
  const name = basename(path) || path
  const twins = all.filter((p) => (basename(p) || p) === name).length > 1
  return menuText(twins ? `${name} — ${path}` : name)
}

export function trayMenu(input: TrayMenuInput): TrayItem[] {
  const s = input.snapshot
  const recent = input.recentProjects
  const items: TrayItem[] = [
    { type: 'normal', id: 'status', label: menuText(statusLine(s)), enabled: false },
    { type: 'separator' },
    runItem(s),
    { type: 'normal', id: 'open', label: 'Open dashboard', enabled: true },
    { type: 'separator' },
    { type: 'normal', id: 'choose', label: 'Choose project folder…', enabled: true },
    {
      type: 'submenu',
      id: 'recent',
      label: 'Recent projects',
      enabled: recent.length > 0,
      items: [
        ...recent.map((path): TrayItem => ({
          type: 'radio',
          id: `recent:${path}`,
          label: projectLabel(path, recent),
          enabled: true,
          checked: path === s.projectRoot,
          path,
        })),
        { type: 'separator' },
        { type: 'normal', id: 'recent-clear', label: 'Clear list', enabled: recent.length > 0 },
      ],
    },
    { type: 'separator' },
  ]
  if (input.loginItem.supported) {
    items.push({
      type: 'checkbox',
      id: 'login',
      label: 'Launch at login',
      enabled: true,
      checked: input.loginItem.enabled,
    })
  }
  items.push({ type: 'normal', id: 'quit', label: 'Quit Fixloop', enabled: true })
  return items
}

/** Everything the tray shows, to apply only when it changed. */
export interface TrayView {
  icon: string
  tooltip: string
  menu: TrayItem[]
}

export function trayView(input: TrayMenuInput, platform: NodeJS.Platform): TrayView {
  return {
    icon: trayIconFile(input.snapshot.activity, platform),
    tooltip: trayTooltip(input.snapshot),
    menu: trayMenu(input),
  }
}

/** Finds an item by id, in submenus too. */
export function findTrayItem(items: readonly TrayItem[], id: string): TrayItem | undefined {
  for (const item of items) {
    if (item.type === 'separator') continue
    if (item.id === id) return item
    if (item.type === 'submenu') {
      const found = findTrayItem(item.items, id)
      if (found) return found
    }
  }
  return undefined
}
