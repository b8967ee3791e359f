/**
 * A repository that ships `.fixloop` (or a folder in it) as a symbolic link would have Fixloop write
 * its state, lock and journal through it, outside the project. It is refused, saying why.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { ensureCliBuilt, runCli } from '../support/cli-process'
import { createSampleProject } from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

let project: SampleProject
let outside: string

beforeAll(() => ensureCliBuilt())
beforeEach(() => {
  project = createSampleProject('fixloop-linked-')
  outside = mkdtempSync(join(tmpdir(), 'fixloop-outside-'))
})
afterEach(() => {
  project.remove()
  rmSync(outside, { recursive: true, force: true })
})

it('refuses a .fixloop that is a symbolic link, and writes nothing through it', () => {
  symlinkSync(outside, join(project.root, '.fixloop'))
  const r = runCli(['watch', project.root])
  expect(r.code).toBe(2)
  expect(r.stderr).toMatch(
    /^fixloop: \.fixloop in this project is a symbolic link \(to .*\)\..*Remove the link/,
  )
  expect(r.stderr).not.toMatch(/\n\s+at /)
  expect(readdirSync(outside)).toEqual([])
})

it('refuses a journal folder inside .fixloop that is a link', () => {
  mkdirSync(join(project.root, '.fixloop'))
  symlinkSync(outside, join(project.root, '.fixloop', 'journal'))
  const r = runCli(['watch', project.root])
  expect(r.code).not.toBe(0)
  expect(r.stderr + r.stdout).toMatch(/\.fixloop\/journal in this project is a symbolic link/)
  expect(readdirSync(outside)).toEqual([])
  expect(existsSync(join(outside, 'state.json'))).toBe(false)
})
