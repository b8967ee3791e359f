import os from 'node:os'
import { detectBwrap } from './bwrap'
import { SandboxUnavailableError } from './errors'
import { findOnPath, isExecutableFile } from './find-executable'
import type { FindExecutable } from './find-executable'
import { detectSandboxExec } from './sandbox-exec'
import { SANDBOX_EXEC_PATH } from './sandbox-exec-profile'
import type { Sandbox, SandboxKind, SandboxMode } from './types'

export interface SandboxOptions {
  /** `auto`: use one when it works; `required`: reject when none works; `off`: never. */
  mode: SandboxMode
  /** @default process.platform */
  platform?: NodeJS.Platform
  /** Where bwrap is. Skips the PATH lookup; a path that is not an executable counts as not installed. */
  bwrapPath?: string
  /** Looks `bwrap` up. @default (name) => findOnPath(name, process.env.PATH) */
  findExecutable?: FindExecutable
  /** Where sandbox-exec is (macOS). @default '/usr/bin/sandbox-exec' */
  sandboxExecPath?: string
  /**
   * Start the tool once to prove it works (about 10 ms for bwrap). Without the probe an installed
   * tool is trusted, and a broken one makes every check fail to start. @default true
   */
  probe?: boolean
  /** @default 10000 */
  probeTimeoutMs?: number
  /** `os.tmpdir()` as checks will see it (the private temp folder is bound there too). @default os.tmpdir() */
  tmpdir?: string
  signal?: AbortSignal
}

const UNSANDBOXED = 'checks run unsandboxed in the shadow workspace'

/**
 * Detects the OS sandbox for checks. Resolves to an inactive sandbox (whose `wrap` returns argv
 * unchanged) when there is none, with the reason in `status.detail`; in mode `required` rejects
 * with a `SandboxUnavailableError` instead.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { mode } = options
  if (mode !== 'auto' && mode !== 'required' && mode !== 'off')
    throw new RangeError(`sandbox mode must be auto, required or off, got ${String(mode)}`)
  options.signal?.throwIfAborted()
  if (mode === 'off') return inactive('none', `Sandbox off by setting: ${UNSANDBOXED}.`)

  const platform = options.platform ?? process.platform
  const probe = options.probe ?? true
  const probeTimeoutMs = options.probeTimeoutMs ?? 10_000
  const tmpdir = options.tmpdir ?? os.tmpdir()

  let found:
    | { ok: true; sandbox: Sandbox }
    | { ok: false; kind: SandboxKind; reason: string; advice: string }
  if (platform === 'linux') {
    const given = options.bwrapPath
    const find = options.findExecutable ?? ((name) => findOnPath(name, process.env.PATH))
    const bwrapPath = given === undefined ? find('bwrap') : isExecutableFile(given) ? given : null
    found = await detectBwrap({ bwrapPath, probe, probeTimeoutMs, tmpdir, signal: options.signal })
    if (!found.ok && found.kind === 'none' && given !== undefined)
      found = { ...found, reason: `bubblewrap (bwrap) is not at ${given}` }
  } else if (platform === 'darwin') {
    found = await detectSandboxExec({
      sandboxExecPath: options.sandboxExecPath ?? SANDBOX_EXEC_PATH,
      probe,
      probeTimeoutMs,
      tmpdir,
      signal: options.signal,
    })
  } else {
    const name = platform === 'win32' ? 'Windows' : platform
    found = { ok: false, kind: 'none', reason: `no OS sandbox on ${name}`, advice: '' }
  }
  if (found.ok) return found.sandbox

  if (mode === 'required') {
    const advice = found.advice ? `${found.advice}, or set` : 'Set'
    throw new SandboxUnavailableError(
      found.reason,
      `The sandbox setting is "required" but ${found.reason}. ${advice} sandbox to "auto" to run checks without an OS sandbox.`,
    )
  }
  return inactive(found.kind, `${capitalize(found.reason)}: ${UNSANDBOXED}.`)
}

function inactive(kind: SandboxKind, detail: string): Sandbox {
  return { status: { kind, active: false, detail }, wrap: (argv) => [...argv] }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
