/**
 * Copies a fixture project from test/fixtures/checks into a fresh temp dir, so a test can edit it
 * freely; the copy is removed when the test finishes.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/checks')

export interface FixtureOptions {
  /**
   * Link the repository's node_modules into the copy, so `node_modules/.bin/vitest` and
   * `import 'vitest'` resolve without an install. @default false
   */
  linkNodeModules?: boolean
}

export function fixtureProject(name: string, options: FixtureOptions = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), `fixloop-${name}-`))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  cpSync(path.join(FIXTURES, name), root, { recursive: true })
  if (options.linkNodeModules)
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir')
  return root
}

/** An empty temp dir, removed when the test finishes. */
export function tempDir(prefix = 'fixloop-checks-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Replaces text in a project file, failing loudly if the text is not there. */
export function edit(root: string, file: string, from: string, to: string): void {
  const full = path.join(root, file)
  const before = readFileSync(full, 'utf8')
  if (!before.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`)
  writeFileSync(full, before.replace(from, to))
}
