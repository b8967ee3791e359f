import { statfs } from 'node:fs/promises'
import type { Health } from '../../../shared/domain'
import { claudeCodeHealth, findClaudeCode } from '../fix/claude-code'
import type { StateStore } from '../state'
import type { WatcherStatus } from '../watch/watcher'

/** Free space below which health is DEGRADED: checks, journals and the state file need room. */
export const MIN_FREE_BYTES = 200 * 1024 * 1024

export interface HealthInputs {
  root: string
  now: string
  state: { ok: boolean; detail: string }
  watcher: { ok: boolean; detail: string }
  checks: { ok: boolean; detail: string }
  apiKey: { ok: boolean; detail: string }
  /** The shadow workspace every check and fix runs in. */
  workspace: { ok: boolean; detail: string }
  /** The OS sandbox around check processes, and why it is or is not in force. */
  sandbox: { ok: boolean; detail: string }
  /** Who fixes (the API agent or Claude Code), and whether it can now. */
  fixer: { ok: boolean; detail: string }
}

/** Puts the health checks together, adding the disk check, into the contract's Health. */
export async function assessHealth(inputs: HealthInputs): Promise<Health> {
  const checks = [
    { name: 'state', ...inputs.state },
    { name: 'watcher', ...inputs.watcher },
    { name: 'checks', ...inputs.checks },
    { name: 'api_key', ...inputs.apiKey },
    { name: 'fixer', ...inputs.fixer },
    { name: 'workspace', ...inputs.workspace },
    { name: 'sandbox', ...inputs.sandbox },
    { name: 'disk', ...(await diskCheck(inputs.root)) },
  ]
  return {
    status: checks.every((c) => c.ok) ? 'HEALTHY' : 'DEGRADED',
    checkedAt: inputs.now,
    checks,
  }
}

async function diskCheck(root: string): Promise<{ ok: boolean; detail: string }> {
  try {
    const s = await statfs(root)
    const free = s.bavail * s.bsize
    const mb = Math.round(free / (1024 * 1024))
    return free >= MIN_FREE_BYTES
      ? { ok: true, detail: `${mb} MB free` }
      : { ok: false, detail: `only ${mb} MB free; at least ${MIN_FREE_BYTES / 1048576} MB needed` }
  } catch (error) {
    return { ok: false, detail: `cannot read free space: ${(error as Error).message}` }
  }
}

type Check = { ok: boolean; detail: string }

/** The state file: open, lock held, last write succeeded. */
export function stateHealth(store: StateStore | null, writeError: string | null): Check {
  if (!store) return { ok: false, detail: 'state not open' }
  if (store.compromised)
    return { ok: false, detail: 'the state lock was lost; nothing more is written' }
  if (writeError) return { ok: false, detail: `last write failed: ${writeError}` }
  return { ok: true, detail: `${store.paths.stateFile} (lock held)` }
}

/** The watcher: alive and not degraded; which backend and why polling, when it is. */
export function watcherHealth(status: WatcherStatus | null): Check {
  if (!status) return { ok: false, detail: 'not watching' }
  if (!status.alive) return { ok: false, detail: status.degradedReason ?? 'watcher stopped' }
  if (status.degradedReason) return { ok: false, detail: status.degradedReason }
  const why = status.pollingReason ? ` (${status.pollingReason})` : ''
  return { ok: true, detail: `${status.backend} backend${why}` }
}

/** The API key: needed only when auto-fix is on; rejected keys stay reported until replaced. */
export function apiKeyHealth(
  autoFix: boolean,
  keySet: boolean,
  rejected: string | null,
  fixer: 'api' | 'claude-code' = 'api',
): Check {
  if (!autoFix) return { ok: true, detail: 'not needed: auto-fix is off' }
  if (fixer === 'claude-code')
    return { ok: true, detail: 'not needed: Claude Code fixes, with its own login' }
  if (rejected) return { ok: false, detail: rejected }
  if (keySet) return { ok: true, detail: 'set' }
  return { ok: false, detail: 'ANTHROPIC_API_KEY is not set: failures are detected but not fixed' }
}

/** The fixer: the API agent (degraded while the API is out) or Claude Code (found, which version). */
export async function fixerHealth(
  fixer: 'api' | 'claude-code',
  model: string,
  outage: { since: number; until: number; reason: string } | null,
  env: NodeJS.ProcessEnv,
): Promise<Check> {
  if (fixer === 'claude-code') {
    const found = await findClaudeCode({ env, refresh: true })
    return { ok: found.usable, detail: claudeCodeHealth(found) }
  }
  if (outage) {
    const at = (ms: number) => new Date(ms).toISOString().slice(11, 19)
    return {
      ok: false,
      detail: `Claude API unavailable since ${at(outage.since)} UTC (${outage.reason}); next try at ${at(outage.until)} UTC`,
    }
  }
  return { ok: true, detail: `Fixloop's agent over the Anthropic API, model ${model}` }
}
