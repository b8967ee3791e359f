/**
 * The desktop app end to end, in a real Electron (Playwright `_electron`). Run with
 * `npm run test:electron` after `npm run build` on a machine that has Electron's binary.
 *
 * The app is launched with FIXLOOP_E2E=1, which installs a test-only hook (src/main/app/e2e-hook.ts):
 * tray menus and OS notifications cannot be clicked by automation, so the hook clicks them through
 * the same code paths a click takes. FIXLOOP_E2E_USER_DATA keeps settings and logs in a temp folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import type { ElectronApplication } from '@playwright/test'
import type { FixloopE2E } from '../../../src/main/app/e2e-hook'
import type { FixloopApi } from '../../../src/shared/contract'
import { BROKEN_MATH, createSampleProject } from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'

// Electron's binary is fetched by the `electron` package on install; where it could not be
// downloaded (no internet, ELECTRON_SKIP_BINARY_DOWNLOAD=1) there is nothing to launch.
const root = process.cwd()
const hasBinary = existsSync(join(root, 'node_modules', 'electron', 'path.txt'))
const hasBuild = existsSync(join(root, 'out', 'main', 'index.js'))

test.skip(
  !hasBinary,
  'Electron binary not installed (node_modules/electron/path.txt missing): run `node node_modules/electron/install.js` on a machine with internet, then `npm run build && npm run test:electron`',
)
test.skip(!hasBuild, 'No build in out/: run `npm run build` first')

let userData: string
let project: SampleProject | null = null
let app: ElectronApplication | null = null

test.beforeEach(() => {
  userData = mkdtempSync(join(tmpdir(), 'fixloop-e2e-user-'))
})

test.afterEach(async () => {
  await app?.close()
  app = null
  project?.remove()
  project = null
  rmSync(userData, { recursive: true, force: true })
})

async function launch(): Promise<ElectronApplication> {
  app = await electron.launch({
    // `electron .` runs package.json's main (out/main/index.js), as `electron-vite preview` does.
    args: [root, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    cwd: root,
    env: {
      ...(process.env as Record<string, string>),
      FIXLOOP_E2E: '1',
      FIXLOOP_E2E_USER_DATA: userData,
    },
  })
  // The hook is installed once the app is ready.
  await expect
    .poll(() => app!.evaluate(() => '__fixloopE2E' in globalThis), { timeout: 20_000 })
    .toBe(true)
  return app
}

type Hook = { __fixloopE2E: FixloopE2E }
/** The page's global, as the preload leaves it. */
type PageGlobal = { fixloop?: FixloopApi; require?: unknown; process?: unknown }

const openProject = async (a: ElectronApplication, path: string) => {
  const outcome = await a.evaluate(
    (_e, p) => (globalThis as unknown as Hook).__fixloopE2E.command('setProject', { path: p }),
    path,
  )
  expect(outcome).toMatchObject({ ok: true })
  await expect
    .poll(() =>
      a.evaluate(
        async () => (await (globalThis as unknown as Hook).__fixloopE2E.snapshot()).status,
      ),
    )
    .toBe('running')
}

test('the app starts to the tray with no window', async () => {
  const a = await launch()
  expect(a.windows()).toHaveLength(0)
  const view = await a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.trayView())
  expect(view.tooltip).toBe('Fixloop — No project open')
  expect(view.icon).toMatch(/^tray-idle(Template)?\.png$/)
  expect(view.menu.map((i) => ('label' in i ? i.label : '—'))).toContain('Open dashboard')
  expect(await a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.windowCount())).toBe(0)
})

test('the dashboard opens from the tray, sandboxed, and is destroyed on close', async () => {
  const a = await launch()
  const [page] = await Promise.all([
    a.waitForEvent('window'),
    a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.clickTray('open')),
  ])
  await page.waitForLoadState('domcontentloaded')
  expect(page.url()).toMatch(/^app:\/\/fixloop\/index\.html/)
  const exposed = await page.evaluate(() => ({
    api: typeof (globalThis as unknown as PageGlobal).fixloop?.getSnapshot,
    on: typeof (globalThis as unknown as PageGlobal).fixloop?.on,
    require: typeof (globalThis as unknown as PageGlobal).require,
    process: typeof (globalThis as unknown as PageGlobal).process,
  }))
  expect(exposed).toEqual({
    api: 'function',
    on: 'function',
    require: 'undefined',
    process: 'undefined',
  })
  const snapshot = await page.evaluate(() =>
    (globalThis as unknown as PageGlobal).fixloop!.getSnapshot({}),
  )
  expect(snapshot).toMatchObject({ ok: true, value: { projectRoot: null } })
  // As the window's close button does: 'close', then the window is destroyed.
  await a.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close())
  await expect
    .poll(() => a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.windowCount()))
    .toBe(0)
})

test('Pause in the tray menu pauses the engine', async () => {
  project = createSampleProject('fixloop-e2e-')
  project.write('fixloop.config.json', JSON.stringify({ autoFix: false }))
  const a = await launch()
  await openProject(a, project.root)
  await a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.clickTray('run'))
  const snapshot = await a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.snapshot())
  expect(snapshot).toMatchObject({
    status: 'paused',
    activity: 'paused',
    pausedReason: 'Paused by the user',
  })
  const view = await a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.trayView())
  expect(view.menu.find((i) => 'id' in i && i.id === 'run')).toMatchObject({ label: 'Resume' })
  expect(view.icon).toMatch(/^tray-paused/)
})

test('a notification click opens the window on its task', async () => {
  project = createSampleProject('fixloop-e2e-')
  project.write(
    'fixloop.config.json',
    JSON.stringify({ autoFix: false, debounceSeconds: 0.2, flakyReruns: 0 }),
  )
  const a = await launch()
  await openProject(a, project.root)
  // Break the code: with auto-fix off the engine reports the red check as a notice on the task.
  project.write('src/math.js', BROKEN_MATH)
  await expect
    .poll(() => a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.notifications()), {
      timeout: 30_000,
    })
    .toContainEqual(expect.objectContaining({ kind: 'notice', title: 'Checks failed' }))
  const shown = await a.evaluate(() => (globalThis as unknown as Hook).__fixloopE2E.notifications())
  const index = shown.findIndex((n) => n.title === 'Checks failed')
  const taskId = shown[index]?.taskId
  expect(taskId).toMatch(/^task_/)
  const [page] = await Promise.all([
    a.waitForEvent('window'),
    a.evaluate((_e, i) => (globalThis as unknown as Hook).__fixloopE2E.clickNotification(i), index),
  ])
  await page.waitForLoadState('domcontentloaded')
  expect(page.url()).toBe(`app://fixloop/index.html#/task/${encodeURIComponent(taskId!)}`)
  await expect(page.getByText(taskId!).first()).toBeVisible()
})
