/**
 * Finds the user's own Claude Code: `claude` on PATH (Windows: PATHEXT, so claude.exe or an npm
 * claude.cmd shim, which is read and replaced by what it runs), then `claude --version`.
 *
 * Never reads, copies or checks Claude Code's credentials (~/.claude, ~/.claude.json, the OS
 * keychain): whether it is logged in is Claude Code's business, and a run that is not says so in
 * its result. The answer is cached for the process per PATH and override; `refresh` asks again.
 */
import { execFile } from 'node:child_process'
import { resolveExecutable } from '../../checks/resolve-bin'
import { redactPatterns } from '../../util/redact'

export type ClaudeCodeFound =
  | {
      usable: true
      /** The executable found (on Windows, what the shim runs). */
      path: string
      /** The argv prefix to spawn it without a shell; pass it as `executable`. */
      command: string[]
      /** e.g. "2.1.59". */
      version: string
    }
  | {
      usable: false
      /** Reads after "Claude Code ": what is wrong and what to do. */
      reason: string
    }

export interface FindClaudeCodeOptions {
  /** Supplies PATH (and PATHEXT) and the environment of `claude --version`. @default process.env */
  env?: NodeJS.ProcessEnv
  /** A path or name to use instead of `claude` (from settings). @default none: `claude` on PATH */
  pathOverride?: string
  /** Ignore the cached answer and look again. @default false */
  refresh?: boolean
  /** For `claude --version`. @default 10000 */
  timeoutMs?: number
  /** @default process.platform */
  platform?: NodeJS.Platform
  signal?: AbortSignal
}

/** The oldest Claude Code whose flags `buildClaudeArgs` uses (they are from the 2.x docs). */
export const MIN_CLAUDE_CODE_VERSION = '2.0.0'

const cache = new Map<string, Promise<ClaudeCodeFound>>()

/** Locates Claude Code and asks its version. Never rejects, except with an abort's reason. */
export function findClaudeCode(options: FindClaudeCodeOptions = {}): Promise<ClaudeCodeFound> {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const key = JSON.stringify([
    options.pathOverride ?? '',
    pathValue(env, 'PATH', platform),
    pathValue(env, 'PATHEXT', platform),
    platform,
  ])
  const cached = options.refresh ? undefined : cache.get(key)
  if (cached) return cached
  const found = look(env, platform, options)
  cache.set(key, found)
  // An aborted look is not an answer; the next call asks again.
  found.catch(() => cache.delete(key))
  return found
}

/** Forgets every cached answer (after the user installs or updates Claude Code). */
export function clearClaudeCodeCache(): void {
  cache.clear()
}

/** The first `x.y.z` in `claude --version` output ("2.1.59 (Claude Code)"), or null. */
export function parseClaudeVersion(output: string): string | null {
  return /\b(\d+\.\d+\.\d+)\b/.exec(output)?.[1] ?? null
}

async function look(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  options: FindClaudeCodeOptions,
): Promise<ClaudeCodeFound> {
  const name = options.pathOverride ?? 'claude'
  const command = resolveExecutable(name, {
    root: process.cwd(),
    platform,
    env,
    localBins: false,
  })
  if (!command) {
    return {
      usable: false,
      reason: options.pathOverride
        ? `not found at ${options.pathOverride}: fix the path in settings, or set fixer to api`
        : 'not found on PATH: install it or set fixer to api',
    }
  }
  const found = command.at(-1) as string
  const run = await versionOf(command, env, options.timeoutMs ?? 10_000, options.signal)
  if (!run.ok) {
    return {
      usable: false,
      reason: `at ${found} did not answer --version (${run.detail}): reinstall it or set fixer to api`,
    }
  }
  const version = parseClaudeVersion(run.detail)
  if (!version) {
    return {
      usable: false,
      reason: `at ${found} printed no version (${JSON.stringify(run.detail.slice(0, 80))}): is it Claude Code?`,
    }
  }
  if (compareVersions(version, MIN_CLAUDE_CODE_VERSION) < 0) {
    return {
      usable: false,
      reason: `${version} at ${found} is older than ${MIN_CLAUDE_CODE_VERSION}: run \`claude update\`, or set fixer to api`,
    }
  }
  return { usable: true, path: found, command, version }
}

function versionOf(
  command: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ ok: boolean; detail: string }> {
  signal?.throwIfAborted()
  const [file, ...args] = command as [string, ...string[]]
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args, '--version'],
      {
        env,
        encoding: 'utf8',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        signal,
        maxBuffer: 64 * 1024,
        windowsHide: true,
        shell: false,
      },
      (error, stdout, stderr) => {
        if (signal?.aborted) return reject(signal.reason)
        if (!error) return resolve({ ok: true, detail: stdout.trim() })
        const why = error.killed ? `timed out after ${timeoutMs} ms` : error.message
        resolve({ ok: false, detail: redactPatterns((stderr.trim() || why).slice(0, 300)) })
      },
    )
  })
}

/** Compares dotted numeric versions: negative when a < b. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

function pathValue(env: NodeJS.ProcessEnv, key: string, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return env[key] ?? ''
  const match = Object.keys(env).find((k) => k.toUpperCase() === key)
  return match === undefined ? '' : (env[match] ?? '')
}
