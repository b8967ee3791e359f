import { execFile } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckResult } from '../../../shared/domain'
import type { SourceFile } from '../fix/prompts'
import { protectedReason } from '../fix/protected-paths'

export interface GatherOptions {
  /** Files read at most. @default 8 */
  maxFiles?: number
  /** Bytes per file; bigger files are left for Claude to `view` in ranges. @default 64 KiB */
  maxFileBytes?: number
}

/**
 * The source files Claude sees up front: the changed files first, then the test files the failing
 * checks name. Protected paths (env files, lockfiles, .git…) and binary files are never read.
 */
export async function gatherSources(
  root: string,
  changed: readonly string[],
  checks: readonly CheckResult[],
  options: GatherOptions = {},
): Promise<SourceFile[]> {
  const maxFiles = options.maxFiles ?? 8
  const maxBytes = options.maxFileBytes ?? 64 * 1024
  const failing = checks.flatMap((c) => c.failures.map((f) => f.file)).filter(isString)
  const wanted = [...new Set([...changed, ...failing])]
  const out: SourceFile[] = []
  for (const path of wanted) {
    if (out.length >= maxFiles) break
    if (protectedReason(path) !== null) continue
    try {
      const abs = join(root, path)
      const info = await stat(abs)
      if (!info.isFile() || info.size > maxBytes) continue
      const bytes = await readFile(abs)
      if (bytes.includes(0)) continue
      out.push({ path, content: bytes.toString('utf8') })
    } catch {
      // Deleted or unreadable: the check output still tells Claude what broke.
    }
  }
  return out
}

function isString(v: string | undefined): v is string {
  return typeof v === 'string' && v.length > 0
}

/**
 * The change that triggered the task as a unified diff against git's HEAD, when the project is a git
 * work tree and git is installed; null otherwise. Bounded in time and size.
 */
export function gitDiff(
  root: string,
  files: readonly string[],
  signal?: AbortSignal,
): Promise<string | null> {
  if (files.length === 0) return Promise.resolve(null)
  return new Promise((resolve) => {
    execFile(
      'git',
      ['--no-pager', 'diff', '--no-color', '--no-ext-diff', 'HEAD', '--', ...files],
      { cwd: root, timeout: 10_000, maxBuffer: 1024 * 1024, signal, windowsHide: true },
      (error, stdout) => resolve(error || !stdout.trim() ? null : stdout),
    )
  })
}
