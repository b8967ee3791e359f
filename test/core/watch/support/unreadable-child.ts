/**
 * Runs a watcher over a project that holds a folder its user may not read, and prints what happened
 * as one JSON line. A child process, so the test can run it as an unprivileged user when the suite
 * runs as root (for whom no folder is unreadable).
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { BackendKind } from '../../../../src/main/core/watch/backend'
import { Watcher, type WatchBatch } from '../../../../src/main/core/watch/watcher'

const [root, backend] = process.argv.slice(2) as [string, BackendKind]
const watcher = new Watcher({ root, backend, debounceMs: 80, pollIntervalMs: 50 })
const warnings: { message: string; path?: string }[] = []
const degraded: string[] = []
watcher.on('warning', (warning) => warnings.push(warning))
watcher.on('degraded', ({ reason }) => degraded.push(reason))
await watcher.start()
const batch = new Promise<WatchBatch | null>((resolve) => {
  const timer = setTimeout(() => resolve(null), 10_000)
  watcher.once('batch', (value) => {
    clearTimeout(timer)
    resolve(value)
  })
})
await writeFile(path.join(root, 'src', 'a.ts'), 'changed')
const received = await batch
// Unreadable folders are reported just after start, without holding it up
for (let waited = 0; warnings.length === 0 && waited < 5000; waited += 20) {
  await new Promise((resolve) => setTimeout(resolve, 20))
}
const status = watcher.status()
await watcher.stop()
process.stdout.write(
  `${JSON.stringify({ warnings, degraded, status, files: received?.files ?? null })}\n`,
)
