import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { WatchBatch, Watcher, WatcherEvents } from '../../../../src/main/core/watch/watcher'

/** A real folder in the OS temp dir with the given files; `remove()` deletes it. */
export async function tempProject(files: Record<string, string> = {}) {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'fixloop-watch-')))
  await writeFiles(root, files)
  return {
    root,
    file: (rel: string) => path.join(root, rel),
    write: (rel: string, content = `${rel} ${Date.now()} ${Math.random()}`) =>
      writeFiles(root, { [rel]: content }),
    remove: () => rm(root, { recursive: true, force: true }),
  }
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  const entries = Object.entries(files)
  const dirs = new Set(entries.map(([rel]) => path.dirname(path.join(root, rel))))
  for (const dir of dirs) await mkdir(dir, { recursive: true })
  // In chunks: a storm of thousands of files is written in about a second
  for (let start = 0; start < entries.length; start += 100) {
    await Promise.all(
      entries
        .slice(start, start + 100)
        .map(([rel, content]) => writeFile(path.join(root, rel), content)),
    )
  }
}

/** The next batch the watcher emits; rejects after `timeoutMs`. */
export function nextBatch(watcher: Watcher, timeoutMs = 10_000): Promise<WatchBatch> {
  return nextEvent(watcher, 'batch', timeoutMs)
}

export function nextEvent<K extends keyof WatcherEvents>(
  watcher: Watcher,
  event: K,
  timeoutMs = 10_000,
): Promise<WatcherEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      watcher.off(event, onEvent as never)
      reject(new Error(`no ${event} event within ${timeoutMs} ms`))
    }, timeoutMs)
    function onEvent(value: WatcherEvents[K][0]) {
      clearTimeout(timer)
      resolve(value)
    }
    watcher.once(event, onEvent as never)
  })
}

/** Every batch the watcher emits from now on. */
export function collectBatches(watcher: Watcher): WatchBatch[] {
  const batches: WatchBatch[] = []
  watcher.on('batch', (batch) => batches.push(batch))
  return batches
}

/** Resolves once `condition` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const STORM_WRITER = `
const fs = require('node:fs')
const path = require('node:path')
const [root, count] = process.argv.slice(1)
for (let i = 0; i < Number(count); i++) {
  const dir = path.join(root, 'gen', 'd' + (i % 50))
  if (i < 50) fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'f' + i + '.ts'), 'export const v = ' + i + '\\n')
}
`

/**
 * Writes `count` files under gen/d0..d49 from a separate process, as a branch switch or an install
 * would: the watcher's own event loop stays free, as it is in real use.
 */
export function stormFromChild(root: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', STORM_WRITER, root, String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`storm writer exited ${code}: ${stderr}`)),
    )
  })
}

/** The file names `stormFromChild` writes. */
export function stormFiles(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `gen/d${i % 50}/f${i}.ts`).sort()
}
