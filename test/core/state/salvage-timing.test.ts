/**
 * Salvage must not slow a normal start: a valid file takes the fast path (one parse, one schema
 * check). Measures, and prints, what loading a maximum-size state costs with and without a salvage;
 * asserts only which path each file took.
 */
import { rm, writeFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { afterAll, describe, expect, it } from 'vitest'
import { loadStateFile } from '../../../src/main/core/state/load'
import { StateStore } from '../../../src/main/core/state'
import { NOW, clock } from './salvage-fixture'
import { maxSizeProject } from './max-state'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function time(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn() // warm up
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    samples.push(performance.now() - t)
  }
  return median(samples)
}

describe('loading a maximum-size state', () => {
  it(
    'takes the fast path when valid; prints the cost of each path',
    { timeout: 120_000 },
    async () => {
      const { dir, file, text } = await maxSizeProject()
      dirs.push(dir)
      const ctx = { projectRoot: dir, now: NOW }
      const raw = JSON.parse(text)
      const variants: [string, string, string][] = [['valid', text, 'current']]
      raw.queues.failed[0].priority = 'high'
      variants.push(['one bad field', JSON.stringify(raw), 'salvaged'])
      for (const q of ['completed', 'failed']) for (const t of raw.queues[q]) t.priority = 'high'
      variants.push(['every task damaged', JSON.stringify(raw), 'salvaged'])

      const rows: string[] = []
      for (const [name, content, kind] of variants) {
        await writeFile(file, content)
        expect((await loadStateFile(file, ctx)).kind).toBe(kind)
        const load = await time(15, () => loadStateFile(file, ctx))
        const open = await time(5, async () => {
          await writeFile(file, content)
          const store = await StateStore.open({ projectRoot: dir, clock })
          await store.close()
        })
        rows.push(
          `${name.padEnd(20)} load ${load.toFixed(1).padStart(6)} ms   open ${open.toFixed(1).padStart(6)} ms`,
        )
      }
      console.log(
        `state file ${(text.length / 1024).toFixed(0)} KiB, median of 15 loads, 5 opens:\n${rows.join('\n')}`,
      )
    },
  )
})
