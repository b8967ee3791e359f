import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  planNamedChecks,
  planRelatedChecks,
  planSuiteCheck,
} from '../../../src/main/core/checks/plan-checks'
import type { PlanOptions } from '../../../src/main/core/checks/plan-checks'
import { filesAt, indexedFiles } from '../../../src/main/core/checks/project-files'
import { listProjectFiles, skipsFolder } from '../../../src/main/core/checks/test-files'
import type { RunnerInfo, RunnerKind } from '../../../src/main/core/checks/types'
import { FileIndex } from '../../../src/main/core/watch/file-index'
import { createIgnoreMatcher } from '../../../src/main/core/watch/ignore-rules'
import { fixtureProject, tempDir } from './fixtures'

const indexes: FileIndex[] = []
afterEach(() => {
  for (const index of indexes.splice(0)) index.dispose()
})

function runner(kind: RunnerKind, root: string, extra: Partial<RunnerInfo> = {}): RunnerInfo {
  return {
    kind,
    root,
    exec: [`/bin/${kind}`],
    options: [],
    suiteArgs: [],
    env: {},
    template: kind === 'config' ? ['x', '--only', '{tests}'] : null,
    description: kind,
    ...extra,
  }
}

/** The engine's index of `root`, as the engine makes it: the project's ignore rules, walked. */
async function indexOf(root: string) {
  const index = new FileIndex({
    root,
    matcher: createIgnoreMatcher({ root }),
    skipFolder: skipsFolder,
  })
  indexes.push(index)
  const files = indexedFiles(index)
  await index.start()
  return { index, files }
}

function write(root: string, files: readonly string[]): void {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), '')
  }
}

/** Every file alone, and all of them together: the changes a plan is asked about. */
function changesOf(root: string): string[][] {
  const all = listProjectFiles(root)
  return [...all.map((f) => [f]), all, ['src/none-such.js'], ['README.md']]
}

const KINDS: RunnerKind[] = ['node', 'jest', 'vitest', 'config']

/** A tree with every layout the naming rules know, and the folders discovery passes over. */
const LAYOUTS = [
  'package.json',
  'src/cart.js',
  'src/cart.test.js',
  'src/cart.spec.ts',
  'src/pay/card.ts',
  'src/pay/__tests__/card.ts',
  'src/pay/refund.ts',
  'test/pay/refund.test.ts',
  'test/helpers.js',
  'test-ledger.js',
  'lib/deep/ledger.js',
  'tests/deep/ledger_test.js',
  'src/index.js',
  'test/index.test.js',
  'a b/"q".test.js',
  'a-c.test.js',
  'a/b.test.js',
  'src/types.d.ts',
  '.github/scripts/cart.test.js',
  'src/.cache/cart.test.js',
  'dist/cart.test.js',
  'build/cart.test.js',
  'coverage/cart.test.js',
  'packages/ui/test/button.test.js',
  'packages/ui/src/button.js',
  // Paired by stem alone, in walk order (x/ before x-y/, where plain string order has it after)
  'src/wallet.js',
  'x/wallet.test.js',
  'x-y/wallet.test.js',
]

describe('planning with the file index', () => {
  for (const fixture of ['node-basic', 'vitest-basic', 'npm-script', 'node-flaky']) {
    it(`chooses what the walk chooses, for every change and runner (fixture ${fixture})`, async () => {
      const root = fixtureProject(fixture)
      const { files } = await indexOf(root)
      for (const kind of KINDS)
        for (const changed of changesOf(root)) {
          const walked = planNamedChecks(root, runner(kind, root), changed)
          const indexed = planNamedChecks(root, runner(kind, root), changed, { index: files })
          expect(indexed, `${kind}: ${changed.join(', ')}`).toEqual(walked)
        }
    })
  }

  it('chooses what the walk chooses on every layout, dot folders and build output passed over', async () => {
    const root = tempDir()
    write(root, LAYOUTS)
    const { files } = await indexOf(root)
    const changes = [
      ...changesOf(root),
      ['src/cart.js', 'src/pay/card.ts', 'lib/deep/ledger.js'],
      ['src/pay/refund.ts', 'src/index.js'],
    ]
    for (const kind of KINDS)
      for (const changed of changes) {
        const walked = planNamedChecks(root, runner(kind, root), changed)
        const indexed = planNamedChecks(root, runner(kind, root), changed, { index: files })
        expect(indexed, `${kind}: ${changed.join(', ')}`).toEqual(walked)
      }
  })

  it("expands the node script's globs as the walk does", async () => {
    const root = tempDir()
    write(root, LAYOUTS)
    const { files } = await indexOf(root)
    const node = runner('node', root, {
      suiteArgs: ['test/**/*.test.ts', '**/*.test.js', './{src,lib}/*.js', 'other/'],
    })
    const walked = planSuiteCheck(node, 'suite')
    expect(planSuiteCheck(node, 'suite', { index: files })).toEqual(walked)
    // Asked again (the matches are kept): the same
    expect(planSuiteCheck(node, 'suite', { index: files })).toEqual(walked)
    expect(walked.command).toContain('a/b.test.js')
  })

  it('chooses without walking the tree: the index answers for it', async () => {
    const root = tempDir()
    write(root, LAYOUTS)
    const { files } = await indexOf(root)
    const before = planNamedChecks(root, runner('node', root), ['src/cart.js'])
    rmSync(path.join(root, 'test'), { recursive: true })
    rmSync(path.join(root, 'src'), { recursive: true })
    const after = planNamedChecks(root, runner('node', root), ['src/cart.js'], { index: files })
    expect(after).toEqual(before)
  })

  it('keeps up with a test created in the tree once the note is in', async () => {
    const root = fixtureProject('node-basic')
    const { index, files } = await indexOf(root)
    const options: PlanOptions = { index: files }
    const plan = () => planNamedChecks(root, runner('node', root), ['src/orphan.js'], options)
    expect(plan().selection).toEqual([{ file: '*', reason: 'fallback' }])
    write(root, ['test/orphan.test.js'])
    index.noteChanged(['test/orphan.test.js'])
    await files.settled()
    expect(plan().selection).toEqual([
      { file: 'test/orphan.test.js', reason: 'name', because: 'src/orphan.js' },
    ])
  })

  it('serves a copy of the tree (the shadow): the same choice as walking the copy', async () => {
    const root = fixtureProject('node-basic')
    const shadow = tempDir('fixloop-shadow-')
    cpSync(root, shadow, { recursive: true })
    const { files } = await indexOf(root)
    const index = filesAt(files, shadow)
    for (const changed of changesOf(shadow)) {
      const walked = planRelatedChecks(shadow, runner('node', shadow), changed)
      expect(planRelatedChecks(shadow, runner('node', shadow), changed, { index })).toEqual(walked)
    }
  })

  it('sees a test that only the copy has, when it is in the change (the fixer wrote it)', async () => {
    const root = fixtureProject('node-basic')
    const shadow = tempDir('fixloop-shadow-')
    cpSync(root, shadow, { recursive: true })
    const { files } = await indexOf(root)
    write(shadow, ['src/widget.js', 'test/widget.test.js'])
    rmSync(path.join(shadow, 'src/strings.test.js'))
    const index = filesAt(files, shadow)
    for (const changed of [
      ['src/widget.js', 'test/widget.test.js'],
      ['src/strings.js', 'src/strings.test.js'],
    ]) {
      const walked = planNamedChecks(shadow, runner('node', shadow), changed)
      expect(planNamedChecks(shadow, runner('node', shadow), changed, { index })).toEqual(walked)
    }
  })

  it('serves a runner rooted in a folder of the project (a monorepo package)', async () => {
    const root = tempDir()
    write(root, [...LAYOUTS, 'test/pkg/src/thing.js', 'test/pkg/thing.js'])
    const { files } = await indexOf(root)
    for (const folder of ['packages/ui', 'test/pkg']) {
      const sub = path.join(root, folder)
      for (const kind of KINDS)
        for (const changed of changesOf(sub)) {
          const walked = planNamedChecks(sub, runner(kind, sub), changed)
          const indexed = planNamedChecks(sub, runner(kind, sub), changed, { index: files })
          expect(indexed, `${folder} ${kind}: ${changed.join(', ')}`).toEqual(walked)
        }
      const globs = runner('node', sub, { suiteArgs: ['**/*.js'] })
      expect(planSuiteCheck(globs, 'suite', { index: files })).toEqual(planSuiteCheck(globs))
    }
  })

  it('walks, and says so, while the index is not ready or does not hold the runner', async () => {
    const root = fixtureProject('node-basic')
    const index = new FileIndex({ root, matcher: createIgnoreMatcher({ root }) })
    indexes.push(index)
    const files = indexedFiles(index)
    const said: string[] = []
    const options: PlanOptions = { index: files, debug: (m) => said.push(m) }
    const walked = planNamedChecks(root, runner('node', root), ['src/math.js'])
    expect(planNamedChecks(root, runner('node', root), ['src/math.js'], options)).toEqual(walked)
    expect(said).toEqual([`The file index is not ready yet: walking ${root} to choose tests`])
    await index.start()
    said.length = 0
    const elsewhere = fixtureProject('node-basic')
    planNamedChecks(elsewhere, runner('node', elsewhere), ['src/math.js'], options)
    expect(said).toEqual([
      `The file index of ${root} does not cover ${elsewhere}: walking it to choose tests`,
    ])
    said.length = 0
    planNamedChecks(root, runner('node', root), ['src/math.js'], options)
    expect(said).toEqual([])
  })

  it('leaves out what the project ignores, as the shadow does', async () => {
    const root = tempDir()
    write(root, ['src/gen.js', 'generated/gen.test.js', 'test/gen.test.js'])
    writeFileSync(path.join(root, '.gitignore'), 'generated/\n')
    const { files } = await indexOf(root)
    const plan = planNamedChecks(root, runner('node', root), ['src/gen.js'], { index: files })
    expect(plan.selection.map((s) => s.file)).toEqual(['test/gen.test.js'])
  })
})
