/**
 * Related run vs whole suite, on a generated project of TEST_FILES node:test files (and, with
 * --vitest, the same project run through vitest with the repository's own install).
 *
 *   node --import tsx bench/checks.ts [--files 120] [--runs 3] [--suite-runs 1] [--vitest]
 *
 * Prints a table and one JSON line. Measures; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { detectRunner } from '../src/main/core/checks/detect-runner'
import { planRelatedChecks, planSuiteCheck } from '../src/main/core/checks/plan-checks'
import { runCheck } from '../src/main/core/checks/run-check'
import { runDetection } from '../src/main/core/checks/detection'
import type { RunnerInfo } from '../src/main/core/checks/types'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const TEST_FILES = flag('--files', 120)
const RUNS = flag('--runs', 3)
const SUITE_RUNS = flag('--suite-runs', 1)
const WITH_VITEST = args.includes('--vitest')
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function generate(kind: 'node' | 'vitest'): string {
  const root = mkdtempSync(path.join(os.tmpdir(), `fixloop-bench-checks-${kind}-`))
  mkdirSync(path.join(root, 'src'))
  mkdirSync(path.join(root, 'test'))
  const pkg =
    kind === 'node'
      ? { type: 'module', scripts: { test: 'node --test' } }
      : { type: 'module', scripts: { test: 'vitest run' }, devDependencies: { vitest: '*' } }
  writeFileSync(path.join(root, 'package.json'), JSON.stringify(pkg))
  if (kind === 'vitest') {
    symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir')
    writeFileSync(
      path.join(root, 'vitest.config.mjs'),
      "export default { cacheDir: '.vitest-cache', test: { include: ['test/**/*.test.js'] } }\n",
    )
  }
  writeFileSync(path.join(root, 'src/core.js'), 'export const scale = (n) => n * 2\n')
  const api =
    kind === 'node'
      ? "import { test } from 'node:test'\nimport assert from 'node:assert/strict'"
      : "import { test, expect } from 'vitest'"
  for (let i = 0; i < TEST_FILES; i++) {
    const id = String(i).padStart(3, '0')
    // Every tenth module builds on core.js, so the graph of core.js reaches a tenth of the tests.
    const body =
      i % 10 === 0
        ? "import { scale } from './core.js'\nexport const f = (n) => scale(n) + 1\n"
        : 'export const f = (n) => n * 2 + 1\n'
    writeFileSync(path.join(root, `src/mod-${id}.js`), body)
    const tests = Array.from({ length: 5 }, (_, t) => {
      const check =
        kind === 'node'
          ? `assert.equal(f(${t}), ${2 * t + 1})`
          : `expect(f(${t})).toBe(${2 * t + 1})`
      return `test('f(${t})', () => { let s = 0; for (let k = 0; k < 5e4; k++) s += k; ${check} })`
    })
    writeFileSync(
      path.join(root, `test/mod-${id}.test.js`),
      `${api}\nimport { f } from '../src/mod-${id}.js'\n${tests.join('\n')}\n`,
    )
  }
  return root
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

async function timeRuns(
  runs: number,
  fn: () => Promise<boolean>,
): Promise<{ ms: number; ok: boolean }> {
  const times: number[] = []
  let ok = true
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    ok = (await fn()) && ok
    times.push(performance.now() - t)
  }
  return { ms: Math.round(median(times)), ok }
}

interface Row {
  runner: string
  case: string
  tests: string
  medianMs: number
  ok: boolean
}

async function bench(kind: 'node' | 'vitest', rows: Row[]) {
  const root = generate(kind)
  try {
    const runner: RunnerInfo = detectRunner(root, { testCommand: null })
    const plan = await timeRuns(
      RUNS,
      async () => planRelatedChecks(root, runner, ['src/mod-042.js']).checks.length === 1,
    )
    rows.push({
      runner: kind,
      case: 'plan (walk + select)',
      tests: '-',
      medianMs: plan.ms,
      ok: plan.ok,
    })
    let selected = 0
    const one = await timeRuns(RUNS, async () => {
      const result = await runDetection(runner, ['src/mod-042.js'])
      selected = result.selection.length
      return result.verdict === 'green'
    })
    rows.push({
      runner: kind,
      case: 'related: 1 leaf module changed',
      tests: `${selected} file`,
      medianMs: one.ms,
      ok: one.ok,
    })
    if (kind === 'vitest') {
      let wide = 0
      const shared = await timeRuns(1, async () => {
        const result = await runDetection(runner, ['src/core.js'])
        wide = result.selection.length
        return result.verdict === 'green'
      })
      rows.push({
        runner: kind,
        case: 'related: core.js (graph)',
        tests: `${wide} files`,
        medianMs: shared.ms,
        ok: shared.ok,
      })
    }
    const suite = await timeRuns(
      SUITE_RUNS,
      async () => (await runCheck(planSuiteCheck(runner))).passed,
    )
    rows.push({
      runner: kind,
      case: 'whole suite',
      tests: `${TEST_FILES} files`,
      medianMs: suite.ms,
      ok: suite.ok,
    })
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

const rows: Row[] = []
await bench('node', rows)
if (WITH_VITEST) await bench('vitest', rows)

const pad = (s: string, n: number) => s.padEnd(n)
console.log(
  `checks bench: ${TEST_FILES} test files x 5 tests, median of ${RUNS} runs (suite: ${SUITE_RUNS}), ${os.cpus().length} CPUs, node ${process.version}`,
)
console.log(
  `${pad('runner', 8)} ${pad('case', 34)} ${pad('tests', 10)} ${'median ms'.padStart(10)}  ok`,
)
for (const r of rows)
  console.log(
    `${pad(r.runner, 8)} ${pad(r.case, 34)} ${pad(r.tests, 10)} ${String(r.medianMs).padStart(10)}  ${r.ok ? 'yes' : 'NO'}`,
  )
for (const kind of ['node', 'vitest']) {
  const rel = rows.find((r) => r.runner === kind && r.case.startsWith('related: 1'))
  const suite = rows.find((r) => r.runner === kind && r.case === 'whole suite')
  if (rel && suite)
    console.log(
      `${kind}: related run is ${(suite.medianMs / rel.medianMs).toFixed(1)}x faster than the whole suite`,
    )
}
console.log(
  JSON.stringify({
    bench: 'checks',
    testFiles: TEST_FILES,
    runs: RUNS,
    cpus: os.cpus().length,
    load1: Number((os.loadavg()[0] ?? 0).toFixed(1)),
    node: process.version,
    rows,
  }),
)
