/** Finding Seatbelt on macOS. Untested on a real Mac: see sandbox-exec-profile.ts. */
import { mkdirSync } from 'node:fs'
import { isExecutableFile } from './find-executable'
import { runQuiet } from './run-quiet'
import { sandboxExecArgs } from './sandbox-exec-profile'
import type { Sandbox } from './types'

export interface DetectSandboxExecOptions {
  sandboxExecPath: string
  probe: boolean
  probeTimeoutMs: number
  tmpdir: string
  signal?: AbortSignal
}

export type SandboxExecDetection =
  | { ok: true; sandbox: Sandbox }
  | { ok: false; kind: 'sandbox-exec' | 'none'; reason: string; advice: string }

export async function detectSandboxExec(
  options: DetectSandboxExecOptions,
): Promise<SandboxExecDetection> {
  const exe = options.sandboxExecPath
  if (!isExecutableFile(exe))
    return {
      ok: false,
      kind: 'none',
      reason: `${exe} is missing`,
      advice: 'sandbox-exec ships with macOS; check that it has not been removed',
    }
  if (options.probe) {
    const probe = await runQuiet([exe, '-p', '(version 1)(allow default)', '/usr/bin/true'], {
      timeoutMs: options.probeTimeoutMs,
      signal: options.signal,
    })
    options.signal?.throwIfAborted()
    if (!probe.ok)
      return {
        ok: false,
        kind: 'sandbox-exec',
        // A process that is already sandboxed (App Sandbox) cannot apply another profile.
        reason: `sandbox-exec cannot apply a profile here (${probe.stderr.split('\n')[0]})`,
        advice: 'Run Fixloop outside any other sandbox',
      }
  }
  return {
    ok: true,
    sandbox: {
      status: {
        kind: 'sandbox-exec',
        active: true,
        detail: 'sandbox-exec: checks may write only the shadow workspace and the temp folders.',
      },
      wrap(argv, spec) {
        const args = sandboxExecArgs(exe, argv, spec, { tmpdir: options.tmpdir })
        for (const dir of [spec.tmpDir, ...spec.writable]) mkdirSync(dir, { recursive: true })
        return args
      },
    },
  }
}
