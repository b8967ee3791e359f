/**
 * `fixloop watch [DIR]`: runs the engine on a project until SIGINT/SIGTERM, printing what it does.
 */
import { consoleNotifier } from '../core/escalate'
import { loadConfig, saveLocalSettings } from '../core/config/load-config'
import type { LoadedConfig } from '../core/config/load-config'
import { Orchestrator } from '../core/engine/orchestrator'
import { formatSummary } from '../core/engine/session-stats'
import type { DashboardServer } from './dashboard'
import { UsageError, parse } from './args'
import { EXIT } from './exit-codes'
import type { CliIo } from './output'
import { jsonLine, logLine, palette, taskFields } from './output'

export const WATCH_HELP = `Usage: fixloop watch [DIR] [options]

Watches DIR (default: PROJECT_ROOT, else the current folder). When a file changes it runs the
checks the change can affect; when they fail and ANTHROPIC_API_KEY is set, Claude fixes the code
and the checks are run again. Stop with Ctrl-C: the running task finishes (or is rolled back after
30 s) and the session's statistics are printed.

Options:
  --json             one JSON object per line (types: ready, change, task_created, task_updated,
                     task_completed, task_failed, escalated, heartbeat, health, log, stopped)
  --dashboard        also serve the dashboard on 127.0.0.1 (the URL with its token is printed)
  --port P           the dashboard's port (default: a free one)
  --quiet            only warnings and errors (human output)
  --shutdown-timeout S
                     seconds a running task may take to finish on Ctrl-C before it is
                     aborted and rolled back (default 30)
  -h, --help         this help

Configuration: environment variables (ANTHROPIC_API_KEY, CLAUDE_MODEL, MAX_RETRIES,
AUTO_FIX_ENABLED, FILE_WATCH_DEBOUNCE_SECONDS, CIRCUIT_BREAKER_THRESHOLD, CIRCUIT_BREAKER_WINDOW,
GITHUB_TOKEN, GITHUB_REPO, SLACK_WEBHOOK_URL, EMAIL_WEBHOOK_URL, STATE_FILE, LOCK_FILE, …), the
project's .env, and fixloop.config.json. See the README.
`

export interface WatchOptions {
  /** Resolves when the process is asked to stop; the CLI wires SIGINT/SIGTERM here. */
  stopSignal: Promise<string>
  /** Overrides for tests (fake clock etc. are not needed: the CLI is tested as a process). */
  configure?: (config: LoadedConfig) => LoadedConfig
}

export async function watchCommand(
  args: string[],
  io: CliIo,
  options: WatchOptions,
): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean' },
    dashboard: { type: 'boolean' },
    port: { type: 'string' },
    quiet: { type: 'boolean' },
    'shutdown-timeout': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout(WATCH_HELP)
    return EXIT.ok
  }
  const json = Boolean(values.json)
  const p = palette(io)
  let config = loadConfig({ dir: positionals[0], env: io.env })
  config = options.configure?.(config) ?? config
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a number from 1 to 65535')

  const shutdown =
    values['shutdown-timeout'] === undefined ? 30 : Number(values['shutdown-timeout'])
  if (!Number.isFinite(shutdown) || shutdown < 0)
    throw new UsageError('--shutdown-timeout must be a number of seconds')

  const notifier = consoleNotifier((text) => {
    if (json) return
    io.stderr(`${p.bold('!')} ${text}\n`)
  })
  const engine = new Orchestrator({
    config,
    notifier,
    shutdownTimeoutMs: shutdown * 1000,
    persistSettings: (settings) => saveLocalSettings(config.projectRoot, settings),
  })
  wireOutput(engine, io, json, Boolean(values.quiet))

  await engine.start()
  let dashboard: DashboardServer | null = null
  if (values.dashboard) {
    // Loaded only for --dashboard: the server and its WebSocket library are a bundle chunk of
    // their own (scripts/build-cli.mjs), so a plain watch does not pay for them at start.
    const [{ Controller }, { builtRendererDir, startDashboardServer }] = await Promise.all([
      import('../core/engine/controller'),
      import('./dashboard'),
    ])
    // The dashboard drives this one engine: the CLI watches one project for its whole run.
    const controller = new Controller({
      createEngine: (dir) => {
        if (dir !== engine.root)
          throw new Error('fixloop watch serves one project; restart it on another folder')
        return engine
      },
      projectRoot: engine.root,
    })
    dashboard = await startDashboardServer({
      port: controller,
      rendererDir: builtRendererDir(import.meta.url),
      listenPort: port,
      // Into the engine's log, so a web change or a dropped connection shows in this terminal
      // (and in --json, and in the log file) like everything else.
      log: (level, message) => engine.log.log(level, message, { source: 'dashboard' }),
    })
    if (json) jsonLine(io, 'dashboard', { url: dashboard.url })
    else io.stdout(`${p.bold('Dashboard:')} ${dashboard.url}\n`)
  }

  const reason = await options.stopSignal
  if (!json) io.stdout(`\n${p.dim(`Received ${reason}, shutting down…`)}\n`)
  await dashboard?.close()
  const stats = await engine.stop()
  if (json) jsonLine(io, 'stopped', { reason, stats })
  else io.stdout(`${formatSummary(stats)}\n`)
  return EXIT.ok
}

function wireOutput(engine: Orchestrator, io: CliIo, json: boolean, quiet: boolean): void {
  const p = palette(io)
  if (json) {
    engine.on('ready', (r) => jsonLine(io, 'ready', r))
    engine.on('change', (c) => jsonLine(io, 'change', c))
    for (const type of ['task_created', 'task_updated', 'task_completed', 'task_failed'] as const)
      engine.on(type, (t) => jsonLine(io, type, taskFields(t)))
    engine.on('escalated', (e) => jsonLine(io, 'escalated', e))
    engine.on('heartbeat', (h) => jsonLine(io, 'heartbeat', h))
    engine.on('health', (h) => jsonLine(io, 'health', { status: h.status, checks: h.checks }))
    engine.on('notice', (n) => jsonLine(io, 'notice', n))
    engine.log.subscribe((e) =>
      jsonLine(io, 'log', { level: e.level, message: e.message, taskId: e.taskId }),
    )
    return
  }
  engine.log.subscribe((e) => {
    if (e.level === 'debug' || (quiet && e.level === 'info')) return
    io.stdout(logLine(e, p))
  })
  engine.on('notice', (n) => {
    const mark = n.level === 'error' ? p.red('!') : p.yellow('!')
    io.stderr(`${mark} ${p.bold(n.title)}: ${n.body}\n`)
  })
  engine.on('task_completed', (t) => {
    if (quiet || !t.diff) return
    if (t.outcome === 'fixed') io.stdout(indent(t.diff, p))
    // A held fix is not in the tree: show what it would change, and say so.
    if (t.outcome === 'needs_review')
      io.stdout(`${p.dim('    (held for review, not applied:)')}\n${indent(t.diff, p)}`)
  })
  engine.on('ready', () => {
    if (!quiet) io.stdout(`${p.green('✓')} Ready. Save a file to start; Ctrl-C to stop.\n`)
  })
}

function indent(diff: string, p: ReturnType<typeof palette>): string {
  return diff
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      l.startsWith('+') && !l.startsWith('+++')
        ? p.green(`    ${l}`)
        : l.startsWith('-') && !l.startsWith('---')
          ? p.red(`    ${l}`)
          : p.dim(`    ${l}`),
    )
    .join('\n')
    .concat('\n')
}
