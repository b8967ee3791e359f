/**
 * The app's engine wiring and the tray's actions, on a real project with the real Controller and
 * Orchestrator: settings and secrets persisted through the app's store, Pause in the tray reaching
 * the engine, projects opened from the tray and remembered.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BridgeError } from '../../src/shared/contract'
import { dispatchCommand } from '../../src/main/core/bridge/dispatch'
import type { Controller } from '../../src/main/core/engine/controller'
import { Logger } from '../../src/main/core/log/logger'
import { createAppController, guardSecrets, openLastProject } from '../../src/main/app/engine-logic'
import type { NotificationSpec } from '../../src/main/app/notifications-logic'
import { createDesktopNotifier } from '../../src/main/app/notifications-logic'
import { PLAIN_TEXT_REFUSAL, SecretVault } from '../../src/main/app/secrets-logic'
import type { TrayActionDeps } from '../../src/main/app/tray-actions-logic'
import { runTrayAction } from '../../src/main/app/tray-actions-logic'
import { trayMenu } from '../../src/main/app/tray-logic'
import type { Secrets } from '../../src/main/core/config/load-config'
import { createSampleProject } from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'
import { createTestSafeStorage } from './support/safe-storage'
import type { TestSafeStorage } from './support/safe-storage'
import { createTestStore } from './support/store'
import type { TestStore } from './support/store'

const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'

let store: TestStore
let safe: TestSafeStorage
let project: SampleProject
let other: SampleProject
const controllers: Controller[] = []

beforeEach(() => {
  store = createTestStore()
  safe = createTestSafeStorage()
  project = createSampleProject('fixloop-app-a-')
  other = createSampleProject('fixloop-app-b-')
  project.write(
    'fixloop.config.json',
    JSON.stringify({ model: 'model-from-config', autoFix: false }),
  )
  other.write('fixloop.config.json', JSON.stringify({ autoFix: false }))
})

afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop()
  project.remove()
  other.remove()
  store.remove()
})

function app(secrets: Secrets = {}, prefs = store.prefs) {
  const vault = new SecretVault({ safeStorage: safe, prefs, platform: 'linux' })
  const shown: NotificationSpec[] = []
  const controller = createAppController({
    prefs,
    vault,
    secrets,
    notifier: createDesktopNotifier((spec) => shown.push(spec)),
    log: new Logger(),
    env: {},
  })
  controllers.push(controller)
  return { controller, port: guardSecrets(controller, vault), vault, shown }
}

describe('the app controller', () => {
  it('keeps settings changed in the app and applies them, over the project file, next time', async () => {
    const first = app()
    await first.controller.setProject(project.root)
    const changed = await dispatchCommand(first.port, 'updateSettings', {
      patch: { maxRetries: 2 },
    })
    expect(changed.ok).toBe(true)
    expect(store.prefs.settingsOverrides(project.root)).toEqual({ maxRetries: 2 })
    await first.controller.stop()

    const second = app({}, store.reopen())
    await second.controller.setProject(project.root)
    const view = await second.controller.handlers.getSettings({})
    expect(view.settings.maxRetries).toBe(2)
    expect(view.settings.model).toBe('model-from-config')
  })

  it('stores a secret encrypted, never shows it, and hands it to the engine after a restart', async () => {
    const first = app()
    await first.controller.setProject(project.root)
    const set = await dispatchCommand(first.port, 'setSecret', {
      name: 'githubToken',
      value: TOKEN,
    })
    expect(set).toMatchObject({ ok: true, value: { secrets: { githubToken: true } } })
    expect(JSON.stringify(set)).not.toContain(TOKEN)
    expect(store.raw()).not.toContain(TOKEN)
    await first.controller.stop()

    const { secrets } = await first.vault.loadAll()
    expect(secrets.githubToken).toBe(TOKEN)
    const second = app(secrets)
    await second.controller.setProject(project.root)
    expect((await second.controller.handlers.getSettings({})).secrets.githubToken).toBe(true)
  })

  it('refuses a secret where only plain-text storage exists, before the engine holds it', async () => {
    safe.backend = 'basic_text'
    const { controller, port } = app()
    await controller.setProject(project.root)
    const outcome = await dispatchCommand(port, 'setSecret', { name: 'githubToken', value: TOKEN })
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'unavailable', message: PLAIN_TEXT_REFUSAL },
    })
    expect((await controller.handlers.getSettings({})).secrets.githubToken).toBe(false)
    // Removing is still possible.
    expect(
      (await dispatchCommand(port, 'setSecret', { name: 'githubToken', value: null })).ok,
    ).toBe(true)
  })

  it('remembers each project opened, for the recent list and the next start', async () => {
    const { controller } = app()
    await controller.setProject(project.root)
    await controller.setProject(other.root)
    expect(store.prefs.recentProjects()).toEqual([other.root, project.root])
    expect(store.prefs.lastProject()).toBe(other.root)
  })
})

describe('openLastProject', () => {
  it('reopens the project watched last', async () => {
    store.prefs.rememberProject(project.root)
    const { controller } = app()
    expect(await openLastProject(controller, store.prefs, () => true)).toEqual({
      opened: project.root,
      error: null,
    })
    expect(controller.snapshot()).toMatchObject({ projectRoot: project.root, status: 'running' })
  })

  it('does nothing when the folder is gone', async () => {
    store.prefs.rememberProject('/no/such/folder')
    const { controller } = app()
    expect(await openLastProject(controller, store.prefs, () => false)).toEqual({
      opened: null,
      error: null,
    })
    expect(controller.snapshot().projectRoot).toBeNull()
  })

  it('says why when the project cannot be opened', async () => {
    project.write('fixloop.config.json', '{ broken')
    store.prefs.rememberProject(project.root)
    const { controller } = app()
    const result = await openLastProject(controller, store.prefs, () => true)
    expect(result.opened).toBeNull()
    expect(result.error).toMatch(/fixloop\.config\.json: not valid JSON/)
  })
})

describe('tray actions', () => {
  function tray(controller: Controller, port = controller, dialog: string | null = null) {
    const errors: [string, BridgeError][] = []
    const calls: string[] = []
    let login = false
    const deps: TrayActionDeps = {
      port,
      openDashboard: () => calls.push('open'),
      chooseFolder: async () => dialog,
      clearRecent: () => store.prefs.clearRecent(),
      setLaunchAtLogin: (on) => (login = on),
      quit: () => calls.push('quit'),
      onError: (title, error) => errors.push([title, error]),
      refresh: () => calls.push('refresh'),
    }
    const menu = () =>
      trayMenu({
        snapshot: controller.snapshot(),
        recentProjects: store.prefs.recentProjects(),
        loginItem: { supported: true, enabled: login },
      })
    const click = (id: string) => runTrayAction(menu(), id, deps)
    return { click, menu, errors, calls, login: () => login }
  }

  it('pauses and resumes the engine with the same command the window uses', async () => {
    const { controller } = app()
    await controller.setProject(project.root)
    const t = tray(controller)
    expect(t.menu().find((i) => i.type !== 'separator' && i.id === 'run')).toMatchObject({
      label: 'Pause',
    })
    await t.click('run')
    expect(controller.engine?.status).toBe('paused')
    expect(controller.snapshot()).toMatchObject({
      status: 'paused',
      pausedReason: 'Paused by the user',
    })
    expect(t.menu().find((i) => i.type !== 'separator' && i.id === 'run')).toMatchObject({
      label: 'Resume',
    })
    await t.click('run')
    expect(controller.engine?.status).toBe('running')
    expect(t.errors).toEqual([])
    expect(t.calls.filter((c) => c === 'refresh')).toHaveLength(2)
  })

  it('opens the folder chosen in the dialog, and a recent project', async () => {
    const { controller } = app()
    await controller.setProject(project.root)
    const t = tray(controller, controller, other.root)
    await t.click('choose')
    expect(controller.snapshot().projectRoot).toBe(other.root)
    await t.click(`recent:${project.root}`)
    expect(controller.snapshot()).toMatchObject({ projectRoot: project.root, status: 'running' })
    expect(t.errors).toEqual([])
  })

  it('does nothing when the dialog is cancelled', async () => {
    const { controller } = app()
    await controller.setProject(project.root)
    const t = tray(controller, controller, null)
    await t.click('choose')
    expect(controller.snapshot().projectRoot).toBe(project.root)
  })

  it('tells the user when a project cannot be opened', async () => {
    const { controller } = app()
    await controller.setProject(project.root)
    store.prefs.rememberProject('/no/such/project')
    const t = tray(controller)
    await t.click('recent:/no/such/project')
    expect(t.errors).toHaveLength(1)
    expect(t.errors[0]?.[0]).toBe('Could not open the project')
    expect(controller.snapshot().projectRoot).toBe(project.root)
  })

  it('runs the app actions and ignores unknown or disabled items', async () => {
    const { controller } = app()
    const t = tray(controller)
    await t.click('run') // disabled: no project
    await t.click('nope')
    await t.click('status')
    expect(t.calls).toEqual([])
    await t.click('open')
    await t.click('login')
    expect(t.login()).toBe(true)
    await t.click('login')
    expect(t.login()).toBe(false)
    store.prefs.rememberProject(project.root)
    await t.click('recent-clear')
    expect(store.prefs.recentProjects()).toEqual([])
    await t.click('quit')
    expect(t.calls.filter((c) => c !== 'refresh')).toEqual(['open', 'quit'])
  })
})
