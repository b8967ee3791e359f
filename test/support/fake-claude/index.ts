/**
 * Test helpers around the fake `claude` in this folder (see main.mjs for what it does): an
 * environment with it first on PATH, its args log, a user tree with a shadow copy beside it.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { BROKEN_MATH, MATH_TEST } from '../sample-project'
import { waitFor } from '../processes'

export const FAKE_CLAUDE_DIR = path.dirname(fileURLToPath(import.meta.url))
export const FAKE_CLAUDE = path.join(FAKE_CLAUDE_DIR, 'claude')

export interface FakeArgsLog {
  args: string[]
  cwd: string
  prompt: string
  pid: number
  /** Names (never values) of secret-looking variables the fake was given. */
  secretsPresent: string[]
}

/** A temp folder removed after the test. */
export function tempDir(prefix = 'fixloop-claude-code-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The environment for a run of the fake: its folder first on PATH, its log in `dir`. */
export function fakeClaudeEnv(
  dir: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv & { FAKE_CLAUDE_ARGS_LOG: string } {
  return {
    PATH: `${FAKE_CLAUDE_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: dir,
    FAKE_CLAUDE_ARGS_LOG: path.join(dir, 'args.log'),
    ...extra,
  }
}

export function readArgsLog(env: { FAKE_CLAUDE_ARGS_LOG: string }): FakeArgsLog {
  return JSON.parse(readFileSync(env.FAKE_CLAUDE_ARGS_LOG, 'utf8')) as FakeArgsLog
}

export interface ShadowPair {
  dir: string
  /** The user's tree: must never change. */
  project: string
  /** Its copy, where Claude Code runs. */
  shadow: string
  /** The related check, as Fixloop would pass it. */
  checkCommand: string[]
}

/** A small project with a bug in `add`, and its shadow copy beside it. */
export function shadowPair(): ShadowPair {
  const dir = tempDir()
  const project = path.join(dir, 'project')
  mkdirSync(path.join(project, 'src'), { recursive: true })
  mkdirSync(path.join(project, 'test'), { recursive: true })
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'sample', type: 'module' }, null, 2),
  )
  writeFileSync(path.join(project, 'src/math.js'), BROKEN_MATH)
  writeFileSync(path.join(project, 'test/math.test.js'), MATH_TEST)
  const shadow = path.join(dir, 'shadow')
  cpSync(project, shadow, { recursive: true })
  return {
    dir,
    project,
    shadow,
    checkCommand: [process.execPath, '--test', 'test/math.test.js'],
  }
}

/** Waits for the fake to write its pid file (hang mode). */
export async function readPids(file: string): Promise<{ claude: number; child: number }> {
  if (!(await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').length > 0, 5000)))
    throw new Error(`the fake wrote no pid file at ${file}`)
  return JSON.parse(readFileSync(file, 'utf8')) as { claude: number; child: number }
}
