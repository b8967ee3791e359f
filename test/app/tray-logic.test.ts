import { describe, expect, it } from 'vitest'
import type { EngineSnapshot, TaskSummary } from '../../src/shared/domain'
import { Activity } from '../../src/shared/domain'
import { Controller } from '../../src/main/core/engine/controller'
import type { TrayItem, TrayMenuInput } from '../../src/main/app/tray-logic'
import {
  TOOLTIP_MAX,
  findTrayItem,
  menuText,
  projectLabel,
  statusLine,
  trayIconFile,
  trayMenu,
  trayTooltip,
  trayView,
} from '../../src/main/app/tray-logic'

const empty = new Controller({
  createEngine: () => {
    throw new Error('unused')
  },
}).snapshot()

function task(id: string, files: string[]): TaskSummary {
  return {
    id,
    kind: 'file_change',
    files,
    status: 'in_progress',
    priority: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    outcome: null,
    failureReason: null,
    phase: null,
    attemptCount: 0,
    costUsd: 0,
  }
}

function snap(patch: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return { ...empty, projectRoot: '/home/ada/shop', status: 'running', ...patch }
}

const input = (s: EngineSnapshot, extra: Partial<TrayMenuInput> = {}): TrayMenuInput => ({
  snapshot: s,
  recentProjects: [],
  loginItem: { supported: true, enabled: false },
  ...extra,
})

const item = (items: TrayItem[], id: string) => {
  const found = findTrayItem(items, id)
  if (!found || found.type === 'separator') throw new Error(`no item ${id}`)
  return found
}

describe('trayIconFile', () => {
  it('has a colour icon per activity, and template images on macOS', () => {
    for (const activity of Activity.options) {
      expect(trayIconFile(activity, 'win32')).toBe(`tray-${activity}.png`)
      expect(trayIconFile(activity, 'linux')).toBe(`tray-${activity}.png`)
      expect(trayIconFile(activity, 'darwin')).toBe(`tray-${activity}Template.png`)
    }
  })
})

describe('statusLine', () => {
  it.each<[string, Partial<EngineSnapshot>, string]>([
    ['no project', { projectRoot: null }, 'No project open'],
    ['stopped', { status: 'stopped' }, 'Stopped · shop'],
    ['starting', { status: 'starting' }, 'Starting on shop…'],
    [
      'paused with a reason',
      { status: 'paused', pausedReason: 'daily budget reached' },
      'Paused: daily budget reached',
    ],
    ['idle and green', { activity: 'idle' }, 'Watching shop · all green'],
    [
      'fixing',
      {
        activity: 'fixing',
        queues: {
          ...empty.queues,
          in_progress: [task('task_1', ['src/cart/total.ts'])],
          pending: [task('task_2', ['a'])],
        },
      },
      'Fixing total.ts… · 1 waiting',
    ],
    [
      'checking two changes',
      {
        activity: 'checking',
        queues: { ...empty.queues, in_progress: [task('task_1', ['a']), task('task_2', ['b'])] },
      },
      'Checking 2 changes…',
    ],
    [
      'in error',
      {
        activity: 'error',
        health: {
          status: 'DEGRADED',
          checkedAt: '2026-01-01T00:00:00.000Z',
          checks: [
            { name: 'state', ok: true, detail: 'ok' },
            { name: 'apiKey', ok: false, detail: 'ANTHROPIC_API_KEY is not set' },
          ],
        },
      },
      'Needs attention: apiKey — ANTHROPIC_API_KEY is not set',
    ],
    [
      'idle with failures',
      {
        activity: 'idle',
        queues: { ...empty.queues, failed: [task('task_1', ['a']), task('task_2', ['b'])] },
      },
      'Watching shop · 2 failed tasks',
    ],
  ])('%s', (_what, patch, line) => {
    expect(statusLine(snap(patch))).toBe(line)
  })

  it('fits the tooltip into what Windows shows', () => {
    const long = snap({ status: 'paused', pausedReason: 'x'.repeat(400) })
    const tip = trayTooltip(long)
    expect(tip.length).toBe(TOOLTIP_MAX)
    expect(tip.startsWith('Fixloop — Paused: x')).toBe(true)
    expect(trayTooltip(snap())).toBe('Fixloop — Watching shop · all green')
  })
})

describe('trayMenu', () => {
  it('lists status, Start/Pause, dashboard, folder, recent projects, login and quit', () => {
    const items = trayMenu(input(snap(), { recentProjects: ['/home/ada/shop'] }))
    const labels = items.map((i) => (i.type === 'separator' ? '—' : i.label))
    expect(labels).toEqual([
      'Watching shop · all green',
      '—',
      'Pause',
      'Open dashboard',
      '—',
      'Choose project folder…',
      'Recent projects',
      '—',
      'Launch at login',
      'Quit Fixloop',
    ])
    expect(item(items, 'status').enabled).toBe(false)
  })

  it.each<[EngineSnapshot['status'], string, string | undefined, boolean]>([
    ['running', 'Pause', 'pause', true],
    ['paused', 'Resume', 'resume', true],
    ['stopped', 'Start watching', 'start', true],
    ['starting', 'Starting…', undefined, false],
    ['stopping', 'Stopping…', undefined, false],
  ])('offers the right engine command when %s', (status, label, command, enabled) => {
    const run = item(trayMenu(input(snap({ status }))), 'run')
    expect(run).toMatchObject({ label, enabled })
    expect('command' in run ? run.command : undefined).toBe(command)
  })

  it('cannot start without a project', () => {
    expect(
      item(trayMenu(input(snap({ projectRoot: null, status: 'stopped' }))), 'run'),
    ).toMatchObject({
      enabled: false,
    })
  })

  it('lists recent projects with the current one checked, and can clear them', () => {
    const recent = ['/home/ada/shop', '/work/shop', '/home/ada/blog & co']
    const items = trayMenu(input(snap(), { recentProjects: recent }))
    const sub = item(items, 'recent')
    if (sub.type !== 'submenu') throw new Error('not a submenu')
    expect(
      sub.items
        .filter((i) => i.type === 'radio')
        .map((i) => (i.type === 'radio' ? [i.label, i.checked] : [])),
    ).toEqual([
      ['shop — /home/ada/shop', true],
      ['shop — /work/shop', false],
      ['blog && co', false],
    ])
    expect(item(items, 'recent:/work/shop')).toMatchObject({ path: '/work/shop' })
    expect(item(items, 'recent-clear').enabled).toBe(true)
  })

  it('disables an empty recent list and hides launch at login where unsupported', () => {
    const items = trayMenu(input(snap(), { loginItem: { supported: false, enabled: false } }))
    expect(item(items, 'recent').enabled).toBe(false)
    expect(findTrayItem(items, 'login')).toBeUndefined()
    const on = trayMenu(input(snap(), { loginItem: { supported: true, enabled: true } }))
    expect(item(on, 'login')).toMatchObject({ type: 'checkbox', checked: true })
  })

  it('escapes ampersands in labels', () => {
    expect(menuText('R&D')).toBe('R&&D')
    expect(projectLabel('/x/R&D', ['/x/R&D'])).toBe('R&&D')
  })
})

describe('trayView', () => {
  it('follows the activity for the icon and changes only when the snapshot does', () => {
    const a = trayView(input(snap({ activity: 'fixing' })), 'linux')
    const b = trayView(input(snap({ activity: 'fixing' })), 'linux')
    expect(a.icon).toBe('tray-fixing.png')
    expect(JSON.stringify(a)).toBe(JSON.stringify(b))
    expect(trayView(input(snap({ status: 'paused', activity: 'paused' })), 'darwin').icon).toBe(
      'tray-pausedTemplate.png',
    )
  })
})
