/**
 * An engine in its own process, for what a test cannot change in its own: the user (root reads
 * every folder) and PATH (which bwrap the sandbox probe finds). Prints `ready`, the engine's log,
 * notices and health as JSON lines in the order they happen; once a log line matches argv[3] (or
 * after 10 s), prints `end` with the engine's status and queue, and stops. With a file given, it
 * writes that file once ready (a change for the engine to take).
 * Usage: node --import tsx test/core/engine/lazy-start-child.ts <projectRoot> <regexp> [file]
 */
import { writeFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'

const print = (line: Record<string, unknown>) => writeSync(1, `${JSON.stringify(line)}\n`)
const [root, until, touch] = process.argv.slice(2) as [string, string, string | undefined]
const engine = new Orchestrator({
  config: loadConfig({
    dir: root,
    env: { ...process.env, AUTO_FIX_ENABLED: 'false', FILE_WATCH_DEBOUNCE_SECONDS: '0.1' },
  }),
})
let matched: () => void = () => undefined
const match = new Promise<void>((resolve) => (matched = resolve))
engine.log.subscribe((e) => {
  print({ type: 'log', level: e.level, source: e.source, message: e.message })
  if (new RegExp(until).test(e.message)) matched()
})
engine.on('ready', () => {
  print({ type: 'ready' })
  if (touch) writeFileSync(path.join(root, touch), `export const changed = ${Date.now()}\n`)
})
engine.on('notice', (n) => print({ type: 'notice', title: n.title }))
engine.on('health', (h) =>
  print({ type: 'health', sandbox: h.checks.find((c) => c.name === 'sandbox')?.detail }),
)
await engine.start()
const timer = setTimeout(matched, 10_000)
await match
clearTimeout(timer)
const snapshot = engine.snapshot()
print({ type: 'end', status: snapshot.status, pending: snapshot.queues.pending.length })
await engine.stop()
