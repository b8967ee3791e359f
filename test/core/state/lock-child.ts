/**
 * A second process for the lock tests: opens the store on argv[2], prints one JSON line per event
 * and one with the outcome, then holds the lock until stdin closes.
 * Usage: node --import tsx test/core/state/lock-child.ts <projectRoot> [staleMs]
 */
import { writeSync } from 'node:fs'
import { StateStore } from '../../../src/main/core/state'

const [dir, stale] = process.argv.slice(2)
const print = (value: unknown) => writeSync(1, JSON.stringify(value) + '\n')

try {
  const store = await StateStore.open({
    projectRoot: dir!,
    staleMs: stale ? Number(stale) : undefined,
    updateMs: stale ? Math.max(1000, Number(stale) / 2) : undefined,
    onEvent: (name, payload) => print({ event: name, payload }),
  })
  print({ ok: true, pid: process.pid })
  process.stdin.resume()
  process.stdin.on('end', () => void store.close().then(() => process.exit(0)))
} catch (error) {
  const e = error as Error & { code?: string; pid?: number | null }
  print({ ok: false, pid: process.pid, code: e.code, message: e.message, ownerPid: e.pid ?? null })
  process.exit(3)
}
