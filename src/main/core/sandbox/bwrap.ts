/**
 * Finding bubblewrap and proving it works here. Being installed is not enough: in containers,
 * where unprivileged user namespaces are off, or under Ubuntu 24.04's AppArmor restriction bwrap
 * exists but fails to start, and only running it tells.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { bwrapArgs } from './bwrap-args'
import { runQuiet } from './run-quiet'
import type { Sandbox } from './types'

export interface BwrapFound {
  ok: true
  sandbox: Sandbox
}
export interface BwrapMissing {
  ok: false
  /** `bwrap` when it is installed but unusable, `none` when it was not found. */
  kind: 'bwrap' | 'none'
  reason: string
  advice: string
}

export interface DetectBwrapOptions {
  bwrapPath: string | null
  probe: boolean
  probeTimeoutMs: number
  tmpdir: string
  signal?: AbortSignal
}

const INSTALL_ADVICE =
  'Install bubblewrap (Debian/Ubuntu: apt install bubblewrap; Fedora: dnf install bubblewrap; Arch: pacman -S bubblewrap)'
const NAMESPACE_ADVICE =
  'Allow unprivileged user namespaces (e.g. sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0), or run Fixloop outside the container'

export async function detectBwrap(options: DetectBwrapOptions): Promise<BwrapFound | BwrapMissing> {
  const bwrap = options.bwrapPath
  if (!bwrap)
    return {
      ok: false,
      kind: 'none',
      reason: 'bubblewrap (bwrap) is not on PATH',
      advice: INSTALL_ADVICE,
    }
  const wrap: Sandbox['wrap'] = (argv, spec) =>
    bwrapArgs(bwrap, argv, spec, { tmpdir: options.tmpdir })
  if (!options.probe) return { ok: true, sandbox: active('bubblewrap', wrap) }

  const run = { timeoutMs: options.probeTimeoutMs, signal: options.signal }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'fixloop-bwrap-probe-'))
  try {
    const [version, probe] = await Promise.all([
      runQuiet([bwrap, '--version'], run),
      // The very flags a check gets, so a probe that passes means wrapped checks can start.
      runQuiet(
        wrap(['true'], { cwd: scratch, writable: [], tmpDir: path.join(scratch, 'tmp') }),
        run,
      ),
    ])
    options.signal?.throwIfAborted()
    const name = (version.ok && version.stdout.trim()) || 'bubblewrap'
    if (probe.ok) return { ok: true, sandbox: active(name, wrap) }
    return {
      ok: false,
      kind: 'bwrap',
      reason: `${name} at ${bwrap} cannot create a sandbox here (${firstLine(probe.stderr)})`,
      advice: NAMESPACE_ADVICE,
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

function active(name: string, wrap: Sandbox['wrap']): Sandbox {
  return {
    status: {
      kind: 'bwrap',
      active: true,
      detail: `${name}: checks may write only the shadow workspace and a private temp folder.`,
    },
    wrap,
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() || 'no error message'
}
