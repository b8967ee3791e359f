/**
 * `npm run bench`: runs every benchmark in turn, each in its own process, and prints their tables.
 * Benchmarks measure and print; they assert nothing. Figures are kept in docs/benchmarks.md.
 *
 *   npm run bench                 all of them
 *   npm run bench -- state watch  only those named
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const ALL = [
  'state',
  'watch',
  'shadow',
  'checks',
  'selection',
  'warm-runner',
  'sandbox',
  'claude',
  'fix-safety',
  'apply',
  'escalation',
  'engine',
  'dashboard',
  'app',
  'fixrate',
  'crash',
  'start',
  'speed',
]
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const names = chosen.length ? chosen : ALL
const unknown = names.filter((n) => !ALL.includes(n))
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${ALL.join(', ')}`)
  process.exit(2)
}

let failed = 0
for (const name of names) {
  console.log(`\n=== bench/${name}.ts ===`)
  const started = Date.now()
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, `${name}.ts`)],
    {
      stdio: 'inherit',
      env: process.env,
    },
  )
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${r.status})`)
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
