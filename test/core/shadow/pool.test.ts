import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ShadowError } from '../../../src/main/core/shadow'
import { filesUnder, shadowFixture } from './support/shadow-project'
import type { ShadowFixture } from './support/shadow-project'

const fixtures: ShadowFixture[] = []
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()))
})

function fixture() {
  const f = shadowFixture({ 'a.ts': 'a\n', 'b.ts': 'b\n' })
  fixtures.push(f)
  return f
}

describe('ShadowPool concurrency', () => {
  it('gives two leases at once two different shadows, each a full mirror with its own temp folder', async () => {
    const f = fixture()
    const pool = f.pool()
    await pool.prepare()
    const [one, two] = await Promise.all([pool.lease(['a.ts']), pool.lease(['b.ts'])])
    expect(one.root).not.toBe(two.root)
    expect(one.tmpDir).not.toBe(two.tmpDir)
    expect([one.root, two.root].map((r) => path.relative(pool.dir, r)).sort()).toEqual([
      path.join('w0', 'root'),
      path.join('w1', 'root'),
    ])
    expect(filesUnder(two.root)).toEqual({ 'a.ts': 'a\n', 'b.ts': 'b\n' })
    await Promise.all([one.release(), two.release()])
  })

  it('reuses a released shadow for the next lease instead of making a third', async () => {
    const f = fixture()
    const pool = f.pool()
    const one = await pool.lease([])
    const two = await pool.lease([])
    await one.release()
    const three = await pool.lease([])
    expect(three.root).toBe(one.root)
    expect(pool.size).toBe(2)
    await Promise.all([two.release(), three.release()])
  })

  it('applies a note to every shadow, the leased one at its release', async () => {
    const f = fixture()
    const pool = f.pool()
    const one = await pool.lease([])
    const two = await pool.lease([])
    await two.release()
    f.write('a.ts', 'changed\n')
    pool.noteChanged(['a.ts'])
    expect(readFileSync(path.join(one.root, 'a.ts'), 'utf8')).toBe('a\n')
    const again = await pool.lease([])
    expect(again.root).toBe(two.root)
    expect(readFileSync(path.join(again.root, 'a.ts'), 'utf8')).toBe('changed\n')
    await one.release()
    expect(readFileSync(path.join(one.root, 'a.ts'), 'utf8')).toBe('changed\n')
    await again.release()
  })

  it('never lets two leases of one shadow overlap: past maxShadows a lease waits for a release', async () => {
    const f = fixture()
    const pool = f.pool({ maxShadows: 1 })
    const first = await pool.lease([])
    let second: Awaited<ReturnType<typeof pool.lease>> | null = null
    const waiting = pool.lease([]).then((lease) => (second = lease))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(second).toBeNull()
    await first.release()
    await waiting
    expect(second).not.toBeNull()
    expect(second!.root).toBe(first.root)
    await second!.release()
  })

  it('makes the first lease wait for a prepare under way rather than build a second shadow', async () => {
    const f = fixture()
    const pool = f.pool()
    const preparing = pool.prepare()
    const lease = await pool.lease(['a.ts'])
    await preparing
    expect(pool.size).toBe(1)
    expect(lease.synced).toBe(0)
    await lease.release()
  })

  it('refuses new work after dispose, and a release after it is a no-op', async () => {
    const f = fixture()
    const pool = f.pool()
    const lease = await pool.lease([])
    await pool.dispose()
    await expect(pool.lease([])).rejects.toThrow(ShadowError)
    await expect(lease.release()).resolves.toMatchObject({ copied: 0, removed: 0 })
  })
})
