/**
 * `fixloop watch --dashboard` as a real process: what a dashboard client sends cannot crash the
 * engine, and cannot change what commands it runs.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { say, startFakeAnthropic } from '../support/fake-anthropic'
import type { FakeAnthropic } from '../support/fake-anthropic'
import { ensureCliBuilt, startCli } from '../support/cli-process'
import type { RunningCli } from '../support/cli-process'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createSampleProject,
  editReply,
  planReply,
} from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

const KEY = 'sk-ant-api03-dashboard-test-0123456789'
const WEBHOOK = 'https://hooks.slack.com/services/T0000/B0000/dashboardWebhookSecret42'
let project: SampleProject
let fake: FakeAnthropic
const running: RunningCli[] = []
const sockets: WebSocket[] = []

beforeAll(() => ensureCliBuilt())
beforeEach(async () => {
  project = createSampleProject('fixloop-cli-dash-')
  project.write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 2, maxWaitSeconds: 1 }),
  )
  fake = await startFakeAnthropic()
})
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL')
    await r.exited
  }
  await fake.close()
  project.remove()
})

function watch(extra: string[]): RunningCli {
  const r = startCli(['watch', project.root, '--dashboard', ...extra], {
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: fake.baseURL,
    FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
  })
  running.push(r)
  return r
}

/** The dashboard URL as printed: a `dashboard` JSON line, or the human `Dashboard:` line. */
async function dashboardUrl(w: RunningCli): Promise<URL> {
  let url: string | undefined
  await expect
    .poll(
      () => {
        url =
          (w.events.find((e) => e.type === 'dashboard')?.url as string | undefined) ??
          /Dashboard: (http\S+)/.exec(w.stdout())?.[1]
        return url !== undefined || w.child.exitCode !== null
      },
      { timeout: 20_000 },
    )
    .toBe(true)
  if (!url) throw new Error(`fixloop exited first: ${w.stderr()}`)
  return new URL(url)
}

function connect(page: URL): Promise<WebSocket> {
  const token = page.searchParams.get('token') ?? ''
  const ws = new WebSocket(`ws://${page.host}/ws?token=${token}`, { origin: page.origin })
  sockets.push(ws)
  ws.on('error', () => undefined)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('close', (code) => reject(new Error(`closed with ${code} before it opened`)))
  })
}

let nextId = 1
interface Reply {
  id: number
  ok: boolean
  value?: { settings: Record<string, unknown>; secrets: Record<string, boolean> }
  error?: { code: string; message: string }
}

function ask(ws: WebSocket, command: string, args: unknown = {}): Promise<Reply> {
  const id = nextId++
  return new Promise((resolve, reject) => {
    const onMessage = (data: unknown) => {
      const frame = JSON.parse(String(data)) as Reply
      if (frame.id !== id) return
      ws.off('message', onMessage)
      resolve(frame)
    }
    ws.on('message', onMessage)
    ws.once('close', (code) => reject(new Error(`the connection closed (${code})`)))
    ws.send(JSON.stringify({ id, command, args }))
  })
}

const closeCode = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)))

describe('fixloop watch --dashboard', () => {
  it('a 2 MiB frame or an invalid-UTF-8 frame closes only that connection (1009, 1007); the engine fixes on', async () => {
    const w = watch(['--json'])
    const page = await dashboardUrl(w)
    await w.waitFor((e) => e.type === 'ready')
    const other = await connect(page)

    const big = await connect(page)
    const bigClosed = closeCode(big)
    big.send('x'.repeat(2 * 1024 * 1024))
    expect(await bigClosed).toBe(1009)

    const garbled = await connect(page)
    const garbledClosed = closeCode(garbled)
    garbled.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false })
    expect(await garbledClosed).toBe(1007)

    expect(await ask(other, 'getSnapshot')).toMatchObject({
      ok: true,
      value: { status: 'running' },
    })
    expect(await ask(await connect(page), 'getSnapshot')).toMatchObject({ ok: true })

    // The engine goes on: a break is still found, fixed and applied.
    fake.enqueue(planReply(), editReply('a - b', 'a + b'), say('Fixed.'))
    project.write('src/math.js', BROKEN_MATH)
    const done = await w.waitFor((e) => e.type === 'task_completed', 30_000)
    expect(done.outcome).toBe('fixed')
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
    expect(w.child.exitCode).toBeNull()
    expect(
      w.events.filter(
        (e) => e.type === 'log' && /dashboard connection was closed/.test(String(e.message)),
      ),
    ).toHaveLength(2)

    w.child.kill('SIGTERM')
    expect((await w.exited).code).toBe(0)
  }, 60_000)

  it('refuses to change testCommand or extraChecks from the web, naming fixloop.config.json', async () => {
    const w = watch(['--json'])
    const ws = await connect(await dashboardUrl(w))
    await w.waitFor((e) => e.type === 'ready')
    const marker = join(project.root, 'pwned')
    for (const patch of [
      { testCommand: ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`] },
      { extraChecks: [{ name: 'lint', command: ['touch', marker] }], maxRetries: 3 },
    ]) {
      const reply = await ask(ws, 'updateSettings', { patch })
      expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(reply.error?.message).toMatch(/cannot change/)
      expect(reply.error?.message).toContain('fixloop.config.json')
    }
    const view = await ask(ws, 'getSettings')
    expect(view.value?.settings).toMatchObject({
      testCommand: null,
      extraChecks: [],
      maxRetries: 2,
    })
    // Nothing was kept for the next start either.
    const local = join(project.root, '.fixloop', 'settings.json')
    if (existsSync(local))
      expect(readFileSync(local, 'utf8')).not.toMatch(/testCommand|extraChecks/)
    // Other settings can still be changed.
    expect(await ask(ws, 'updateSettings', { patch: { maxRetries: 3 } })).toMatchObject({
      ok: true,
      value: { settings: { maxRetries: 3 } },
    })
    expect(existsSync(marker)).toBe(false)
  }, 60_000)

  it('a webhook set or cleared from the web is told in the terminal, even with --quiet, never its URL', async () => {
    const w = watch(['--quiet'])
    const ws = await connect(await dashboardUrl(w))
    expect(await ask(ws, 'setSecret', { name: 'slackWebhookUrl', value: WEBHOOK })).toMatchObject({
      ok: true,
      value: { secrets: { slackWebhookUrl: true } },
    })
    await expect
      .poll(() => w.stdout(), { timeout: 10_000 })
      .toMatch(/The web dashboard set the Slack webhook URL\./)
    expect(await ask(ws, 'setSecret', { name: 'emailWebhookUrl', value: WEBHOOK })).toMatchObject({
      ok: true,
    })
    expect(await ask(ws, 'setSecret', { name: 'slackWebhookUrl', value: null })).toMatchObject({
      ok: true,
    })
    await expect
      .poll(() => w.stdout(), { timeout: 10_000 })
      .toMatch(/The web dashboard cleared the Slack webhook URL\./)
    expect(w.stdout()).toMatch(/The web dashboard set the email webhook URL\./)
    w.child.kill('SIGTERM')
    await w.exited
    const everything = w.stdout() + w.stderr()
    expect(everything).not.toContain(WEBHOOK)
    expect(everything).not.toContain('dashboardWebhookSecret42')
  }, 60_000)
})
