/**
 * The Electron shell's own costs, measured without Electron (the shell's logic is plain Node):
 *
 * 1. IPC: one command through the handler (sender check + dispatchCommand), trusted and refused,
 *    on an idle Controller and on a running engine.
 * 2. The app:// protocol: serving index.html and the renderer's main script from out/renderer.
 * 3. The tray: building its view (icon, tooltip, menu) from a snapshot with 50 queued tasks.
 * 4. Start-up: app controller + reopening the last project until the engine runs.
 * 5. Icons: drawing every icon of scripts/make-icons.ts.
 *
 * Run: node --import tsx bench/app.ts [--calls 20000]
 * Prints a table, then one JSON line.
 */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { EngineSnapshot, TaskSummary } from '../src/shared/domain'
import { Controller } from '../src/main/core/engine/controller'
import { EngineError } from '../src/main/core/engine/engine-error'
import { Logger } from '../src/main/core/log/logger'
import { createAppController, openLastProject } from '../src/main/app/engine-logic'
import type { SenderLike } from '../src/main/app/ipc-logic'
import { createCommandHandler, isTrustedSender } from '../src/main/app/ipc-logic'
import { createDesktopNotifier } from '../src/main/app/notifications-logic'
import { createRendererHandler } from '../src/main/app/renderer-files-logic'
import { SecretVault } from '../src/main/app/secrets-logic'
import { isRendererUrl } from '../src/main/app/security-logic'
import { trayView } from '../src/main/app/tray-logic'
import { iconFiles } from '../scripts/make-icons'
import { createSampleProject } from '../test/support/sample-project'
import { createTestSafeStorage } from '../test/app/support/safe-storage'
import { createTestStore } from '../test/app/support/store'

const callsArg = process.argv.indexOf('--calls')
const CALLS = callsArg > 0 ? Number(process.argv[callsArg + 1]) : 20_000

interface Row {
  name: string
  n: number
  p50: number
  p99: number
  unit: 'µs' | 'ms'
}

const rows: Row[] = []

async function measure(
  name: string,
  n: number,
  unit: Row['unit'],
  fn: () => unknown,
): Promise<Row> {
  for (let i = 0; i < Math.min(200, n); i++) await fn()
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  const scale = unit === 'µs' ? 1000 : 1
  const at = (q: number) =>
    (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * scale
  const row = { name, n, p50: round(at(0.5)), p99: round(at(0.99)), unit }
  rows.push(row)
  return row
}

const round = (x: number) => Math.round(x * 100) / 100

// ── 1. IPC ─────────────────────────────────────────────────────────────────────────────────────
const contents = { id: 1 }
const frame = { url: 'app://fixloop/index.html#/queue', processId: 4, routingId: 1 }
const ourWindow = { webContents: contents, mainFrame: frame }
const trusted: SenderLike = { sender: contents, senderFrame: { ...frame } }
const foreign: SenderLike = {
  sender: contents,
  senderFrame: { ...frame, url: 'https://x.example/' },
}
const check = (e: SenderLike) => isTrustedSender(e, ourWindow, (u) => isRendererUrl(u))

const idle = new Controller({
  createEngine: () => {
    throw new EngineError('unavailable', 'bench')
  },
})
const idleSnapshot = createCommandHandler('getSnapshot', { port: idle, trusted: check })
await measure('IPC getSnapshot, idle controller', CALLS, 'µs', () => idleSnapshot(trusted, {}))
await measure('IPC refused (foreign frame)', CALLS, 'µs', () => idleSnapshot(foreign, {}))
const invalid = createCommandHandler('getTask', { port: idle, trusted: check })
await measure('IPC getTask, invalid args', CALLS, 'µs', () => invalid(trusted, { id: 42 }))

// A running engine on a real project, with a few tasks in its state.
const store = createTestStore()
const project = createSampleProject('fixloop-bench-app-')
project.write('fixloop.config.json', JSON.stringify({ autoFix: false }))
const startTimes: number[] = []
let running: Controller | null = null
for (let i = 0; i < 5; i++) {
  store.prefs.rememberProject(project.root)
  const controller = createAppController({
    prefs: store.prefs,
    vault: new SecretVault({ safeStorage: createTestSafeStorage(), prefs: store.prefs }),
    secrets: {},
    notifier: createDesktopNotifier(() => undefined),
    log: new Logger(),
    env: {},
  })
  const t0 = performance.now()
  const r = await openLastProject(controller, store.prefs, () => true)
  startTimes.push(performance.now() - t0)
  if (r.error) throw new Error(r.error)
  if (i < 4) await controller.stop()
  else running = controller
}
startTimes.sort((a, b) => a - b)
rows.push({
  name: 'start-up: reopen last project until running',
  n: startTimes.length,
  p50: round(startTimes[2] ?? 0),
  p99: round(startTimes[4] ?? 0),
  unit: 'ms',
})
for (let i = 0; i < 5; i++)
  await running!.engine!.enqueueChange({
    files: [`src/f${i}.js`],
    deleted: [],
    kind: 'file_change',
  })
await running!.handlers.pause({})
const busySnapshot = createCommandHandler('getSnapshot', { port: running!, trusted: check })
await measure('IPC getSnapshot, running engine', Math.min(CALLS, 5000), 'µs', () =>
  busySnapshot(trusted, {}),
)

// ── 2. app:// ──────────────────────────────────────────────────────────────────────────────────
const rendererDir = join(import.meta.dirname, '..', 'out', 'renderer')
let assetBytes: number
try {
  const serve = createRendererHandler(rendererDir)
  const asset = readdirSync(join(rendererDir, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .sort(
      (a, b) =>
        statSync(join(rendererDir, 'assets', b)).size -
        statSync(join(rendererDir, 'assets', a)).size,
    )[0]
  assetBytes = asset ? statSync(join(rendererDir, 'assets', asset)).size : 0
  await measure('app:// index.html', 2000, 'ms', async () =>
    (await serve(new Request('app://fixloop/index.html'))).arrayBuffer(),
  )
  if (asset)
    await measure(
      `app:// main script (${Math.round(assetBytes / 1024)} KiB)`,
      2000,
      'ms',
      async () => (await serve(new Request(`app://fixloop/assets/${asset}`))).arrayBuffer(),
    )
} catch {
  console.error('out/renderer missing: run `npx electron-vite build` to measure the protocol')
}

// ── 3. tray ────────────────────────────────────────────────────────────────────────────────────
const summary = (i: number): TaskSummary => ({
  id: `task_${i}`,
  kind: 'file_change',
  files: [`src/module-${i}.ts`],
  status: 'pending',
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
})
const snapshot: EngineSnapshot = {
  ...idle.snapshot(),
  status: 'running',
  activity: 'fixing',
  projectRoot: '/home/dev/shop',
  queues: {
    pending: Array.from({ length: 50 }, (_, i) => summary(i)),
    in_progress: [{ ...summary(99), status: 'in_progress' }],
    completed: [],
    failed: [],
  },
}
const recent = Array.from({ length: 8 }, (_, i) => `/home/dev/project-${i}`)
let last = ''
await measure('tray view + change check per snapshot', CALLS, 'µs', () => {
  const view = trayView(
    { snapshot, recentProjects: recent, loginItem: { supported: true, enabled: false } },
    'linux',
  )
  const key = JSON.stringify(view)
  const changed = key !== last
  last = key
  return changed
})

// ── 4./5. icons ────────────────────────────────────────────────────────────────────────────────
const t0 = performance.now()
const files = iconFiles()
for (const f of files) f.draw()
rows.push({
  name: `draw all ${files.length} icons`,
  n: 1,
  p50: round(performance.now() - t0),
  p99: round(performance.now() - t0),
  unit: 'ms',
})

await running?.stop()
project.remove()
store.remove()

// ── report ─────────────────────────────────────────────────────────────────────────────────────
const width = Math.max(...rows.map((r) => r.name.length))
console.log(
  `${'measure'.padEnd(width)}  ${'n'.padStart(6)}  ${'p50'.padStart(9)}  ${'p99'.padStart(9)}`,
)
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${String(r.n).padStart(6)}  ${`${r.p50} ${r.unit}`.padStart(9)}  ${`${r.p99} ${r.unit}`.padStart(9)}`,
  )
}
console.log(JSON.stringify({ bench: 'app', node: process.version, calls: CALLS, rows }))
