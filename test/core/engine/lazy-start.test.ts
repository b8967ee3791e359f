/**
 * What the engine does after `ready` rather than before: the walk of its file index (planning asks
 * the index from then on, kept current by the watcher's batches), the OS sandbox's probe, and the
 * scan for folders it may not read.
 */
import { spawn } from 'node:child_process'
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { LogEntry } from '../../../src/shared/domain'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { finished } from '../../support/engine-events'
import { createSampleProject, GOOD_MATH } from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'
import { waitFor } from '../../support/processes'

let project: SampleProject | null = null
let engine: Orchestrator | null = null
const cleanup: (() => Promise<void>)[] = []

afterEach(async () => {
  await engine?.stop()
  engine = null
  project?.remove()
  project = null
  for (const step of cleanup.splice(0).reverse()) await step()
})

function start(p: SampleProject): { engine: Orchestrator; entries: LogEntry[] } {
  p.write('fixloop.config.json', JSON.stringify({ flakyReruns: 0, maxWaitSeconds: 1 }))
  const e = new Orchestrator({
    config: loadConfig({
      dir: p.root,
      env: { AUTO_FIX_ENABLED: 'false', FILE_WATCH_DEBOUNCE_SECONDS: '0.1' },
    }),
  })
  const entries: LogEntry[] = []
  e.log.subscribe((entry) => entries.push(entry))
  engine = e
  return { engine: e, entries }
}

describe('the file index', () => {
  it('is walked after ready; then tasks choose their tests from it, kept current by the watcher', async () => {
    project = createSampleProject()
    const { engine: e, entries } = start(project)
    const indexed = () => entries.findIndex((x) => x.message.startsWith('File index: '))
    let indexedAtReady = 0
    e.once('ready', () => (indexedAtReady = indexed()))
    await e.start()
    expect(indexedAtReady).toBe(-1)
    expect(await waitFor(() => indexed() >= 0, 10_000)).toBe(true)

    // A module and its test created after the walk: the index learns of them from the batch
    project.write('src/extra.js', 'export const extra = 1\n')
    project.write(
      'test/extra.test.js',
      "import { test } from 'node:test'\nimport { extra } from '../src/extra.js'\ntest('extra', () => {})\n",
    )
    const idle = () => {
      const q = e.snapshot().queues
      return q.completed.length > 0 && q.pending.length + q.in_progress.length === 0
    }
    expect(await waitFor(idle, 20_000)).toBe(true)
    // Now only the module changes: its test is chosen by name, from the index
    const done = finished(e)
    project.write('src/extra.js', 'export const extra = 2\n')
    const task = await done
    expect(task.outcome).toBe('no_fix_needed')
    expect(task.selection).toEqual([
      { file: 'test/extra.test.js', reason: 'name', because: 'src/extra.js' },
    ])
    const checks = entries.filter((x) => x.source === 'checks').map((x) => x.message)
    expect(checks.filter((m) => /walking/.test(m))).toEqual([])
    expect(checks.at(-1)).toMatch(/--test .* test\/extra\.test\.js$/)
    // The sample's own module is unchanged by all this
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
  })
})

describe('the OS sandbox', () => {
  // A bwrap that takes 2 s to answer, and then fails: a probe slower than any start
  async function slowBwrap(): Promise<string> {
    const bin = await mkdtemp(path.join(os.tmpdir(), 'fixloop-slow-bwrap-'))
    cleanup.push(() => rm(bin, { recursive: true, force: true }))
    await writeFile(path.join(bin, 'bwrap'), '#!/bin/sh\nsleep 2\nexit 1\n', { mode: 0o755 })
    return bin
  }

  it.skipIf(process.platform !== 'linux')(
    'is probed without holding up ready; the first health check reports what it found',
    async () => {
      const root = await sampleRoot()
      const lines = await runChild(root, '^Health: ', { PATH: await pathWith(await slowBwrap()) })
      const ready = lines.findIndex((l) => l.type === 'ready')
      const probed = lines.findIndex((l) => l.type === 'log' && l.source === 'sandbox')
      const health = lines.findIndex((l) => l.type === 'health')
      expect(ready).toBeGreaterThanOrEqual(0)
      expect(probed).toBeGreaterThan(ready)
      expect(lines[probed]?.message).toMatch(/cannot create a sandbox here/)
      // The first health check waits for the probe, so it does not report a sandbox still unknown
      expect(health).toBeGreaterThan(probed)
      expect(lines[health]?.sandbox).toMatch(/cannot create a sandbox here/)
    },
    30_000,
  )

  it.skipIf(process.platform !== 'linux')(
    'when required and none works: no task is taken meanwhile, and the engine pauses once it is known',
    async () => {
      const root = await sampleRoot({ sandbox: 'required' })
      const lines = await runChild(
        root,
        '^Paused: ',
        { PATH: await pathWith(await slowBwrap()) },
        'src/math.js',
      )
      expect(lines.filter((l) => l.type === 'notice').map((l) => l.title)).toEqual([
        'Checks cannot run',
      ])
      expect(lines.some((l) => l.type === 'log' && /→ task/.test(String(l.message)))).toBe(true)
      expect(lines.some((l) => l.type === 'log' && /^Checking /.test(String(l.message)))).toBe(
        false,
      )
      expect(lines.find((l) => l.type === 'end')).toEqual({
        type: 'end',
        status: 'paused',
        pending: 1,
      })
    },
    30_000,
  )
})

describe('the scan for unreadable folders', () => {
  // Root reads every folder, so as root the engine runs as an unprivileged user; Windows has no modes
  it.skipIf(process.platform === 'win32')(
    'does not hold up ready; its warning is still logged',
    async () => {
      const root = await sampleRoot()
      // Folders enough that the scan takes a while after the watcher is up
      for (let i = 0; i < 40; i++)
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            mkdir(path.join(root, 'lib', `a${i}`, `b${j}`), { recursive: true }),
          ),
        )
      await mkdir(path.join(root, 'secret'))
      const asRoot = process.getuid?.() === 0
      if (asRoot) await chownTree(root, NOBODY)
      await chmod(path.join(root, 'secret'), 0o000)
      const lines = await runChild(root, '^Skipped the folder secret', {}, undefined, asRoot)
      const ready = lines.findIndex((l) => l.type === 'ready')
      const warned = lines.findIndex(
        (l) => l.type === 'log' && /^Skipped the folder secret/.test(String(l.message)),
      )
      expect(ready).toBeGreaterThanOrEqual(0)
      expect(warned).toBeGreaterThan(ready)
    },
    30_000,
  )
})

const NOBODY = 65534

/** The sample project in a temp folder (with `settings`), removed after the test. */
async function sampleRoot(settings: Record<string, unknown> = {}): Promise<string> {
  const sample = createSampleProject('fixloop-lazy-start-')
  sample.write('fixloop.config.json', JSON.stringify({ flakyReruns: 0, ...settings }))
  cleanup.push(async () => {
    await chmod(path.join(sample.root, 'secret'), 0o755).catch(() => undefined)
    sample.remove()
  })
  return sample.root
}

async function pathWith(dir: string): Promise<string> {
  return `${dir}${path.delimiter}${process.env.PATH ?? ''}`
}

async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name)
    if (entry.isDirectory()) await chownTree(child, uid)
    else await chown(child, uid, uid)
  }
}

/** Runs lazy-start-child.ts on `root` and returns the lines it printed. */
async function runChild(
  root: string,
  until: string,
  env: Record<string, string>,
  touch?: string,
  asNobody = false,
): Promise<Record<string, unknown>[]> {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'fixloop-lazy-cache-'))
  cleanup.push(() => rm(cache, { recursive: true, force: true }))
  if (asNobody) await chown(cache, NOBODY, NOBODY)
  const script = fileURLToPath(new URL('./lazy-start-child.ts', import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, root, until, ...(touch ? [touch] : [])],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HOME: root, FIXLOOP_CACHE_DIR: cache, ...env },
        ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${stderr}`))
      resolve(
        stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      )
    })
  })
}
