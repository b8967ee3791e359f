import { execFile } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckResult } from '../../../shared/domain'
import type { SourceFile } from '../fix/prompts'
import { unifiedDiff } from '../fix/diff'
import { protectedReason } from '../fix/protected-paths'

export interface GatherOptions {
  /** Files attached at most. @default 8 */
  maxFiles?: number
  /** Bytes read per file; bigger files are named, for Claude to `view` by line range. @default 1 MiB */
  maxFileBytes?: number
}

/**
 * The source files Claude sees up front: the changed files first, then the test files the failing
 * checks name. Each carries the line the failure output points at in it, so a large file is shown
 * around that line. Files that cannot be attached (binary, too large) are named with the reason;
 * protected paths (env files, lockfiles, .git…) are never read.
 */
export async function gatherSources(
  root: string,
  changed: readonly string[],
  checks: readonly CheckResult[],
  options: GatherOptions = {},
): Promise<SourceFile[]> {
  const maxFiles = options.maxFiles ?? 8
  const maxBytes = options.maxFileBytes ?? 1024 * 1024
  const failing = checks.flatMap((c) => c.failures.map((f) => f.file)).filter(isString)
  const wanted = [...new Set([...changed, ...failing])]
  const output = checks.map((c) => c.output).join('\n')
  const out: SourceFile[] = []
  for (const path of wanted) {
    if (out.length >= maxFiles) break
    if (protectedReason(path) !== null) continue
    try {
      const abs = join(root, path)
      const info = await stat(abs)
      if (!info.isFile()) continue
      const focusLine = lineNamed(output, path)
      const at = focusLine ? { focusLine } : {}
      if (info.size > maxBytes) {
        const kib = Math.round(info.size / 1024)
        out.push({ path, content: '', omitted: `${kib} KiB, too large to attach`, ...at })
        continue
      }
      const bytes = await readFile(abs)
      if (bytes.includes(0)) {
        out.push({ path, content: '', omitted: 'binary' })
        continue
      }
      out.push({ path, content: bytes.toString('utf8'), ...at })
    } catch {
      // Deleted or unreadable: the check output still tells Claude what broke.
    }
  }
  return out
}

/** The first line number the output cites for `path` ("src/a.ts:41:7", "(src/a.ts:41)"). */
export function lineNamed(output: string, path: string): number | undefined {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`(?:^|[\\s(/])${escaped}:(\\d+)`, 'm').exec(output)
  const line = match ? Number(match[1]) : NaN
  return Number.isInteger(line) && line > 0 ? line : undefined
}

function isString(v: string | undefined): v is string {
  return typeof v === 'string' && v.length > 0
}

/**
 * The change against git's HEAD — every tracked file, and new untracked files (not ignored) as
 * additions — when the project is a git work tree and git is installed; null otherwise or when
 * nothing changed. The fallback for "the change since the last green run" before one was recorded.
 * Bounded in time and size.
 */
export async function changeSinceHead(root: string, signal?: AbortSignal): Promise<string | null> {
  const names = await git(root, ['diff', '--name-only', '-z', 'HEAD'], signal)
  if (names === null) return null
  // Protected files (env files, keys, lockfiles) never reach a prompt, changed or not.
  const changed = names.split('\0').filter((p) => p && protectedReason(p) === null)
  const shown = changed.slice(0, MAX_TRACKED)
  const tracked = shown.length
    ? await git(root, ['diff', '--no-color', '--no-ext-diff', 'HEAD', '--', ...shown], signal)
    : ''
  if (tracked === null) return null
  const listed = await git(root, ['ls-files', '--others', '--exclude-standard', '-z'], signal)
  const untracked = (listed ?? '').split('\0').filter((p) => p && protectedReason(p) === null)
  const added: string[] = []
  for (const path of untracked.slice(0, MAX_UNTRACKED)) {
    try {
      const bytes = await readFile(join(root, path))
      added.push(
        bytes.length > 64 * 1024 || bytes.includes(0)
          ? `diff --git a/${path} b/${path}\nnew file (binary or large, not shown)`
          : unifiedDiff(path, null, bytes.toString('utf8')),
      )
    } catch {
      // Gone since git listed it.
    }
  }
  if (changed.length > MAX_TRACKED)
    added.push(`… and ${changed.length - MAX_TRACKED} more changed tracked files`)
  if (untracked.length > MAX_UNTRACKED)
    added.push(`… and ${untracked.length - MAX_UNTRACKED} more new untracked files`)
  const diff = [tracked.trim(), ...added].filter(Boolean).join('\n')
  return diff || null
}

const MAX_UNTRACKED = 20
const MAX_TRACKED = 200

function git(root: string, args: string[], signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      // --no-optional-locks: a read must not refresh (write) the user's .git/index.
      ['--no-pager', '--no-optional-locks', ...args],
      { cwd: root, timeout: 10_000, maxBuffer: 4 * 1024 * 1024, signal, windowsHide: true },
      (error, stdout) => resolve(error ? null : stdout),
    )
  })
}
