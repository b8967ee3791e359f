import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import {
  PREF_KEYS,
  RECENT_MAX,
  applyOverrides,
  settingsOverrides,
} from '../../src/main/app/prefs-logic'
import { createTestStore } from './support/store'
import type { TestStore } from './support/store'

let store: TestStore

beforeEach(() => {
  store = createTestStore()
})
afterEach(() => store.remove())

describe('AppPrefs', () => {
  it('starts empty', () => {
    expect(store.prefs.projects()).toEqual([])
    expect(store.prefs.recentProjects()).toEqual([])
    expect(store.prefs.lastProject()).toBeNull()
    expect(store.prefs.windowBounds()).toBeNull()
  })

  it('keeps recent projects most recent first, without repeats, and remembers the last one', () => {
    const p = store.prefs
    p.rememberProject('/a')
    p.rememberProject('/b.with.dots')
    p.rememberProject('/a')
    expect(p.recentProjects()).toEqual(['/a', '/b.with.dots'])
    expect(p.projects()).toEqual(['/a', '/b.with.dots'])
    expect(p.lastProject()).toBe('/a')
    expect(store.reopen().recentProjects()).toEqual(['/a', '/b.with.dots'])
  })

  it(`shows at most ${RECENT_MAX} recent projects but knows them all`, () => {
    for (let i = 0; i < RECENT_MAX + 3; i++) store.prefs.rememberProject(`/p${i}`)
    expect(store.prefs.recentProjects()).toHaveLength(RECENT_MAX)
    expect(store.prefs.recentProjects()[0]).toBe(`/p${RECENT_MAX + 2}`)
    expect(store.prefs.projects()).toHaveLength(RECENT_MAX + 3)
    store.prefs.clearRecent()
    expect(store.prefs.recentProjects()).toEqual([])
    expect(store.prefs.lastProject()).toBe(`/p${RECENT_MAX + 2}`)
  })

  it('stores window bounds and ignores invalid ones', () => {
    store.prefs.setWindowBounds({ x: 10, y: 20, width: 900, height: 700 })
    store.prefs.setWindowBounds({ x: 1, y: 2, width: -5, height: 7 })
    expect(store.reopen().windowBounds()).toEqual({ x: 10, y: 20, width: 900, height: 700 })
  })

  it('keeps settings overrides per project, keyed by paths with dots', () => {
    store.prefs.setSettingsOverrides('/home/a/my.project', { maxRetries: 3 })
    store.prefs.setSettingsOverrides('/home/a/other', { autoFix: false })
    expect(store.reopen().settingsOverrides('/home/a/my.project')).toEqual({ maxRetries: 3 })
    store.prefs.setSettingsOverrides('/home/a/other', {})
    expect(store.prefs.settingsOverrides('/home/a/other')).toEqual({})
    expect(JSON.parse(store.raw())[PREF_KEYS.projectSettings]).toEqual({
      '/home/a/my.project': { maxRetries: 3 },
    })
  })

  it('falls back to defaults for values a hand edit broke', () => {
    writeFileSync(
      join(store.dir, 'settings.json'),
      JSON.stringify({
        recentProjects: 'nope',
        lastProject: 42,
        ui: { windowBounds: 'x' },
        secrets: [1],
      }),
    )
    const p = store.reopen()
    expect(p.recentProjects()).toEqual([])
    expect(p.lastProject()).toBeNull()
    expect(p.windowBounds()).toBeNull()
    expect(p.secretBlob('githubToken')).toBeNull()
    p.rememberProject('/x')
    expect(p.recentProjects()).toEqual(['/x'])
  })

  it('survives a settings file that is not JSON', () => {
    writeFileSync(join(store.dir, 'settings.json'), '{ not json')
    expect(store.reopen().recentProjects()).toEqual([])
  })
})

describe('settings overrides', () => {
  it('keeps only the settings that differ from the project files', () => {
    const current = {
      ...DEFAULT_SETTINGS,
      maxRetries: 2,
      budgets: { ...DEFAULT_SETTINGS.budgets, dayUsd: 3 },
    }
    expect(settingsOverrides(DEFAULT_SETTINGS, current)).toEqual({
      maxRetries: 2,
      budgets: current.budgets,
    })
    expect(settingsOverrides(DEFAULT_SETTINGS, DEFAULT_SETTINGS)).toEqual({})
  })

  it('applies stored overrides and drops (and names) the ones that no longer validate', () => {
    const base = { ...DEFAULT_SETTINGS, model: 'from-config' }
    const { settings, dropped } = applyOverrides(base, {
      maxRetries: 3,
      concurrency: 99,
      noLongerASetting: true,
    })
    expect(settings.maxRetries).toBe(3)
    expect(settings.concurrency).toBe(DEFAULT_SETTINGS.concurrency)
    expect(settings.model).toBe('from-config')
    expect(dropped.sort()).toEqual(['concurrency', 'noLongerASetting'])
  })
})
