/**
 * Fix rate: how many small real bugs Fixloop fixes end to end, and what each fix costs. Every
 * fixture in bench/fixtures/<name>/ is a correct plain-Node project (tests run by `node --test`), a
 * bug to inject into a temp copy of it (bug.json) and a scripted (hand-written, not recorded) fix conversation in the fix
 * agent's protocol (transcript.json: report_plan, the text editor, run_checks, search, finish).
 * The engine watches the copy, the bug is written, and the task it starts is followed until it
 * settles. A fixture counts as fixed when the task ended `fixed` AND the project's tests pass in
 * the user's tree afterwards. Per fixture: requests, input tokens (input + cache writes + cache
 * reads), uncached input tokens, output tokens, cost (from the task's usage) and wall time from
 * the bug being written to the task settling.
 *
 * Without ANTHROPIC_API_KEY the transcripts are replayed through the local fake of the Messages
 * API (turn k answers a request whose conversation holds k assistant messages); with it, the real
 * API answers through the engine's normal client and the transcripts are not used.
 *
 *   npm run bench -- fixrate
 *   node --import tsx bench/fixrate.ts [--only <name>] [--verbose] [--timeout <seconds>]
 *   node --import tsx bench/fixrate.ts --check    fixtures proven without the engine (see
 *                                                 fixrate-check.ts)
 *
 * Prints a table, a summary line, then one JSON line.
 */
import { runCheck } from './fixrate-check'
import type { FixtureRun } from './fixrate-engine'
import { loadFixtures } from './fixrate-fixtures'

const args = process.argv.slice(2)
const option = (name: string) => {
  const at = args.indexOf(name)
  return at >= 0 ? args[at + 1] : undefined
}
const fixtures = (() => {
  try {
    return loadFixtures(option('--only'))
  } catch (error) {
    console.error((error as Error).message)
    process.exit(2)
  }
})()

if (args.includes('--check')) process.exit(runCheck(fixtures) ? 0 : 1)

const realApi = Boolean(process.env.ANTHROPIC_API_KEY)
const timeoutMs = Number(option('--timeout') ?? (realApi ? 600 : 60)) * 1000
console.log(
  realApi
    ? `using the real Anthropic API (ANTHROPIC_API_KEY is set${process.env.ANTHROPIC_BASE_URL ? `, via ${process.env.ANTHROPIC_BASE_URL}` : ''}); transcripts not used`
    : "replaying the fixtures' scripted transcripts (no ANTHROPIC_API_KEY): this measures Fixloop's pipeline and token use, not Claude's skill",
)

// Loaded only here: --check proves the fixtures without the engine or the fake API.
const { runFixture } = await import('./fixrate-engine')
const { startFakeAnthropic } = await import('../test/support/fake-anthropic')
const api = realApi ? null : await startFakeAnthropic()
const runs: FixtureRun[] = []
try {
  for (const fixture of fixtures) {
    const run = await runFixture(fixture, { api, timeoutMs, verbose: args.includes('--verbose') })
    runs.push(run)
    console.log(`${run.fixed ? 'fixed ' : 'NOT fixed'} ${fixture.name} (${run.outcome})`)
  }
} finally {
  await api?.close()
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits
const replayNote = (r: FixtureRun) =>
  [
    r.legacyPlans ? `${r.legacyPlans} submit_plan` : '',
    r.pastEnd ? `${r.pastEnd} past end` : '',
    r.note,
  ]
    .filter(Boolean)
    .join('; ')
    .replace(/\|/g, '\\|')
    .slice(0, 160)

console.log(`\nFix rate per fixture (${realApi ? 'real API' : 'replayed transcripts, fake API'})\n`)
console.log(
  '| fixture | outcome | fixed | attempts | requests | input tok | uncached in (incl. cache writes) | output tok | cost USD | wall s | note |',
)
console.log('|---|---|:-:|---:|---:|---:|---:|---:|---:|---:|---|')
for (const r of runs) {
  console.log(
    `| ${r.fixture} | ${r.outcome} | ${r.fixed ? 'yes' : 'no'} | ${r.attempts} | ${r.requests} | ${r.inputTokens} | ${r.uncachedInputTokens} | ${r.outputTokens} | ${r.costUsd.toFixed(4)} | ${(r.wallMs / 1000).toFixed(1)} | ${replayNote(r)} |`,
  )
}

const fixed = runs.filter((r) => r.fixed)
const mean = (pick: (r: FixtureRun) => number) =>
  fixed.length ? fixed.reduce((sum, r) => sum + pick(r), 0) / fixed.length : NaN
const perFixed = {
  requests: round(
    mean((r) => r.requests),
    1,
  ),
  inputTokens: Math.round(mean((r) => r.inputTokens)),
  uncachedInputTokens: Math.round(mean((r) => r.uncachedInputTokens)),
  outputTokens: Math.round(mean((r) => r.outputTokens)),
  costUsd: round(
    mean((r) => r.costUsd),
    5,
  ),
  wallMs: Math.round(mean((r) => r.wallMs)),
}
const rate = runs.length ? fixed.length / runs.length : 0
console.log(
  `\nFix rate ${fixed.length}/${runs.length} (${Math.round(rate * 100)}%)` +
    (fixed.length
      ? `; per fixed task: ${perFixed.requests} requests, ${perFixed.inputTokens} input tokens ` +
        `(${perFixed.uncachedInputTokens} uncached), ${perFixed.outputTokens} output tokens, ` +
        `$${perFixed.costUsd.toFixed(4)}, ${(perFixed.wallMs / 1000).toFixed(1)} s`
      : ''),
)
console.log(
  JSON.stringify({
    bench: 'fixrate',
    mode: realApi ? 'api' : 'replay',
    node: process.version,
    fixtures: runs.length,
    fixed: fixed.length,
    fixRate: round(rate, 3),
    perFixed: fixed.length ? perFixed : null,
    runs: runs.map((r) => ({ ...r, wallMs: Math.round(r.wallMs), costUsd: round(r.costUsd, 6) })),
  }),
)
