/**
 * The child process of bench/speed.ts's idle, soak and ready benches, bundled to plain JavaScript
 * first (speed-proc.ts) so the figures carry no tsx loader. It talks over the IPC channel.
 *
 * FIXLOOP_BENCH_CHILD = engine (default): an Orchestrator on FIXLOOP_BENCH_ROOT, config from the
 *   project and this process's environment; reports `ready`, every finished task, and answers `mem`
 *   (after a GC when run with --expose-gc), `cpu` and `stop`.
 * FIXLOOP_BENCH_CHILD = parcel | watcher: raw @parcel/watcher.subscribe, or Fixloop's Watcher, on
 *   the root with the default ignores; reports `ready` with the time start took, then waits for `stop`.
 */
// Each mode imports only what it runs (the bundle is split), so raw @parcel/watcher's figures do not
// carry the engine's code.

export type ChildMessage =
  | { type: 'ready'; startMs: number; sinceProcessStartMs: number; rss: number; backend?: string }
  | { type: 'task'; id: string; status: string; outcome: string | null }
  | {
      type: 'mem'
      rss: number
      heapUsed: number
      heapTotal: number
      external: number
      gc: boolean
    }
  | { type: 'cpu'; userMs: number; systemMs: number }
  | { type: 'error'; message: string }

export type ParentMessage = { cmd: 'mem' } | { cmd: 'cpu' } | { cmd: 'stop' }

const send = (m: ChildMessage) => process.send?.(m)
const root = process.env.FIXLOOP_BENCH_ROOT as string
const mode = process.env.FIXLOOP_BENCH_CHILD ?? 'engine'

async function startEngine(): Promise<() => Promise<void>> {
  const { loadConfig } = await import('../src/main/core/config/load-config')
  const { Orchestrator } = await import('../src/main/core/engine/orchestrator')
  const started = performance.now()
  const engine = new Orchestrator({
    config: loadConfig({ dir: root, env: process.env }),
    random: () => 0,
    cacheDir: process.env.FIXLOOP_BENCH_CACHE_DIR,
  })
  const finished = (t: { id: string; status: string; outcome: string | null }) =>
    send({ type: 'task', id: t.id, status: t.status, outcome: t.outcome })
  engine.on('task_completed', finished)
  engine.on('task_failed', finished)
  engine.once('ready', ({ backend }) =>
    send({
      type: 'ready',
      startMs: performance.now() - started,
      sinceProcessStartMs: performance.now(),
      rss: process.memoryUsage().rss,
      backend: backend ?? undefined,
    }),
  )
  await engine.start()
  return async () => void (await engine.stop())
}

async function startParcel(): Promise<() => Promise<void>> {
  // The module load counts, as it does in Watcher.start(); native-backend.ts's loader only unwraps
  // CommonJS seen through ESM, the call is raw.
  const started = performance.now()
  const { loadParcelWatcher } = await import('../src/main/core/watch/native-backend')
  const parcel = await loadParcelWatcher()
  const sub = await parcel.subscribe(root, () => undefined, {
    ignore: ['node_modules', '.git', '.fixloop'],
    backend: process.platform === 'linux' ? 'inotify' : undefined,
  })
  send({
    type: 'ready',
    startMs: performance.now() - started,
    sinceProcessStartMs: performance.now(),
    rss: process.memoryUsage().rss,
  })
  return () => sub.unsubscribe()
}

async function startWatcher(): Promise<() => Promise<void>> {
  const { createIgnoreMatcher } = await import('../src/main/core/watch/ignore-rules')
  const { Watcher } = await import('../src/main/core/watch/watcher')
  const started = performance.now()
  const watcher = new Watcher({
    root,
    ignore: createIgnoreMatcher({ root, defaults: true, gitignore: true }),
    detectPolling: async () => null,
  })
  await watcher.start()
  send({
    type: 'ready',
    startMs: performance.now() - started,
    sinceProcessStartMs: performance.now(),
    rss: process.memoryUsage().rss,
  })
  return () => watcher.stop()
}

const starters: Record<string, () => Promise<() => Promise<void>>> = {
  engine: startEngine,
  parcel: startParcel,
  watcher: startWatcher,
}

try {
  const stop = await (starters[mode] ?? startEngine)()
  process.on('message', (m: ParentMessage) => {
    if (m.cmd === 'mem') {
      const gc = (globalThis as { gc?: () => void }).gc
      gc?.()
      const u = process.memoryUsage()
      const { rss, heapUsed, heapTotal, external } = u
      send({ type: 'mem', rss, heapUsed, heapTotal, external, gc: !!gc })
    } else if (m.cmd === 'cpu') {
      const c = process.cpuUsage()
      send({ type: 'cpu', userMs: c.user / 1000, systemMs: c.system / 1000 })
    } else if (m.cmd === 'stop') {
      void stop().finally(() => process.exit(0))
    }
  })
} catch (error) {
  send({ type: 'error', message: (error as Error).stack ?? String(error) })
  process.exit(1)
}
