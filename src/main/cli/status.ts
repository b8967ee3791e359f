/**
 * `fixloop status [DIR]`: what a project's state file says, read without taking the lock, so it
 * works while `fixloop watch` or the app is running.
 */
import { hostname } from 'node:os'
import { loadConfig } from '../core/config/load-config'
import { formatDuration } from '../core/engine/session-stats'
import { StateStore, readLockOwner, resolveStatePaths } from '../core/state'
import type { LockOwner, PeekResult } from '../core/state'
import { parse } from './args'
import { EXIT } from './exit-codes'
import type { CliIo } from './output'
import { palette } from './output'
import { processLiveness } from './process-liveness'

export const STATUS_HELP = `Usage: fixloop status [DIR] [--json]

Shows a project's Fixloop state without disturbing a running instance: status and pid, heartbeat
age, queue counts, cumulative statistics, open circuit breakers and the last health check.
Status is "crashed" when the state says Fixloop runs but its process is gone.

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
  const { lockFile } = resolveStatePaths(config)
  const holder = state ? await processStatus(peek, await readLockOwner(lockFile)) : null
  const summary = {
    project: config.projectRoot,
    stateFile: peek.file,
    problem: peek.problem,
    status: holder?.status ?? 'never run',
    pid: holder?.pid ?? null,
    /** Why the status is what it is, when the state file alone would say otherwise. */
    note: holder?.note ?? null,
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
  const crashed = summary.status === 'crashed'
  lines.push(
    crashed
      ? `${p.bold('Status:')} ${p.red('crashed')} · ${summary.note} · last heartbeat ${heartbeat ? `${heartbeat} (${age})` : 'never'}`
      : `${p.bold('Status:')} ${summary.status}${summary.pid ? ` (pid ${summary.pid})` : ''} · heartbeat ${age}${summary.note ? ` · ${summary.note}` : ''}`,
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

interface ProcessStatus {
  status: string
  pid: number | null
  note: string | null
}

/**
 * What became of the Fixloop the state file names. A process that ended without writing `stopped`
 * (killed, crashed, power lost) is "crashed" however recent its heartbeat: a kill -9 leaves the lock
 * fresh for up to 10 s and the state saying `running` forever.
 */
async function processStatus(peek: PeekResult, owner: LockOwner | null): Promise<ProcessStatus> {
  const recorded = peek.state!.processes.orchestrator
  if (recorded.status === 'stopped') return { status: 'stopped', pid: null, note: null }
  // The owner file is written when the lock is taken; it names the holder and when it took the lock.
  const pid = owner?.pid ?? recorded.pid
  if (pid === null || (owner && owner.host !== hostname())) {
    // Another machine's process (a shared folder), or no pid recorded: only the lock can tell.
    return peek.running
      ? { status: recorded.status, pid: peek.running.pid, note: null }
      : { status: 'crashed', pid, note: 'its lock is no longer refreshed' }
  }
  const live = await processLiveness(pid, owner?.startedAt)
  if (live.kind === 'gone') return { status: 'crashed', pid, note: `pid ${pid} is not running` }
  if (live.kind === 'reused') {
    const note = `pid ${pid} is now another process (started ${live.startedAt}, after Fixloop took the lock)`
    return { status: 'crashed', pid, note }
  }
  // Alive. Without an owner file's time (or /proc) a reused pid cannot be told from ours: a stale
  // lock is then the sign that something is wrong, though not proof that it crashed.
  const note = peek.running
    ? null
    : 'its lock is stale or missing: it may be hung, or have lost the lock (see its log)'
  return { status: recorded.status, pid, note }
}
