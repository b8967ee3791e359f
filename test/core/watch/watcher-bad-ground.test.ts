import { spawn } from 'node:child_process'
import { chmod, chown, mkdir, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { BackendKind } from '../../../src/main/core/watch/backend'
import {
  loadParcelWatcher,
  type NativeWatcherModule,
} from '../../../src/main/core/watch/native-backend'
import {
  Watcher,
  type WatcherOptions,
  type WatcherStatus,
} from '../../../src/main/core/watch/watcher'
import { nextBatch, nextEvent, tempProject, until } from './support/temp-project'

const cleanup: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function setup(options: Partial<WatcherOptions> = {}) {
  const project = await tempProject({ 'src/a.ts': 'a' })
  cleanup.push(project.remove)
  const watcher = new Watcher({
    root: project.root,
    debounceMs: 80,
    pollIntervalMs: 50,
    rootCheckMs: 50,
    ...options,
  })
  cleanup.push(() => watcher.stop())
  return { project, watcher }
}

const ENOSPC_MESSAGE = "inotify_add_watch on '/p/src' failed: No space left on device"

describe('the inotify limit (ENOSPC)', () => {
  it('at start: degrades naming fs.inotify.max_user_watches and watches by polling', async () => {
    // The native module as it fails when the limit is reached: its real error text
    const loadNative = async (): Promise<NativeWatcherModule> => ({
      subscribe: () => Promise.reject(new Error(ENOSPC_MESSAGE)),
    })
    const { project, watcher } = await setup({ loadNative })
    const degraded = nextEvent(watcher, 'degraded')
    await watcher.start()
    expect((await degraded).reason).toMatch(/fs\.inotify\.max_user_watches/)
    expect(watcher.status()).toMatchObject({ alive: true, backend: 'polling' })
    expect(watcher.status().degradedReason).toMatch(/polling/)
    const batch = nextBatch(watcher)
    await project.write('src/a.ts')
    expect((await batch).files).toEqual(['src/a.ts'])
  })

  it('while running: the native error reaches the callback, and polling takes over', async () => {
    let inject: ((error: Error) => void) | null = null
    const real = await loadParcelWatcher()
    const loadNative = async (): Promise<NativeWatcherModule> => ({
      subscribe: (dir, callback, options) => {
        inject = (error) => callback(error, [])
        return real.subscribe(dir, callback, options)
      },
    })
    const { project, watcher } = await setup({ loadNative })
    await watcher.start()
    expect(watcher.status().backend).toBe('native')
    const degraded = nextEvent(watcher, 'degraded')
    inject!(new Error(ENOSPC_MESSAGE))
    expect((await degraded).reason).toMatch(/max_user_watches/)
    await until(() => watcher.status().backend === 'polling', 5000, 'polling to take over')
    const batch = nextBatch(watcher)
    await project.write('src/a.ts')
    expect((await batch).files).toEqual(['src/a.ts'])
  })
})

describe('the native module cannot load', () => {
  it('degrades with the reason and watches by polling', async () => {
    const loadNative = () =>
      Promise.reject(new Error('No prebuild or local build of @parcel/watcher found.'))
    const { project, watcher } = await setup({ loadNative })
    const degraded = nextEvent(watcher, 'degraded')
    await watcher.start()
    expect((await degraded).reason).toMatch(/No prebuild/)
    expect(watcher.status().backend).toBe('polling')
    const batch = nextBatch(watcher)
    await project.write('src/a.ts')
    expect((await batch).files).toEqual(['src/a.ts'])
  })
})

describe.each(['native', 'polling'] as const)(
  'the project folder vanishes (%s)',
  (backend: BackendKind) => {
    it('deleted: degrades without a crash, and recovers when it comes back', async () => {
      const { project, watcher } = await setup({ backend })
      const batches: unknown[] = []
      watcher.on('batch', (batch) => batches.push(batch))
      await watcher.start()
      const degraded = nextEvent(watcher, 'degraded')
      await rm(project.root, { recursive: true, force: true })
      expect((await degraded).reason).toMatch(/deleted or moved/)
      expect(watcher.status()).toMatchObject({ alive: false, backend: null })
      // Deleting the project is not a batch of deletions
      expect(batches).toHaveLength(0)

      const recovered = nextEvent(watcher, 'recovered')
      await mkdir(project.file('src'), { recursive: true })
      expect(await recovered).toEqual({ backend })
      expect(watcher.status()).toMatchObject({ alive: true, degradedReason: null })
      const batch = nextBatch(watcher)
      await project.write('src/after.ts')
      expect((await batch).files).toEqual(['src/after.ts'])
    })
  },
)

describe('the project folder is renamed while watched', () => {
  it('degrades with the reason and recovers when renamed back', async () => {
    const { project, watcher } = await setup()
    await watcher.start()
    const degraded = nextEvent(watcher, 'degraded')
    await rename(project.root, `${project.root}-moved`)
    cleanup.push(() => rm(`${project.root}-moved`, { recursive: true, force: true }))
    expect((await degraded).reason).toContain(project.root)
    expect(watcher.status().alive).toBe(false)
    const recovered = nextEvent(watcher, 'recovered')
    await rename(`${project.root}-moved`, project.root)
    await recovered
    const batch = nextBatch(watcher)
    await project.write('src/a.ts')
    expect((await batch).files).toEqual(['src/a.ts'])
  })
})

describe.each(['native', 'polling'] as const)('a folder Fixloop may not read (%s)', (backend) => {
  // Windows ignores POSIX modes: a folder cannot be made unreadable with chmod there
  it.skipIf(process.platform === 'win32')(
    'is skipped with a message; the rest is watched',
    async () => {
      const project = await tempProject({ 'src/a.ts': 'a', 'secret/hidden.ts': 'x' })
      cleanup.push(project.remove)
      // Root reads every folder, so as root the watcher runs as an unprivileged user
      const asRoot = process.getuid?.() === 0
      if (asRoot) await chownTree(project.root, NOBODY, NOBODY)
      await chmod(project.file('secret'), 0o000)
      cleanup.push(() => chmod(project.file('secret'), 0o755))
      const report = await runChild(project.root, backend, asRoot)
      expect(report.files).toEqual(['src/a.ts'])
      expect(report.status).toMatchObject({ alive: true, backend, skipped: ['secret'] })
      expect(report.degraded).toEqual([])
      expect(report.warnings).toEqual([
        expect.objectContaining({ path: 'secret', message: expect.stringMatching(/may not read/) }),
      ])
    },
  )
})

const NOBODY = 65534

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name)
    if (entry.isDirectory()) await chownTree(child, uid, gid)
    else await chown(child, uid, gid)
  }
}

interface ChildReport {
  warnings: { message: string; path?: string }[]
  degraded: string[]
  status: WatcherStatus
  files: string[] | null
}

function runChild(root: string, backend: BackendKind, asNobody: boolean): Promise<ChildReport> {
  const script = fileURLToPath(new URL('./support/unreadable-child.ts', import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, root, backend], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asNobody ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: root } } : {}),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${stderr}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildReport)
    })
  })
}
