import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pruneOrphanShadows } from '../../../src/main/core/shadow'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}
const shadowOf = (cache: string, name: string, projectRoot: string | null) => {
  const w0 = join(cache, 'shadows', name, 'w0')
  mkdirSync(w0, { recursive: true })
  if (projectRoot)
    writeFileSync(
      join(w0, 'meta.json'),
      JSON.stringify({ version: 1, projectRoot, createdAt: 't', syncedAt: 't' }),
    )
  return join(cache, 'shadows', name)
}

describe('pruneOrphanShadows', () => {
  it('removes the pools of projects that are gone and keeps the others', async () => {
    const cache = temp('fixloop-prune-cache-')
    const alive = temp('fixloop-prune-alive-')
    const gone = join(tmpdir(), 'fixloop-prune-gone-does-not-exist')
    const kept = shadowOf(cache, 'alive-1', alive)
    const orphan = shadowOf(cache, 'gone-1', gone)
    const unknown = shadowOf(cache, 'unknown-1', null)
    expect(await pruneOrphanShadows(cache)).toEqual([orphan])
    expect(existsSync(orphan)).toBe(false)
    expect(existsSync(kept)).toBe(true)
    expect(existsSync(unknown)).toBe(true)
  })

  it('does nothing when there is no cache yet', async () => {
    expect(await pruneOrphanShadows(join(tmpdir(), 'fixloop-no-cache-here'))).toEqual([])
  })
})
