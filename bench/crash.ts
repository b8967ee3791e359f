/**
 * Crash safety at scale: the state store's kill test (test/core/state/crash-safety.test.ts: a child
 * applying queue transitions as fast as it can, SIGKILLed at random moments, each kill checked for
 * lost or duplicated tasks and a clean takeover) run with 200 kills instead of the suite's 50.
 *
 * Run: node --import tsx bench/crash.ts [--kills 200]
 * Prints the test's figures, then one JSON line. A failed check fails the run (it is a safety
 * figure: anything lost must be seen), unlike the timing benches.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const at = process.argv.indexOf('--kills')
const kills = at > 0 ? Number(process.argv[at + 1]) : 200
const root = join(import.meta.dirname, '..')
const started = Date.now()
const r = spawnSync(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/core/state/crash-safety.test.ts'],
  {
    cwd: root,
    env: { ...process.env, FIXLOOP_CRASH_KILLS: String(kills), FORCE_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  },
)
const wallMs = Date.now() - started
const output = `${r.stdout}\n${r.stderr}`
const line =
  /crash safety: (\d+) kills, (\d+) completed writes, (\d+) kills after an announced write reached the disk, (\d+) before the first write/.exec(
    output,
  )
const passed = r.status === 0
console.log(line ? line[0] : '(the test printed no figures)')
console.log(
  `${passed ? 'no task lost or duplicated' : 'FAILED — see the output below'}; ${(wallMs / 1000).toFixed(1)} s`,
)
if (!passed) console.log(output.slice(-4000))
console.log(
  JSON.stringify({
    bench: 'crash',
    node: process.version,
    kills: line ? Number(line[1]) : null,
    completedWrites: line ? Number(line[2]) : null,
    inFlightLanded: line ? Number(line[3]) : null,
    beforeFirstWrite: line ? Number(line[4]) : null,
    lost: passed ? 0 : null,
    passed,
    wallMs,
  }),
)
process.exit(passed ? 0 : 1)
