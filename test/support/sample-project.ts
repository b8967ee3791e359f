/**
 * A small real project for engine tests: node's own test runner, one source file, one test file.
 * Nothing to install, so tests run offline.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { contentHash } from '../../src/main/core/util/hash'
import { callTools, toolUse } from './fake-anthropic'
import type { Reply } from './fake-anthropic'

export const GOOD_MATH = `export function add(a, b) {\n  return a + b\n}\n\nexport function double(n) {\n  return add(n, n)\n}\n`
export const BROKEN_MATH = GOOD_MATH.replace('a + b', 'a - b')

export const MATH_TEST = `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { add, double } from '../src/math.js'

test('add sums two numbers', () => {
  assert.equal(add(2, 3), 5)
})

test('double doubles', () => {
  assert.equal(double(4), 8)
})
`

export interface SampleProject {
  root: string
  write(path: string, content: string): void
  read(path: string): string
  /** A hash of every file outside .fixloop, to prove a tree is byte-identical. */
  treeHash(): string
  remove(): void
}

export function createSampleProject(prefix = 'fixloop-sample-'): SampleProject {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const write = (path: string, content: string) => {
    const abs = join(root, path)
    mkdirSync(join(abs, '..'), { recursive: true })
    writeFileSync(abs, content)
  }
  write(
    'package.json',
    JSON.stringify({ name: 'sample', type: 'module', scripts: { test: 'node --test' } }, null, 2),
  )
  write('src/math.js', GOOD_MATH)
  write('test/math.test.js', MATH_TEST)
  return {
    root,
    write,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    treeHash: () => {
      const lines: string[] = []
      const walk = (dir: string) => {
        for (const name of readdirSync(dir).sort()) {
          const abs = join(dir, name)
          if (name === '.fixloop') continue
          if (statSync(abs).isDirectory()) walk(abs)
          else lines.push(`${relative(root, abs)} ${contentHash(readFileSync(abs))}`)
        }
      }
      walk(root)
      return contentHash(lines.join('\n'))
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}

// ── Claude's side for the sample project, as the fake Messages API should answer ──────────────────

/** The agent's first turn for the sample project's bug: its strategy, through report_plan. */
export function planReply(): Reply {
  return callTools(
    toolUse(
      {
        root_cause: 'add() subtracts instead of adding',
        files: ['src/math.js'],
        steps: ['Use + in add()'],
        risk: 'low',
        tests_look_wrong: false,
      },
      { name: 'report_plan' },
    ),
  )
}

/** The agent's finish call, ending a round. */
export function finishReply(summary = 'Fixed add() to use +.'): Reply {
  return callTools(
    toolUse(
      { root_cause: 'add() subtracts instead of adding', summary, tests_look_wrong: false },
      { name: 'finish' },
    ),
  )
}

/** One `str_replace` by the fixer. */
export function editReply(oldStr: string, newStr: string, path = 'src/math.js'): Reply {
  return callTools(toolUse({ command: 'str_replace', path, old_str: oldStr, new_str: newStr }))
}

/** Whether a logged request opens a fix conversation (the agent's first turn, where it plans). */
export function isPlanRequest(body: unknown): boolean {
  const b = body as { tools?: { name: string }[]; messages?: unknown[] }
  return Boolean(b.tools?.some((t) => t.name === 'report_plan') && b.messages?.length === 1)
}
