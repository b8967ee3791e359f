/**
 * Cold vs warm test runners: the same related check (a save of a module two test files import)
 * run as a process of its own each time, and through a warm runner (one vitest instance, or one
 * loaded jest, kept alive), on a small project in a shadow workspace lease, in the OS sandbox when
 * there is one, as the engine runs its checks. Every run follows an edit of the module, so the warm runner's cache
 * invalidation is part of what is timed.
 *
 *   node --import tsx bench/warm-runner.ts [--runs 10] [--no-sandbox] [--jest <dir>]
 *
 * jest is not a dependency of this repository: `--jest` names a folder where it is installed
 * (`npm install jest` in a temp folder), and the same check is measured with jest too.
 *
 * Prints a table and one JSON line. Measures; asserts nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { detectRunner } from '../src/main/core/checks/detect-runner'
import { planRelatedChecks } from '../src/main/core/checks/plan-checks'
import { rebaseRunner } from '../src/main/core/checks/rebase-runner'
import { executeCheck } from '../src/main/core/checks/run-check'
import type { PlannedCheck } from '../src/main/core/checks/types'
import { WarmRunners } from '../src/main/core/checks/warm'
import { ringIn } from '../src/main/core/engine/pipeline/ring'
import type { CheckSandbox } from '../src/main/core/engine/pipeline/ports'
import { createSandbox } from '../src/main/core/sandbox'
import { ShadowPool } from '../src/main/core/shadow'
import { createIgnoreMatcher } from '../src/main/core/watch/ignore-rules'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const RUNS = flag('--runs', 10)
const SANDBOX = !args.includes('--no-sandbox')
/** A folder with jest installed (`npm install jest` in a temp folder): jest is measured too. */
const JEST_DIR = args.includes('--jest') ? (args[args.indexOf('--jest') + 1] ?? '') : ''
const REPO = path.join(import.meta.dirname, '..')

type Kind = 'vitest' | 'jest'

const test = (kind: Kind, name: string, from: string, expr: string, value: string) =>
  kind === 'vitest'
    ? `import { expect, test } from 'vitest'\nimport { ${name} } from '../src/${from}.js'\ntest('${name}', () => expect(${expr}).toBe(${value}))\n`
    : `const { ${name} } = require('../src/${from}.js')\ntest('${name}', () => expect(${expr}).toBe(${value}))\n`

function files(kind: Kind): Record<string, string> {
  const esm = kind === 'vitest'
  return {
    'package.json': JSON.stringify({
      ...(esm ? { type: 'module' } : {}),
      scripts: { test: esm ? 'vitest run' : 'jest' },
    }),
    '.gitignore': 'node_modules/\n.vitest-cache/\n',
    ...(esm
      ? {
          'vitest.config.mjs':
            "export default { cacheDir: '.vitest-cache', test: { include: ['test/**/*.test.js'] } }\n",
        }
      : {}),
    'src/stats.js': esm
      ? "import { add } from './math.js'\nexport const sum = (xs) => xs.reduce((s, x) => add(s, x), 0)\n"
      : "const { add } = require('./math.js')\nexports.sum = (xs) => xs.reduce((s, x) => add(s, x), 0)\n",
    'src/text.js': esm
      ? 'export const shout = (s) => `${s.toUpperCase()}!`\n'
      : 'exports.shout = (s) => `${s.toUpperCase()}!`\n',
    'test/math.test.js': test(kind, 'add', 'math', 'add(2, 3)', '5'),
    'test/stats.test.js': test(kind, 'sum', 'stats', 'sum([1, 2, 3])', '6'),
    'test/text.test.js': test(kind, 'shout', 'text', "shout('a')", "'A!'"),
  }
}
const math = (kind: Kind, n: number) =>
  `// save ${n}\n${kind === 'vitest' ? 'export const add =' : 'exports.add ='} (a, b) => a + b\n`

function project(kind: Kind, modulesFrom: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), `fixloop-bench-warm-${kind}-`))
  for (const [rel, text] of Object.entries({ ...files(kind), 'src/math.js': math(kind, 0) })) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    writeFileSync(path.join(root, rel), text)
  }
  // As an install leaves it: a real folder of links, with vite's config cache folder made.
  const modules = path.join(root, 'node_modules')
  mkdirSync(path.join(modules, '.vite-temp'), { recursive: true })
  for (const entry of readdirSync(modulesFrom))
    if (!entry.startsWith('.') || entry === '.bin')
      symlinkSync(path.join(modulesFrom, entry), path.join(modules, entry))
  return root
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
}
const round = (n: number) => Math.round(n)

const box = SANDBOX ? await createSandbox({ mode: 'auto' }) : null
const boxed = box?.status.active ? box : null

interface Measured {
  kind: Kind
  cold: number[]
  warm: number[]
  first: number
  allPassed: boolean
}

/** RUNS saves of math.js, each followed by its related check in a lease, cold and warm in turn. */
async function measure(kind: Kind, modulesFrom: string): Promise<Measured> {
  const root = project(kind, modulesFrom)
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'fixloop-bench-warm-cache-'))
  const pool = ShadowPool.open({
    projectRoot: root,
    ignore: createIgnoreMatcher({ root }),
    cacheDir,
  })
  const sandbox: CheckSandbox | null = boxed
    ? {
        wrap: (argv, spec) =>
          // The project stays visible (as isolation.ts has it), and so does where its links point.
          boxed.wrap(argv, { ...spec, readable: [...(spec.readable ?? []), root, modulesFrom] }),
      }
    : null
  const warm = new WarmRunners({
    log: (level, message) => level !== 'debug' && console.log(message),
  })
  const runner = detectRunner(root, { testCommand: null })
  let saves = 0
  const related = async (useWarm: boolean) => {
    writeFileSync(path.join(root, 'src/math.js'), math(kind, ++saves))
    const lease = await pool.lease(['src/math.js'])
    try {
      const shadowRunner = rebaseRunner(runner, lease.root)
      const planned = planRelatedChecks(lease.root, shadowRunner, ['src/math.js'])
        .checks[0] as PlannedCheck
      const ring = ringIn(lease, sandbox, process.env, undefined, useWarm ? warm : null)
      const t = performance.now()
      const run = await executeCheck(planned, ring)
      const ms = performance.now() - t
      if (run.testFiles?.length !== 2)
        console.log(
          `${kind}: unexpected selection ${run.testFiles}: ${run.result.output.slice(0, 300)}`,
        )
      return { ms, passed: run.result.passed }
    } finally {
      await lease.release()
    }
  }
  const out: Measured = { kind, cold: [], warm: [], first: NaN, allPassed: true }
  try {
    await related(false) // the page cache and the shadow's first sync, for both
    for (let i = 0; i < RUNS; i++) {
      const c = await related(false)
      const w = await related(true)
      out.cold.push(c.ms)
      if (i === 0) out.first = w.ms
      else out.warm.push(w.ms)
      out.allPassed &&= c.passed && w.passed
    }
  } finally {
    await warm.dispose()
    await pool.dispose()
    rmSync(root, { recursive: true, force: true })
    rmSync(cacheDir, { recursive: true, force: true })
  }
  return out
}

const results = [await measure('vitest', path.join(REPO, 'node_modules'))]
if (JEST_DIR) results.push(await measure('jest', path.join(JEST_DIR, 'node_modules')))

const load1 = Number((os.loadavg()[0] ?? 0).toFixed(1))
console.log(
  `warm-runner bench: a related check after a save, ${RUNS} runs each, cold and warm in turn, ` +
    `${boxed ? 'in bwrap' : 'unsandboxed'}; ${os.cpus().length} CPUs, load ${load1}, node ${process.version}`,
)
console.log(`${'run'.padEnd(36)} ${'p50'.padStart(7)} ${'p95'.padStart(7)}  (ms)`)
const row = (label: string, p50: number, p95: number) =>
  console.log(
    `${label.padEnd(36)} ${String(round(p50)).padStart(7)} ${String(round(p95)).padStart(7)}`,
  )
for (const r of results) {
  row(`${r.kind} cold (a process per check)`, quantile(r.cold, 0.5), quantile(r.cold, 0.95))
  row(`${r.kind} warm, first (starts the runner)`, r.first, r.first)
  row(`${r.kind} warm, later`, quantile(r.warm, 0.5), quantile(r.warm, 0.95))
  console.log(
    `${r.kind}: saved per related run (p50) ${round(quantile(r.cold, 0.5) - quantile(r.warm, 0.5))} ms; a save-to-fixed task runs ~5 such checks`,
  )
  if (!r.allPassed) console.log(`note: some ${r.kind} runs were red; the figures still time them`)
}
if (!JEST_DIR) console.log('jest not measured: pass --jest <folder with jest installed>')
if (load1 > os.cpus().length / 2)
  console.log(`note: load ${load1} on ${os.cpus().length} CPUs; figures are noisy`)
console.log(
  JSON.stringify({
    bench: 'warm-runner',
    runs: RUNS,
    sandbox: boxed ? boxed.status.kind : 'none',
    cpus: os.cpus().length,
    load1,
    node: process.version,
    results: results.map((r) => ({
      kind: r.kind,
      coldP50Ms: round(quantile(r.cold, 0.5)),
      coldP95Ms: round(quantile(r.cold, 0.95)),
      warmFirstMs: round(r.first),
      warmP50Ms: round(quantile(r.warm, 0.5)),
      warmP95Ms: round(quantile(r.warm, 0.95)),
    })),
  }),
)
