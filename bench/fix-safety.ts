/**
 * The safety layer of the fix pipeline, measured on real files in a temp dir:
 *
 * 1. Editor call latency: view, str_replace (journal write with fsync + atomic file write), create in
 *    a new directory, and a refused call (symlink / protected path), per call.
 * 2. Rollback of a task that touched FILES files (restore + delete), and the undo check.
 * 3. Unified diff of a 2,000-line file with scattered edits, and of two unrelated 10,000-line files
 *    (the work-capped path).
 * 4. Test-integrity assessment of a 500-line test file edit.
 *
 * Run: node --import tsx bench/fix-safety.ts [--calls 200] [--files 50]
 * Prints a table, then one JSON line. Measures; asserts nothing.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createSandboxedEditor } from '../src/main/core/fix/editor'
import { assessIntegrity } from '../src/main/core/fix/integrity'
import { Journal } from '../src/main/core/fix/journal'
import { unifiedDiff } from '../src/main/core/fix/diff'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const CALLS = flag('--calls', 200)
const FILES = flag('--files', 50)

interface Row {
  what: string
  n: number
  medianMs: number
  p95Ms: number
}

async function time(what: string, n: number, fn: (i: number) => Promise<unknown> | unknown) {
  const samples: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    samples.push(performance.now() - t)
  }
  samples.sort((a, b) => a - b)
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return { what, n, medianMs: round(at(0.5)), p95Ms: round(at(0.95)) }
}

const round = (n: number) => Math.round(n * 1000) / 1000

const source = (i: number) =>
  Array.from({ length: 200 }, (_, l) => `export const v${i}_${l} = ${l} // line ${l}`).join('\n') +
  '\n'

async function main() {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-bench-safety-')))
  const rows: Row[] = []
  try {
    await mkdir(join(root, 'src'))
    await mkdir(join(root, '.git'))
    for (let i = 0; i < FILES; i++) await writeFile(join(root, 'src', `f${i}.ts`), source(i))
    await symlink('/etc', join(root, 'etc-link'))

    const journal = await Journal.open(root, 'task_bench')
    const editor = createSandboxedEditor({ root, journal })
    rows.push(
      await time('editor view (200-line file)', CALLS, (i) =>
        editor.execute({ command: 'view', path: `src/f${i % FILES}.ts` }),
      ),
    )
    rows.push(
      await time('editor str_replace (journal fsync + atomic write)', CALLS, (i) =>
        editor.execute({
          command: 'str_replace',
          path: `src/f${i % FILES}.ts`,
          old_str: `= ${i % 200} // line ${i % 200}\n`,
          new_str: `= ${i % 200} // line ${i % 200} (edited)\n`,
        }),
      ),
    )
    rows.push(
      await time('editor create in a new directory', Math.min(CALLS, 100), (i) =>
        editor.execute({ command: 'create', path: `src/new${i}/x.ts`, file_text: 'export {}\n' }),
      ),
    )
    rows.push(
      await time('editor refused call (symlink / .git)', CALLS, (i) =>
        editor.execute({ command: 'view', path: i % 2 ? 'etc-link/passwd' : '.git/config' }),
      ),
    )
    const journalBytes = JSON.stringify(await Journal.list(root)).length
    rows.push(
      await time(`rollback of a task touching ${FILES + 100} files`, 1, () => journal.rollback()),
    )

    const undoJournal = await Journal.open(root, 'task_bench_undo')
    const undoEditor = createSandboxedEditor({ root, journal: undoJournal })
    for (let i = 0; i < FILES; i++) {
      await undoEditor.execute({
        command: 'insert',
        path: `src/f${i}.ts`,
        insert_line: 0,
        insert_text: '// x',
      })
    }
    await undoJournal.complete()
    rows.push(await time(`undo of a completed task (${FILES} files)`, 1, () => undoJournal.undo()))

    const big = Array.from({ length: 2000 }, (_, l) => `line ${l}`).join('\n') + '\n'
    const edited = big.replace(/line (\d*7)\n/g, 'LINE $1\n')
    rows.push(
      await time('unified diff, 2,000 lines, 200 scattered edits', 20, () =>
        unifiedDiff('f', big, edited),
      ),
    )
    const a = Array.from({ length: 10_000 }, (_, l) => `a ${l}`).join('\n')
    const b = Array.from({ length: 10_000 }, (_, l) => (l % 3 ? `b ${l}` : `a ${l}`)).join('\n')
    rows.push(
      await time('unified diff, 10,000 lines, 2/3 changed (work cap)', 5, () =>
        unifiedDiff('f', a, b),
      ),
    )

    const test = Array.from(
      { length: 100 },
      (_, t) =>
        `it('case ${t}', () => {\n  expect(f(${t})).toBe(${t})\n  expect(g(${t})).toBe(${t})\n})\n`,
    ).join('\n')
    const weakened = test
      .replace("it('case 50'", "it.skip('case 50'")
      .replace('  expect(g(7)).toBe(7)\n', '')
    rows.push(
      await time('integrity assessment, 500-line test file', 50, () =>
        assessIntegrity([{ path: 'test/x.test.ts', before: test, after: weakened }]),
      ),
    )

    console.log('| what | n | median ms | p95 ms |')
    console.log('|---|---:|---:|---:|')
    for (const r of rows) console.log(`| ${r.what} | ${r.n} | ${r.medianMs} | ${r.p95Ms} |`)
    console.log(`journal list JSON: ${journalBytes} bytes`)
    console.log(JSON.stringify({ bench: 'fix-safety', calls: CALLS, files: FILES, rows }))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

await main()
