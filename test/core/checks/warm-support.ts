/**
 * For the warm runner tests: a temp copy of the vitest fixture laid out as an install leaves it
 * (a real node_modules folder whose entries link to this repository's, with vite's `.vite-temp`
 * made, so the shadow makes it writable in the sandbox), warm runners that are disposed when the
 * test ends, and a log that keeps what they said.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { onTestFinished } from 'vitest'
import { detectRunner } from '../../../src/main/core/checks/detect-runner'
import type { RunnerInfo } from '../../../src/main/core/checks/types'
import { WarmRunners } from '../../../src/main/core/checks/warm'
import type { WarmRunnersOptions } from '../../../src/main/core/checks/warm'
import { REPO_ROOT, fixtureProject } from './fixtures'

export interface VitestProject {
  root: string
  runner: RunnerInfo
  write(rel: string, text: string): void
}

export function vitestProject(files: Record<string, string> = {}): VitestProject {
  const root = fixtureProject('vitest-basic')
  const modules = path.join(root, 'node_modules')
  mkdirSync(path.join(modules, '.vite-temp'), { recursive: true })
  const repoModules = path.join(REPO_ROOT, 'node_modules')
  for (const entry of readdirSync(repoModules))
    if (!entry.startsWith('.') || entry === '.bin')
      symlinkSync(path.join(repoModules, entry), path.join(modules, entry))
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    writeFileSync(path.join(root, rel), text)
  }
  for (const [rel, text] of Object.entries(files)) write(rel, text)
  return { root, runner: detectRunner(root, { testCommand: null }), write }
}

export interface WarmLogEntry {
  level: string
  message: string
}

/** Warm runners whose workers are stopped when the test ends, and what they logged. */
export function warmRunners(options: WarmRunnersOptions = {}): {
  warm: WarmRunners
  logs: WarmLogEntry[]
} {
  const logs: WarmLogEntry[] = []
  const warm = new WarmRunners({
    log: (level, message) => logs.push({ level, message }),
    ...options,
  })
  onTestFinished(() => warm.dispose())
  return { warm, logs }
}

/** The fixture's money.js, broken so that cart.test.js fails (4.3 instead of 3.3). */
export const BROKEN_MONEY =
  'export const round = (n) => (n < 100 ? 1 : 0) + Math.round(n * 100) / 100\n'
export const GOOD_MONEY = 'export const round = (n) => Math.round(n * 100) / 100\n'
