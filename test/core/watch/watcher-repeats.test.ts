/**
 * @parcel/watcher sometimes delivers the same event twice, about 50 ms apart. The real native
 * watcher runs here on a temp folder; only its deliveries are repeated, `delayMs` after each one,
 * as it does on its own on about one save in six.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  loadParcelWatcher,
  type NativeWatcherModule,
} from '../../../src/main/core/watch/native-backend'
import { Watcher } from '../../../src/main/core/watch/watcher'
import { collectBatches, nextBatch, tempProject, until } from './support/temp-project'

const cleanup: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** The real native module, each delivery repeated `delayMs` later; `deliveries` are the first ones' times. */
function repeating(delayMs: number) {
  const deliveries: number[] = []
  const repeats: number[] = []
  const loadNative = async (): Promise<NativeWatcherModule> => {
    const real = await loadParcelWatcher()
    return {
      subscribe: (dir, fn, options) =>
        real.subscribe(
          dir,
          (error, events) => {
            deliveries.push(Date.now())
            fn(error, events)
            if (error || events.length === 0) return
            setTimeout(() => {
              repeats.push(Date.now())
              fn(null, events)
            }, delayMs)
          },
          options,
        ),
    }
  }
  return { loadNative, deliveries, repeats }
}

async function setup(debounceMs: number, delayMs: number) {
  const project = await tempProject({ 'src/a.ts': 'a' })
  cleanup.push(project.remove)
  const native = repeating(delayMs)
  const watcher = new Watcher({
    root: project.root,
    debounceMs,
    maxWaitMs: 5000,
    loadNative: native.loadNative,
  })
  cleanup.push(() => watcher.stop())
  await watcher.start()
  return { project, watcher, ...native }
}

describe('Watcher and a repeated delivery (native backend)', () => {
  it('does not hold the window open for a repeat within it', async () => {
    const { project, watcher, deliveries, repeats } = await setup(300, 100)
    const batch = nextBatch(watcher)
    await project.write('src/a.ts', 'saved once')
    const { files, closedAt } = await batch
    expect(files).toEqual(['src/a.ts'])
    const first = deliveries[0] as number
    // The repeat came inside the window, and the window still closed 300 ms after the first event
    expect(repeats[0]).toBeLessThan(closedAt)
    // A window the repeat had moved would close 300 ms after it, ≥ 400 ms after the first event.
    expect(closedAt - first).toBeLessThan(300 + 90)
    // The file's last change is the first event (plus its lstat), not the repeat 100 ms later.
    expect(watcher.changes.lastChangeAt('src/a.ts')!).toBeLessThan(repeats[0] as number)
  })

  it('opens no new window for a repeat arriving after the window closed', async () => {
    const { project, watcher, repeats } = await setup(40, 150)
    const batches = collectBatches(watcher)
    await project.write('src/a.ts', 'saved once')
    await until(() => batches.length > 0 && repeats.length > 0, 10_000, 'the batch and the repeat')
    // Give a window the repeat might have opened the time to close
    await new Promise((resolve) => setTimeout(resolve, 200))
    await watcher.flush()
    expect(batches).toHaveLength(1)
    expect(watcher.status().pending).toBe(0)
    // The file's last change is still the first event: a fix debounce is not restarted by a repeat
    expect(watcher.changes.lastChangeAt('src/a.ts')!).toBeLessThan(repeats[0] as number)
  })

  it('moves the deadline for a real second save, even one delivered as quickly', async () => {
    const { project, watcher, deliveries } = await setup(300, 10_000)
    const batch = nextBatch(watcher)
    await project.write('src/a.ts', 'first save')
    await until(() => deliveries.length > 0, 5000, 'the first event')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const second = Date.now()
    await project.write('src/a.ts', 'second save, longer than the first')
    const { files, closedAt } = await batch
    expect(files).toEqual(['src/a.ts'])
    expect(closedAt).toBeGreaterThanOrEqual(second + 300 - 5)
    expect(watcher.changes.lastChangeAt('src/a.ts')).toBeGreaterThanOrEqual(second - 5)
  })
})
