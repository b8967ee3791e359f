import path from 'node:path'
import type { TestFailure } from '../../../shared/domain'

/** What a parser makes of a run. */
export interface ParsedRun {
  failures: TestFailure[]
  /** Project-relative test files the report names; null when the format cannot say. */
  testFiles: string[] | null
  /** Which tests ran and how they ended; null when the output cannot be read per test. */
  tests: TestTally | null
}

/** A test seen passing: named as the parsers name failures ("suite > test"), with its file if known. */
export interface TestRef {
  name: string
  file?: string
}

/** Tests that ran and passed or failed; skipped counts skip, todo and pending. */
export interface TestCounts {
  passed: number
  failed: number
  skipped: number
}

/** A run, test by test: what verification needs to confirm that the failing tests pass now. */
export interface TestTally {
  counts: TestCounts
  /**
   * Whether the output names each passing test (a JSON or TAP report does; a terse text reporter
   * gives only a count). When false, `passed` is empty whatever the counts say.
   */
  named: boolean
  passed: TestRef[]
  /**
   * Test files that ran and ran no test (node reports such a file as a passing "test" named by its
   * path): what a test process that exits early looks like.
   */
  emptyFiles: string[]
}

/** Longest failure message kept; the full text stays in the output tail. @default 4000 */
export const MAX_MESSAGE_CHARS = 4000

// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '')
}

export function clip(message: string, max = MAX_MESSAGE_CHARS): string {
  const clean = stripAnsi(message).trimEnd()
  return clean.length <= max
    ? clean
    : `${clean.slice(0, max)}\n[… ${clean.length - max} more characters]`
}

/**
 * A report's file name as a project-relative path with forward slashes (absolute paths and
 * file:// URLs from runners included); files outside the root stay absolute.
 */
export function projectPath(root: string, file: string): string {
  let p = file
  if (p.startsWith('file://')) {
    try {
      p = decodeURIComponent(new URL(p).pathname)
      if (/^\/[A-Za-z]:\//.test(p)) p = p.slice(1)
    } catch {
      // not a URL after all
    }
  }
  if (!path.isAbsolute(p)) return p.replace(/\\/g, '/').replace(/^\.\//, '')
  const rel = path.relative(root, p)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return p.replace(/\\/g, '/')
  return rel.split(path.sep).join('/')
}

/** Drops `:line[:col]` from a location. */
export function withoutPosition(location: string): string {
  return location.replace(/(?::\d+){1,2}$/, '')
}
