/**
 * A hard link in the project may share its content with a file outside it. The shadow does not copy
 * it (code and fixers in the shadow — Claude Code reads it with its own tools — could read it), and
 * says so once.
 */
import { existsSync, linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { shadowFixture } from './support/shadow-project'
import type { ShadowFixture } from './support/shadow-project'

const fixtures: ShadowFixture[] = []
const outside = mkdtempSync(path.join(tmpdir(), 'fixloop-outside-'))
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()))
})
afterEach(() => rmSync(path.join(outside, 'secret.txt'), { force: true }))

it('leaves a hard-linked file out of the shadow, with one warning, and keeps the rest', async () => {
  const f = shadowFixture({
    'package.json': '{"name":"demo"}\n',
    'src/a.js': 'export const a = 1\n',
  })
  fixtures.push(f)
  writeFileSync(path.join(outside, 'secret.txt'), 'outside content\n')
  linkSync(path.join(outside, 'secret.txt'), f.file('src/hard.txt'))
  const pool = f.pool()
  await pool.prepare()
  const lease = await pool.lease(['src/hard.txt'])
  expect(existsSync(path.join(lease.root, 'src/a.js'))).toBe(true)
  expect(existsSync(path.join(lease.root, 'src/hard.txt'))).toBe(false)
  const warned = f.logs.filter((l) =>
    /Hard-linked file not copied into the shadow: src\/hard\.txt/.test(l.message),
  )
  expect(warned).toHaveLength(1)
  await lease.release([])
  await pool.dispose()
})
