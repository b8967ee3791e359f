/**
 * A real engine in its own process, for tests that kill it: runs an Orchestrator on argv[2] with the
 * environment it is given (fake API URL and key) and prints one JSON line per task update.
 * Usage: node --import tsx test/core/engine/engine-child.ts <projectRoot>
 */
import { writeSync } from 'node:fs'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'

const print = (line: Record<string, unknown>) => writeSync(1, `${JSON.stringify(line)}\n`)
const root = process.argv[2]
if (!root) throw new Error('usage: engine-child.ts <projectRoot>')
const engine = new Orchestrator({
  config: loadConfig({ dir: root, env: process.env }),
  random: () => 0,
})
engine.on('task_updated', (t) =>
  print({ type: 'task', id: t.id, phase: t.phase, status: t.status }),
)
engine.on('task_completed', (t) => print({ type: 'done', id: t.id, outcome: t.outcome }))
engine.on('task_failed', (t) => print({ type: 'done', id: t.id, outcome: t.outcome }))
await engine.start()
print({ type: 'ready' })
