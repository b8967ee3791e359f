import { statfs } from 'node:fs/promises'
import type { Health } from '../../../shared/domain'

/** Free space below which health is DEGRADED: checks, journals and the state file need room. */
export const MIN_FREE_BYTES = 200 * 1024 * 1024

export interface HealthInputs {
  root: string
  now: string
  state: { ok: boolean; detail: string }
  watcher: { ok: boolean; detail: string }
  checks: { ok: boolean; detail: string }
  apiKey: { ok: boolean; detail: string }
}

/** Puts the health checks together, adding the disk check, into the contract's Health. */
export async function assessHealth(inputs: HealthInputs): Promise<Health> {
  const checks = [
    { name: 'state', ...inputs.state },
    { name: 'watcher', ...inputs.watcher },
    { name: 'checks', ...inputs.checks },
    { name: 'api_key', ...inputs.apiKey },
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
