/**
 * Goal 6 (opt-in: `node --import tsx bench/speed.ts ready`): start → ready on a generated tree of
 * FILES files, 90 % of them under node_modules (as bench/watch.ts generates it), each start in a
 * fresh child process: raw @parcel/watcher.subscribe (node_modules, .git, .fixloop ignored), Fixloop's
 * Watcher (default ignores), and the whole engine (auto-fix off, no key: state, shadow workspace,
 * sandbox probe, watcher) until its `ready` event. The engine's shadow cache is kept across runs, so
 * its first run (the shadow copied) is shown apart from the others.
 *
 * bench/watch.ts has the watcher's ready time on the same kind of tree (both backends, with and
 * without node_modules) but not raw @parcel/watcher's; bench/start.ts has `fixloop watch` spawn →
 * ready on a three-file project.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchChild, childScript } from './speed-proc'
import { heading, median, ms, table } from './speed-report'

async function generateTree(root: string, files: number): Promise<void> {
  const sourceFiles = Math.round(files / 10)
  const jobs: [string, string][] = []
  for (let i = 0; i < sourceFiles; i++) {
    const dir = join(root, 'src', `m${i % 100}`)
    if (i < 100) mkdirSync(dir, { recursive: true })
    jobs.push([join(dir, `f${Math.floor(i / 100)}.js`), `export const v = ${i}\n`])
  }
  for (let i = 0; i < files - sourceFiles; i++) {
    const dir = join(root, 'node_modules', `pkg${Math.floor(i / 100)}`, i % 2 ? 'lib' : 'src')
    if (i % 100 < 2) mkdirSync(dir, { recursive: true })
    jobs.push([join(dir, `f${i % 100}.js`), `module.exports = ${i}\n`])
  }
  for (let start = 0; start < jobs.length; start += 512)
    await Promise.all(jobs.slice(start, start + 512).map(([f, text]) => writeFile(f, text)))
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'bench-tree', type: 'module', scripts: { test: 'node --test' } }),
  )
  writeFileSync(join(root, 'fixloop.config.json'), JSON.stringify({ autoFix: false }))
}

export async function readyBench(files: number, runs: number): Promise<unknown> {
  const root = join(import.meta.dirname, '.tmp', `speed-ready-tree-${process.pid}`)
  const cacheDir = mkdtempSync(join(tmpdir(), 'fixloop-bench-speed-cache-'))
  const script = await childScript()
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
  const results: Record<
    string,
    Array<{ startMs: number; sinceProcessStartMs: number; rssMb: number }>
  > = { parcel: [], watcher: [], engine: [] }
  try {
    await generateTree(root, files)
    for (let r = 0; r < runs + 1; r++)
      for (const mode of ['parcel', 'watcher', 'engine'] as const) {
        const child = BenchChild.start(script, { root, mode, cacheDir })
        try {
          const ready = await child.ready
          results[mode]?.push({
            startMs: ready.startMs,
            sinceProcessStartMs: ready.sinceProcessStartMs,
            rssMb: ready.rss / 1048576,
          })
        } finally {
          await child.stop()
        }
      }
  } finally {
    rmSync(root, { recursive: true, force: true })
    rmSync(cacheDir, { recursive: true, force: true })
  }
  heading(
    `Start → ready on ${files.toLocaleString('en')} files (goal 6)`,
    `${Math.round(files * 0.9).toLocaleString('en')} of them under node_modules; each start a fresh ` +
      `child process; medians of ${runs} runs after the first, which is shown apart (the engine ` +
      'copies its shadow workspace then).',
  )
  const names = {
    parcel: 'raw @parcel/watcher.subscribe',
    watcher: "Fixloop's Watcher.start()",
    engine: 'engine start() → ready',
  }
  console.log(
    table(
      ['what', 'start → ready', 'process start → ready', 'RSS at ready', 'first run'],
      (Object.keys(names) as Array<keyof typeof names>).map((mode) => {
        const [first, ...rest] = results[mode] ?? []
        return [
          names[mode],
          ms(median(rest.map((x) => x.startMs))),
          ms(median(rest.map((x) => x.sinceProcessStartMs))),
          `${median(rest.map((x) => x.rssMb)).toFixed(0)} MB`,
          first ? ms(first.startMs) : '–',
        ]
      }),
    ),
  )
  return Object.fromEntries(
    Object.entries(results).map(([k, v]) => [
      k,
      { readyMs: median(v.slice(1).map((x) => x.startMs)) },
    ]),
  )
}
