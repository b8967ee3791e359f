/**
 * The Seatbelt (SBPL) profile for `sandbox-exec` on macOS: everything is allowed except writing
 * files, which is allowed only beneath the check's writable folders, its temp folders and a few
 * devices.
 *
 * UNTESTED ON A REAL MAC: no macOS machine is available to this project; only the profile text is
 * unit-tested. The rules follow the shape Bazel's darwin sandbox and @anthropic-ai/sandbox-runtime
 * generate (`(allow default)` first, later rules win). What to check on a Mac before relying on it:
 * vitest, jest and `node --test` pass in a shadow workspace, a write to the project folder fails
 * with EPERM, and `sandbox-exec` is still present (Apple marks it deprecated).
 *
 * Unlike bubblewrap, Seatbelt cannot give a check its own /tmp: the shared temp folders stay
 * writable (the per-user `$TMPDIR`, /private/tmp, /private/var/tmp) and `tmpDir` is simply one more
 * writable folder. The project, the home folder and the rest of the disk are protected all the same.
 */
import os from 'node:os'
import path from 'node:path'
import { realPath, requireAbsolute } from './real-path'
import type { WrapSpec } from './types'

export const SANDBOX_EXEC_PATH = '/usr/bin/sandbox-exec'

/** Devices any process may write: output sinks, the terminal, dtrace's helper (every Node opens it). */
const DEVICE_LITERALS = [
  '/dev/null',
  '/dev/zero',
  '/dev/tty',
  '/dev/dtracehelper',
  '/dev/stdout',
  '/dev/stderr',
  '/dev/ptmx',
]
const DEVICE_REGEXES = ['^/dev/fd/[0-9]+$', '^/dev/ttys[0-9]+$']
/** Shared temp folders (real paths: /tmp and /var are symlinks into /private on macOS). */
const SHARED_TMP = ['/private/tmp', '/private/var/tmp']

export interface ProfileOptions {
  /** `os.tmpdir()` as the check will see it. @default os.tmpdir() */
  tmpdir?: string
  /** Resolves symlinks; a seam so the text can be tested for paths that do not exist. @default realPath */
  resolve?: (p: string) => string
}

/**
 * An SBPL string literal. SBPL is read by a TinyScheme reader: inside double quotes a backslash
 * escapes the next character, so `\` and `"` are escaped and control characters are written as
 * escapes rather than raw bytes.
 */
export function sbplString(value: string): string {
  if (value.includes('\0')) throw new RangeError('a path cannot contain a NUL character')
  let out = '"'
  for (const c of value) {
    const code = c.charCodeAt(0)
    if (c === '\\' || c === '"') out += `\\${c}`
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += c
  }
  return `${out}"`
}

/** The profile text for `spec`. Paths are resolved to real paths, as Seatbelt matches those. */
export function sandboxExecProfile(spec: WrapSpec, options: ProfileOptions = {}): string {
  requireAbsolute(spec.tmpDir, 'tmpDir')
  for (const p of spec.writable) requireAbsolute(p, 'a writable path')
  const resolve = options.resolve ?? realPath
  const writable = unique([
    resolve(spec.tmpDir),
    resolve(options.tmpdir ?? os.tmpdir()),
    ...SHARED_TMP,
    ...spec.writable.map(resolve),
  ])
  const lines = [
    '(version 1)',
    '(allow default)',
    '(deny file-write*)',
    '(allow file-write*',
    ...DEVICE_LITERALS.map((p) => `  (literal ${sbplString(p)})`),
    ...DEVICE_REGEXES.map((r) => `  (regex #${sbplString(r)})`),
    ...writable.map((p) => `  (subpath ${sbplString(p)})`),
    ')',
  ]
  // Last match wins: the .git of a writable folder stays read-only (see WrapSpec.writable).
  const gits = spec.writable.map((p) => path.join(resolve(p), '.git'))
  if (gits.length)
    lines.push('(deny file-write*', ...gits.map((p) => `  (subpath ${sbplString(p)})`), ')')
  return lines.join('\n') + '\n'
}

/** `sandbox-exec -p <profile> <argv...>`; sandbox-exec applies the profile, then execs argv. */
export function sandboxExecArgs(
  sandboxExecPath: string,
  argv: readonly string[],
  spec: WrapSpec,
  options: ProfileOptions = {},
): string[] {
  const [command] = argv
  if (command === undefined) throw new RangeError('wrap: empty command')
  // sandbox-exec would read a leading dash as one of its own options.
  if (command.startsWith('-')) throw new RangeError(`wrap: command cannot start with -: ${command}`)
  return [sandboxExecPath, '-p', sandboxExecProfile(spec, options), ...argv]
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)]
}
