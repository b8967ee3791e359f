import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_SETTINGS } from '../../../src/shared'
import { MemoryControllerPort } from './support/memory-port'
import { expect, test } from './support/fixtures'

let folder: string
test.beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'fixloop-project-'))
})
test.afterAll(() => rmSync(folder, { recursive: true, force: true }))

test.describe('Settings', () => {
  test('a corrupt value is refused by the bridge with its message, and nothing is saved', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/settings' })
    const retries = page.getByLabel('Attempts per task')
    await retries.fill('-1')
    await page.getByRole('button', { name: 'Save settings' }).click()
    const alert = page.getByTestId('settings-error')
    await expect(alert).toContainText('patch.maxRetries')
    await expect(alert).toContainText('Too small')
    await expect(retries).toHaveAttribute('aria-invalid', 'true')
    await expect(page.locator('#set-maxRetries-error')).toContainText('Too small')
    expect(port.settings.maxRetries).toBe(DEFAULT_SETTINGS.maxRetries)
    expect(port.calls.some((c) => c.name === 'updateSettings')).toBe(false)

    await page.getByLabel('GitHub repository').fill('not a repo')
    await retries.fill('3')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(alert).toContainText('must look like owner/name')
    await expect(retries).not.toHaveAttribute('aria-invalid', 'true')

    await page.getByLabel('GitHub repository').fill('acme/shop-api')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('Saved.')).toBeVisible()
    await expect(alert).toHaveCount(0)
    expect(port.settings.maxRetries).toBe(3)
    expect(port.settings.escalation.githubRepo).toBe('acme/shop-api')
    // Only what changed was sent.
    const update = port.calls.filter((c) => c.name === 'updateSettings')
    expect(update.map((c) => Object.keys((c.args as { patch: object }).patch).sort())).toEqual([
      ['escalation', 'maxRetries'],
    ])
  })

  // The test command and extra checks are read-only here (settings-commands.spec.ts).
  test('lists and budgets round-trip through the bridge', async ({ page, dashboard }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/settings' })
    await page.getByLabel('Only these extensions').fill('ts, tsx')
    await page.getByRole('spinbutton', { name: 'Per day' }).first().fill('2.5')
    await page.getByRole('checkbox', { name: 'Slack' }).uncheck()
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('Saved.')).toBeVisible()
    expect(port.settings.watchExtensions).toEqual(['ts', 'tsx'])
    expect(port.settings.budgets.dayUsd).toBe(2.5)
    expect(port.settings.budgets.taskUsd).toBe(DEFAULT_SETTINGS.budgets.taskUsd)
    expect(port.settings.escalation.ladder).toEqual(['log', 'desktop', 'github', 'email'])
  })

  test('secrets are write-only: "set" / "not set", never shown', async ({ page, dashboard }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/settings' })
    await expect(page.getByTestId('secret-githubToken-status')).toHaveText('not set')
    await expect(page.getByTestId('secret-anthropicApiKey-status')).toHaveText('set')
    const field = page.getByLabel('GitHub token', { exact: true })
    await expect(field).toHaveAttribute('type', 'password')
    await field.fill('ghp_not_a_real_token')
    await page.getByRole('button', { name: 'Save GitHub token' }).click()
    await expect(page.getByTestId('secret-githubToken-status')).toHaveText('set')
    await expect(field).toHaveValue('')
    expect(port.secrets.githubToken).toBe(true)
    expect(await page.content()).not.toContain('ghp_not_a_real_token')
    await page.getByRole('button', { name: 'Remove' }).nth(1).click()
    await expect(page.getByTestId('secret-githubToken-status')).toHaveText('not set')
  })

  test('each escalation channel has a "Send test" that reports what happened', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/settings' })
    await page.locator('#test-log-result').waitFor({ state: 'attached' })
    const buttons = page.getByRole('button', { name: 'Send test' })
    await expect(buttons).toHaveCount(5)
    await buttons.nth(0).click()
    await expect(page.locator('#test-log-result')).toHaveText('Sent: test message sent via log')
    await buttons.nth(3).click()
    await expect(page.locator('#test-slack-result')).toHaveText(
      'Failed: slackWebhookUrl is not set',
    )
    expect(port.calls.filter((c) => c.name === 'testEscalation').map((c) => c.args)).toEqual([
      { channel: 'log' },
      { channel: 'slack' },
    ])
  })

  test('without a folder dialog, the project path can be typed; a wrong one is refused', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/settings' })
    await page.getByRole('button', { name: 'Choose folder…' }).click()
    await expect(page.getByText('there is no folder dialog here')).toBeVisible()
    const path = page.getByLabel('Project folder path')
    await expect(path).toBeFocused()
    await path.fill('/no/such/folder')
    await page.getByRole('button', { name: 'Use this folder' }).click()
    await expect(page.getByRole('alert')).toHaveText('No folder at /no/such/folder.')
    await path.fill(folder)
    await path.press('Enter')
    await expect(page.getByTestId('current-project')).toHaveText(folder)
    expect(port.projectRoot).toBe(folder)
  })

  test('the native dialog is used when the bridge has one', async ({ page, dashboard }) => {
    const port = new MemoryControllerPort({ folderChoice: folder })
    await dashboard(port, { hash: '#/settings' })
    await page.getByRole('button', { name: 'Choose folder…' }).click()
    await expect(page.getByTestId('current-project')).toHaveText(folder)
    await expect(page.getByLabel('Project folder path')).toHaveCount(0)
  })

  test('first run leads from no project and no key to a running engine', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort({
      projectRoot: null,
      apiKeySet: false,
      status: 'stopped',
    })
    await dashboard(port)
    await expect(page.getByRole('heading', { name: 'Welcome to Fixloop' })).toBeVisible()
    const start = page.getByRole('button', { name: 'Start watching' })
    await expect(start).toBeDisabled()
    await page.getByRole('button', { name: 'Type a path' }).click()
    await page.getByLabel('Project folder path').fill(folder)
    await page.getByRole('button', { name: 'Use this folder' }).click()
    await expect(page.getByRole('heading', { name: /The project folder \(done\)/ })).toBeVisible()
    await expect(start).toBeDisabled()
    await page.getByRole('textbox', { name: 'Anthropic API key' }).fill('sk-ant-test')
    await page.getByRole('button', { name: 'Save Anthropic API key' }).click()
    await expect(page.getByRole('heading', { name: /API key \(done\)/ })).toBeVisible()
    await start.click()
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible()
    await expect(page.getByTestId('engine-status')).toHaveText('running')
    expect(port.status).toBe('running')
    expect(port.secrets.anthropicApiKey).toBe(true)
  })

  test('first run can be skipped', async ({ page, dashboard }) => {
    await dashboard(new MemoryControllerPort({ apiKeySet: false }))
    await page.getByRole('button', { name: 'Skip for now' }).click()
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible()
  })
})
