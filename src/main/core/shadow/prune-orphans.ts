/**
 * Shadows of projects that are gone (a deleted checkout, a temp folder) would stay in the cache for
 * ever: each pool whose shadows all name a project folder that no longer exists is removed.
 */
import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { readMeta } from './shadow-meta'

/** Removes the orphaned pools under `<cacheDir>/shadows`; returns the folders removed. */
export async function pruneOrphanShadows(cacheDir: string): Promise<string[]> {
  const shadows = path.join(cacheDir, 'shadows')
  let pools: string[]
  try {
    pools = await readdir(shadows)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of pools) {
    const pool = path.join(shadows, name)
    let members: string[]
    try {
      members = (await readdir(pool)).filter((m) => /^w\d+$/.test(m))
    } catch {
      continue
    }
    const metas = members.map((m) => readMeta(path.join(pool, m, 'meta.json')))
    // Only a pool that says whose it is, and whose project is gone, is removed; anything else stays.
    if (metas.length === 0 || metas.some((m) => m === null || existsSync(m.projectRoot))) continue
    await rm(pool, { recursive: true, force: true })
    removed.push(pool)
  }
  return removed
}
