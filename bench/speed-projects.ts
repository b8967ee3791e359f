/**
 * The projects bench/speed.ts works on, and the fake Messages API's side of a fix.
 * - node: test/support/sample-project.ts (node's test runner, one module and its test), optionally
 *   with more copies of the module;
 * - vitest: five modules and their vitest tests — math.js imported by stats.js (a change to math.js
 *   relates two test files, for both tools), the same again as math2.js and stats2.js (so saves can
 *   alternate between two alike files), and text.js — and a vitest.config.mjs. Its `node_modules` is a
 *   real folder whose entries link to this repository's, so vitest resolves from the project while
 *   what vite and vitest write there (`.vite-temp`, where vite bundles the config) stays in the
 *   project; vitest's results cache is `.vitest-cache` (gitignored, so Fixloop does not watch it).
 *
 * `node_modules/.vite-temp` is made up front, as a first vitest run would leave it: Fixloop's shadow
 * makes that cache folder writable only when the project has it, and without it vite cannot bundle
 * the config in the sandbox (EROFS), so every check of a never-run project fails.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FakeAnthropic, Reply } from '../test/support/fake-anthropic'
import { callTools, say, toolUse } from '../test/support/fake-anthropic'
import {
  BROKEN_MATH,
  GOOD_MATH,
  MATH_TEST,
  createSampleProject,
  editReply,
  finishReply,
  isPlanRequest,
} from '../test/support/sample-project'

export { BROKEN_MATH, GOOD_MATH }

const REPO = join(import.meta.dirname, '..')

export interface BenchProject {
  root: string
  kind: 'node' | 'vitest'
  write(path: string, content: string): void
  read(path: string): string
  remove(): void
}

/** A fake API key in the shape the client accepts. */
export const BENCH_API_KEY = 'sk-ant-bench-0123456789'

/**
 * The node:test sample project; with `modules` > 1 also `src/math1.js` … and a test of each, so saves
 * can go round several files (a file saved again within the engine's burst hold waits it out).
 */
export function createNodeProject(prefix = 'fixloop-bench-speed-node-', modules = 1): BenchProject {
  const p = createSampleProject(prefix)
  for (let k = 1; k < modules; k++) {
    p.write(mathModule(k), GOOD_MATH)
    p.write(`test/math${k}.test.js`, MATH_TEST.replace('../src/math.js', `../${mathModule(k)}`))
  }
  return { root: p.root, kind: 'node', write: p.write, read: p.read, remove: p.remove }
}

/** `src/math.js`, then `src/math1.js`, `src/math2.js`… */
export const mathModule = (k: number) => (k === 0 ? 'src/math.js' : `src/math${k}.js`)

/** `src/math<n>.js`, `src/stats<n>.js` importing it, and their vitest tests. */
function mathPair(n: string): Record<string, string> {
  return {
    [`src/math${n}.js`]: GOOD_MATH,
    [`src/stats${n}.js`]:
      `import { add } from './math${n}.js'\n\n` +
      'export function sum(xs) {\n  return xs.reduce((s, x) => add(s, x), 0)\n}\n',
    [`test/math${n}.test.js`]:
      `import { expect, test } from 'vitest'\nimport { add, double } from '../src/math${n}.js'\n\n` +
      "test('add sums two numbers', () => {\n  expect(add(2, 3)).toBe(5)\n})\n\n" +
      "test('double doubles', () => {\n  expect(double(4)).toBe(8)\n})\n",
    [`test/stats${n}.test.js`]:
      `import { expect, test } from 'vitest'\nimport { sum } from '../src/stats${n}.js'\n\n` +
      "test('sum adds a list', () => {\n  expect(sum([1, 2, 3])).toBe(6)\n})\n",
  }
}

/** The two math modules of the vitest project: alike, each imported by its own stats module. */
export const VITEST_MODULES = ['src/math.js', 'src/math2.js'] as const

const VITEST_FILES: Record<string, string> = {
  'package.json': JSON.stringify(
    {
      name: 'sample-vitest',
      type: 'module',
      scripts: { test: 'vitest run' },
      devDependencies: { vitest: '*' },
    },
    null,
    2,
  ),
  '.gitignore': 'node_modules/\n.vitest-cache/\n',
  'vitest.config.mjs':
    "export default { cacheDir: '.vitest-cache', test: { include: ['test/**/*.test.js'] } }\n",
  ...mathPair(''),
  ...mathPair('2'),
  'src/text.js': 'export function shout(s) {\n  return `${s.toUpperCase()}!`\n}\n',
  'test/text.test.js':
    "import { expect, test } from 'vitest'\nimport { shout } from '../src/text.js'\n\n" +
    "test('shout', () => {\n  expect(shout('hi')).toBe('HI!')\n})\n",
}

export function createVitestProject(prefix = 'fixloop-bench-speed-vitest-'): BenchProject {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const write = (path: string, content: string) => {
    const abs = join(root, path)
    mkdirSync(join(abs, '..'), { recursive: true })
    writeFileSync(abs, content)
  }
  for (const [path, content] of Object.entries(VITEST_FILES)) write(path, content)
  linkNodeModules(root)
  return {
    root,
    kind: 'vitest',
    write,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}

/** `root/node_modules`: a real folder, each entry a link to this repository's (its caches left out). */
function linkNodeModules(root: string): void {
  // Its real path: the sandbox hides the temp folder, so links into it through another link fail.
  const from = realpathSync(join(REPO, 'node_modules'))
  const to = join(root, 'node_modules')
  mkdirSync(join(to, '.vite-temp'), { recursive: true })
  for (const name of readdirSync(from)) {
    if (name.startsWith('.') && name !== '.bin') continue
    symlinkSync(join(from, name), join(to, name), 'dir')
  }
}

/** A second project with the same files (for a tool that must not see the other's saves). */
export function copyProject(p: BenchProject, prefix: string): BenchProject {
  const root = mkdtempSync(join(tmpdir(), prefix))
  cpSync(p.root, root, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => !src.includes('.fixloop') && !src.includes('.vitest-cache'),
  })
  const write = (path: string, content: string) => writeFileSync(join(root, path), content)
  return {
    root,
    kind: p.kind,
    write,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}

export function writeConfig(p: BenchProject, settings: Record<string, unknown>): void {
  p.write('fixloop.config.json', JSON.stringify(settings, null, 2))
}

/** sample-project.ts's planReply, for any of the math modules. */
function planFor(path: string): Reply {
  return callTools(
    toolUse(
      {
        root_cause: 'add() subtracts instead of adding',
        files: [path],
        steps: ['Use + in add()'],
        risk: 'low',
        tests_look_wrong: false,
      },
      { name: 'report_plan' },
    ),
  )
}

/** What the fake agent does with a fix: the right edit, or one that leaves the tests red. */
export type AgentMode = 'fix' | 'break'

interface Body {
  messages?: Array<{ role: string; content: unknown }>
}

/** The name of the last tool the assistant called in this conversation, if any. */
function lastToolCalled(body: Body): string | null {
  for (const m of [...(body.messages ?? [])].reverse()) {
    if (m.role !== 'assistant' || !Array.isArray(m.content)) continue
    const uses = (m.content as Array<{ type: string; name?: string }>).filter(
      (b) => b.type === 'tool_use',
    )
    if (uses.length) return uses.at(-1)?.name ?? null
  }
  return null
}

/**
 * Scripts the fake as the agent protocol goes (sample-project.ts's replies): report_plan, then one
 * str_replace in the broken file (`target()`, src/math.js by default), then finish. A red round
 * comes back as finish's error result; the agent then gives up in words, so a `break` task ends after
 * its attempts.
 */
export function scriptAgent(
  fake: FakeAnthropic,
  mode: () => AgentMode,
  target: () => string = () => 'src/math.js',
): void {
  fake.respondWith((req): Reply => {
    const body = req.body as Body
    if (isPlanRequest(body)) return planFor(target())
    const last = lastToolCalled(body)
    if (last === 'report_plan')
      return editReply('a - b', mode() === 'fix' ? 'a + b' : 'a * b', target())
    if (last === 'finish') return say('I cannot fix this.')
    return finishReply()
  })
}
