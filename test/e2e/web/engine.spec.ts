/**
 * The dashboard against the real engine: a real Orchestrator on a sample project, the real Controller,
 * the web bridge, and the local fake of the Messages API. Files are edited on disk as a developer would.
 */
import { loadConfig, saveLocalSettings } from '../../../src/main/core/config/load-config'
import { Controller } from '../../../src/main/core/engine/controller'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { say, startFakeAnthropic } from '../../support/fake-anthropic'
import type { FakeAnthropic } from '../../support/fake-anthropic'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createSampleProject,
  editReply,
  planReply,
} from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'
import { expect, test } from './support/fixtures'

let project: SampleProject
let fake: FakeAnthropic
let controller: Controller

test.beforeEach(async () => {
  project = createSampleProject('fixloop-web-')
  project.write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 2, maxWaitSeconds: 1 }),
  )
  fake = await startFakeAnthropic()
  const config = loadConfig({
    dir: project.root,
    env: {
      ANTHROPIC_API_KEY: 'sk-ant-api03-web-test-0123456789',
      ANTHROPIC_BASE_URL: fake.baseURL,
      FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
    },
  })
  controller = new Controller({
    createEngine: () =>
      new Orchestrator({
        config,
        random: () => 0,
        // As `fixloop watch` does: dashboard changes are kept in .fixloop/settings.json.
        persistSettings: (settings) => saveLocalSettings(project.root, settings),
      }),
    projectRoot: project.root,
  })
  await controller.handlers.start({})
})

test.afterEach(async () => {
  await controller.stop()
  await fake.close()
  project.remove()
})

test('a broken file saved on disk becomes a task, its fix appears with the diff, stats update', async ({
  page,
  dashboard,
}) => {
  await dashboard(controller, { hash: '#/queue' })
  await expect(page.getByRole('heading', { name: 'Queue', level: 1 })).toBeVisible()
  fake.enqueue(planReply(), editReply('a - b', 'a + b'), say('Fixed.'))
  project.write('src/math.js', BROKEN_MATH)

  const completed = page.getByTestId('lane-completed')
  await expect(completed.getByTestId('lane-count')).toHaveText('1', { timeout: 30_000 })
  await completed.getByRole('link').first().click()
  await expect(page.getByRole('heading', { name: 'Plan', exact: true })).toBeVisible()
  await expect(page.getByText('add() subtracts instead of adding').first()).toBeVisible()
  await expect(page.getByText('+  return a + b').first()).toBeVisible()
  expect(project.read('src/math.js')).toBe(GOOD_MATH)

  const nav = page.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Statistics' }).click()
  await expect(page.getByRole('heading', { name: 'Statistics', level: 1 })).toBeVisible()
  await expect(page.getByTestId('success-rate')).toHaveText(/100/)
})

test('pause from the UI stops intake: a change waits in pending until resumed', async ({
  page,
  dashboard,
}) => {
  await dashboard(controller, { hash: '#/' })
  await page.getByRole('button', { name: 'Pause' }).click()
  await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible()
  expect(controller.engine?.status).toBe('paused')

  project.write('src/math.js', `${GOOD_MATH}// touched\n`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click()
  const pending = page.getByTestId('lane-pending')
  await expect(pending.getByTestId('lane-count')).toHaveText('1', { timeout: 15_000 })
  // Held: nothing runs while paused.
  await page.waitForTimeout(800)
  await expect(pending.getByTestId('lane-count')).toHaveText('1')
  expect(fake.messageRequests()).toHaveLength(0)

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Overview' })
    .click()
  await page.getByRole('button', { name: 'Resume' }).click()
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click()
  await expect(page.getByTestId('lane-completed').getByTestId('lane-count')).toHaveText('1', {
    timeout: 15_000,
  })
})

test('a corrupt setting is refused by the real engine with its message; a good one is kept', async ({
  page,
  dashboard,
}) => {
  await dashboard(controller, { hash: '#/settings' })
  const retries = page.getByLabel('Attempts per task')
  await retries.fill('-1')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByTestId('settings-error')).toContainText('maxRetries')
  expect(controller.engine?.settings.maxRetries).toBe(2)

  await retries.fill('4')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByText('Saved.')).toBeVisible()
  expect(controller.engine?.settings.maxRetries).toBe(4)
  // Kept for the next start, on this machine only.
  expect(JSON.parse(project.read('.fixloop/settings.json'))).toMatchObject({ maxRetries: 4 })
})
