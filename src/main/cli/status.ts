/**
 * `fixloop status [DIR]`: what a project's state file says, read without taking the lock, so it
 * works while `fixloop watch` or the app is running.
 */
import { loadConfig } from '../core/config/load-config'
import { formatDuration } from '../core/engine/session-stats'
import { StateStore } from '../core/state'
import { parse } from './args'
import { EXIT } from './exit-codes'
import type { CliIo } from './output'
import { palette } from './output'

export const STATUS_HELP = `Usage: fixloop status [DIR] [--json]

Shows a project's Fixloop state without disturbing a running instance: status and pid, heartbeat
age, queue counts, cumulative statistics, open circuit breakers and the last health check.

Options:
  --json       print one JSON object
  -h, --help   this help
`

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout(STATUS_HELP)
    return EXIT.ok
  }
  const config = loadConfig({ dir: positionals[0], env: io.env })
  const peek = await StateStore.peek(config.projectRoot, {
    stateFile: config.stateFile,
    lockFile: config.lockFile,
  })
  const state = peek.state
  const now = Date.now()
  const heartbeat = state?.processes.orchestrator.last_heartbeat ?? null
  const heartbeatAgeMs = heartbeat ? now - Date.parse(heartbeat) : null
  const running = peek.running !== null && state?.processes.orchestrator.status !== 'stopped'
  const summary = {
    project: config.projectRoot,
    stateFile: peek.file,
    problem: peek.problem,
    status: state ? (running ? state.processes.orchestrator.status : 'stopped') : 'never run',
    pid: running ? (peek.running?.pid ?? null) : null,
    lastHeartbeat: heartbeat,
    heartbeatAgeMs,
    queues: state
      ? Object.fromEntries(Object.entries(state.queues).map(([k, v]) => [k, v.length]))
      : null,
    stats: state?.stats ?? null,
    breakers: state?.breakers.filter((b) => b.state !== 'closed') ?? [],
    health: state?.health ?? null,
  }
  if (values.json) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`)
    return peek.problem ? EXIT.failed : EXIT.ok
  }
  const p = palette(io)
  const lines = [`${p.bold('Project:')} ${summary.project}`]
  if (peek.problem) lines.push(p.red(`State file unusable: ${peek.problem}`))
  if (!state) {
    lines.push(peek.problem ? '' : 'Fixloop has not run on this project yet.')
    io.stdout(`${lines.join('\n')}\n`)
    return peek.problem ? EXIT.failed : EXIT.ok
  }
  const age = heartbeatAgeMs === null ? 'never' : `${formatDuration(heartbeatAgeMs)} ago`
  lines.push(
    `${p.bold('Status:')} ${summary.status}${summary.pid ? ` (pid ${summary.pid})` : ''} · heartbeat ${age}`,
    `${p.bold('Queues:')} ${Object.entries(summary.queues ?? {})
      .map(([k, n]) => `${k.replace('_', ' ')} ${n}`)
      .join(' · ')}`,
    `${p.bold('Totals:')} processed ${state.stats.processed} · fixed ${state.stats.succeeded} · failed ${state.stats.failed} · escalated ${state.stats.escalated} · no fix needed ${state.stats.noFixNeeded} · flaky ${state.stats.flaky} · cost $${state.stats.usage.costUsd.toFixed(4)}`,
  )
  for (const b of summary.breakers)
    lines.push(
      p.yellow(`Breaker ${b.state.replace('_', '-')}: ${b.file} (${b.failures.length} failures)`),
    )
  if (summary.health) {
    const h = summary.health
    lines.push(
      `${p.bold('Health:')} ${h.status === 'HEALTHY' ? p.green(h.status) : p.yellow(h.status)} (${h.checkedAt})`,
    )
    for (const c of h.checks)
      lines.push(`  ${c.ok ? p.green('✓') : p.red('✗')} ${c.name}: ${c.detail}`)
  }
  io.stdout(`${lines.join('\n')}\n`)
  return EXIT.ok
}
