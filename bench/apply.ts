/**
 * Applying a verified fix to the user's tree (isolated fixing's apply step), on real files in a temp
 * dir. The fix touches 3 files of ~200 lines, one hunk each:
 *
 * 1. clean apply: every file still holds the fix's base (journal fsyncs + 3 atomic writes);
 * 2. apply with one merge: the user edited one of the files elsewhere since the fix was made;
 * 3. refused apply: the user's edit overlaps one file, so nothing is written;
 * 4. undo of the applied fix, for comparison;
 * 5. the disk's floor: one journal-sized write with fsync of the file and of its directory. An apply
 *    journals each file (one such write each, overlapped with the previous file's write) and then
 *    completes the journal (one more), so it cannot be faster than about three of these.
 *
 * Goal: apply of a verified 3-file fix ≤ 20 ms.
 *
 * Run: node --import tsx bench/apply.ts [--runs 50]
 * Prints a table, then one JSON line. Measures; asserts nothing.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { applyFix } from '../src/main/core/fix/apply-fix'
import { atomicWriteFile } from '../src/main/core/fix/atomic-file'
import { Journal } from '../src/main/core/fix/journal'
import type { StagedFix } from '../src/main/core/fix/staged-fix'
import { contentHash } from '../src/main/core/util/hash'
import { OwnWrites } from '../src/main/core/watch/own-writes'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const RUNS = flag('--runs', 50)
const WARMUP = 5
const GOAL_MS = 20
const JOURNAL_SIZED = 'x'.repeat(30_000)

const PATHS = ['src/sum.js', 'src/math/mean.js', 'test/sum.test.js']
const source = (f: number) =>
  Array.from({ length: 200 }, (_, l) => `export const v${f}_${l} = ${l} // line ${l}`).join('\n') +
  '\n'
const BASE = PATHS.map((_, f) => source(f))
// One hunk per file, in the middle
const FIXED = BASE.map((text, f) => text.replace(`v${f}_100 = 100`, `v${f}_100 = 100 + fix(${f})`))
// The user's edits of the first file: far from the fix's hunk (merges), and over it (conflicts)
const USER_ELSEWHERE = BASE[0]!.replace('v0_20 = 20', 'v0_20 = 2000')
const USER_OVERLAP = BASE[0]!.replace('v0_100 = 100', 'v0_100 = -100')

interface Row {
  what: string
  n: number
  medianMs: number
  p95Ms: number
}

const round = (n: number) => Math.round(n * 1000) / 1000

function summarize(what: string, samples: number[]): Row {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { what, n: sorted.length, medianMs: round(at(0.5)), p95Ms: round(at(0.95)) }
}

function fixFor(taskId: string): StagedFix {
  return {
    taskId,
    createdAt: new Date().toISOString(),
    files: PATHS.map((path, f) => ({
      path,
      baseHash: contentHash(BASE[f]!),
      baseContent: BASE[f]!,
      content: FIXED[f]!,
      mode: 0o644,
    })),
  }
}

async function main() {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-bench-apply-')))
  const ownWrites = new OwnWrites()
  const samples = { clean: [] as number[], merge: [] as number[], refused: [] as number[] }
  const undo: number[] = []
  const floor: number[] = []
  const reset = async (first: string) => {
    for (const [f, path] of PATHS.entries()) {
      await mkdir(join(root, path, '..'), { recursive: true })
      await writeFile(join(root, path), f === 0 ? first : BASE[f]!)
    }
  }
  try {
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const keep = i >= WARMUP
      for (const kind of ['clean', 'merge', 'refused'] as const) {
        await reset(kind === 'clean' ? BASE[0]! : kind === 'merge' ? USER_ELSEWHERE : USER_OVERLAP)
        const fix = fixFor(`task_bench_${kind}_${i}`)
        const started = performance.now()
        const report = await applyFix(root, fix, { ownWrites })
        const took = performance.now() - started
        if (report.ok !== (kind !== 'refused')) throw new Error(`unexpected: ${report.message}`)
        if (keep) samples[kind].push(took)
        if (kind === 'clean') {
          const journal = await Journal.open(root, fix.taskId, { ownWrites })
          const t = performance.now()
          const undone = await journal.undo()
          if (keep) undo.push(performance.now() - t)
          if (!undone.ok) throw new Error(`undo failed: ${undone.message}`)
          // Measured in the same conditions as the applies around it (the machine may be shared)
          const f = performance.now()
          await atomicWriteFile(join(root, '.fixloop', 'floor.json'), JOURNAL_SIZED, {
            syncDir: true,
          })
          if (keep) floor.push(performance.now() - f)
        }
      }
    }
    const rows = [
      summarize('apply, 3 files × 200 lines, clean', samples.clean),
      summarize('apply, 3 files, 1 merged with a user edit', samples.merge),
      summarize('refused apply (1 of 3 conflicts, nothing written)', samples.refused),
      summarize('undo of the applied 3-file fix', undo),
      summarize('disk floor: one 30 KB write, fsync + dir fsync', floor),
    ]
    console.log('| what | n | median ms | p95 ms |')
    console.log('|---|---:|---:|---:|')
    for (const r of rows) console.log(`| ${r.what} | ${r.n} | ${r.medianMs} | ${r.p95Ms} |`)
    console.log(`goal: apply of a verified 3-file fix ≤ ${GOAL_MS} ms`)
    console.log(JSON.stringify({ bench: 'apply', runs: RUNS, goalMs: GOAL_MS, rows }))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

await main()
