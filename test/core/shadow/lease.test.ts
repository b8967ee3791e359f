import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { filesUnder, shadowFixture } from './support/shadow-project'
import type { ShadowFixture } from './support/shadow-project'

const fixtures: ShadowFixture[] = []
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()))
})

async function prepared(files: Record<string, string>) {
  const f = shadowFixture(files)
  fixtures.push(f)
  const pool = f.pool()
  await pool.prepare()
  return { f, pool }
}

describe('ShadowPool.lease', () => {
  it('brings over what was noted: a changed, a new and a deleted file', async () => {
    const { f, pool } = await prepared({ 'a.ts': 'a1\n', 'b.ts': 'b1\n', 'old/c.ts': 'c\n' })
    f.write('a.ts', 'a2, longer\n')
    f.write('new/deep/d.ts', 'd\n')
    rmSync(f.file('old/c.ts'))
    pool.noteChanged(['a.ts', 'new/deep/d.ts', 'old/c.ts'])
    const lease = await pool.lease([])
    expect(filesUnder(lease.root)).toEqual({
      'a.ts': 'a2, longer\n',
      'b.ts': 'b1\n',
      'new/deep/d.ts': 'd\n',
    })
    expect(lease.synced).toBe(3)
    await lease.release()
  })

  it('catches a task file changed without a note, even with the same size and mtime', async () => {
    const { f, pool } = await prepared({ 'a.ts': 'aaaa\n', 'b.ts': 'bbbb\n' })
    const before = statSync(f.file('a.ts'))
    writeFileSync(f.file('a.ts'), 'AAAA\n')
    utimesSync(f.file('a.ts'), before.atime, before.mtime)
    const lease = await pool.lease(['a.ts'])
    expect(readFileSync(path.join(lease.root, 'a.ts'), 'utf8')).toBe('AAAA\n')
    expect(lease.synced).toBe(1)
    await lease.release()
  })

  it('takes a note given as an absolute path or with backslashes, and drops one outside the project', async () => {
    const { f, pool } = await prepared({ 'src/a.ts': '1\n' })
    f.write('src/a.ts', '22\n')
    f.write('src/b.ts', 'b\n')
    pool.noteChanged([f.file('src/a.ts'), 'src\\b.ts', '../outside.ts', f.base])
    const lease = await pool.lease([])
    expect(filesUnder(lease.root)).toEqual({ 'src/a.ts': '22\n', 'src/b.ts': 'b\n' })
    await lease.release()
  })

  it('mirrors a folder that replaced a file, and a file that replaced a folder', async () => {
    const { f, pool } = await prepared({ 'x/inner.ts': 'i\n', 'y.ts': 'y\n' })
    rmSync(f.file('x'), { recursive: true })
    f.write('x', 'now a file\n')
    rmSync(f.file('y.ts'))
    f.write('y.ts/z.ts', 'now a folder\n')
    pool.noteChanged(['x/inner.ts', 'x', 'y.ts/z.ts'])
    const lease = await pool.lease([])
    expect(filesUnder(lease.root)).toEqual({ x: 'now a file\n', 'y.ts/z.ts': 'now a folder\n' })
    await lease.release()
  })

  it('does a full reconcile after invalidate, catching changes nobody noted', async () => {
    const { f, pool } = await prepared({ 'a.ts': 'a\n', 'gone.ts': 'g\n' })
    f.write('unnoted.ts', 'u\n')
    rmSync(f.file('gone.ts'))
    pool.invalidate('the watcher overflowed')
    const lease = await pool.lease([])
    expect(filesUnder(lease.root)).toEqual({ 'a.ts': 'a\n', 'unnoted.ts': 'u\n' })
    await lease.release()
  })

  it('brings over a package installed in the project since the last sync', async () => {
    const { f, pool } = await prepared({
      'a.ts': 'a\n',
      'node_modules/old/index.js': 'old\n',
      'node_modules/@s/one/index.js': 'one\n',
    })
    f.write('node_modules/fresh/index.js', 'fresh\n')
    f.write('node_modules/@s/two/index.js', 'two\n')
    rmSync(f.file('node_modules/old'), { recursive: true })
    // The watcher ignores node_modules: no note
    const lease = await pool.lease([])
    const resolved = (rel: string) => readFileSync(path.join(lease.root, rel), 'utf8')
    expect(resolved('node_modules/fresh/index.js')).toBe('fresh\n')
    expect(resolved('node_modules/@s/two/index.js')).toBe('two\n')
    expect(() => statSync(path.join(lease.root, 'node_modules/old'))).toThrow(/ENOENT/)
    await lease.release()
  })

  it('stops mirroring what a changed .gitignore now ignores', async () => {
    const { f, pool } = await prepared({ 'a.ts': 'a\n', 'tmp/b.ts': 'b\n' })
    f.write('.gitignore', 'tmp/\n')
    pool.noteChanged(['.gitignore'])
    const lease = await pool.lease([])
    expect(filesUnder(lease.root)).toEqual({ 'a.ts': 'a\n', '.gitignore': 'tmp/\n' })
    await lease.release()
  })

  it('empties the temp folder at lease', async () => {
    const { pool } = await prepared({ 'a.ts': 'a\n' })
    const first = await pool.lease([])
    await first.release()
    writeFileSync(path.join(first.tmpDir, 'left-over'), 'x')
    const second = await pool.lease([])
    expect(second.tmpDir).toBe(first.tmpDir)
    expect(filesUnder(second.tmpDir)).toEqual({})
    expect(second.writable).toEqual(expect.arrayContaining([second.root, second.tmpDir]))
    await second.release()
  })

  it('rejects at once when its signal is already aborted, and the shadow stays usable', async () => {
    const { pool } = await prepared({ 'a.ts': 'a\n' })
    await expect(pool.lease([], AbortSignal.abort(new Error('cancelled')))).rejects.toThrow(
      'cancelled',
    )
    const lease = await pool.lease([])
    expect(filesUnder(lease.root)).toEqual({ 'a.ts': 'a\n' })
    await lease.release()
  })
})
