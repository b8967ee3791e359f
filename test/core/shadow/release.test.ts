import { lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { filesUnder, runNode, shadowFixture, treeSnapshot } from './support/shadow-project'
import type { ShadowFixture } from './support/shadow-project'

const fixtures: ShadowFixture[] = []
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()))
})

const PROJECT = {
  'package.json': '{"name":"demo"}\n',
  'src/sum.ts': 'export const sum = (a, b) => a + b\n',
  'src/sum.test.ts': "test('sums', () => {})\n",
  'src/__snapshots__/sum.test.ts.snap': 'exports[`sum`] = `3`\n',
  'README.md': 'readme\n',
  'node_modules/vitest/package.json': '{"name":"vitest"}\n',
  'node_modules/@vitest/runner/package.json': '{"name":"@vitest/runner"}\n',
}

/** What a test run does in its working folder: a report, a new snapshot, a rewrite, a deletion. */
const CHECK = `
const fs = require('node:fs')
fs.mkdirSync('reports/junit', { recursive: true })
fs.writeFileSync('reports/junit/results.xml', '<testsuite/>')
fs.writeFileSync('src/__snapshots__/new.snap', 'new snapshot')
fs.writeFileSync('src/__snapshots__/sum.test.ts.snap', 'exports[\`sum\`] = \`4\`')
fs.rmSync('README.md')
fs.mkdirSync('node_modules/.vite/deps', { recursive: true })
fs.writeFileSync('node_modules/.vite/deps/chunk.js', 'cache')
`

async function leased(options: Parameters<ShadowFixture['pool']>[0] = {}) {
  const f = shadowFixture(PROJECT)
  fixtures.push(f)
  const pool = f.pool(options)
  await pool.prepare()
  const before = treeSnapshot(f.root)
  const lease = await pool.lease(['src/sum.ts'])
  return { f, pool, lease, before }
}

const MIRROR = Object.fromEntries(
  Object.entries(PROJECT).filter(([rel]) => !rel.startsWith('node_modules/')),
)

describe('ShadowLease.release', () => {
  it('undoes what a check process wrote: new files removed, changed and deleted ones restored', async () => {
    const { f, lease, before } = await leased()
    await runNode(lease.root, CHECK)
    expect(filesUnder(lease.root, ['node_modules'])).not.toEqual(MIRROR)
    const report = await lease.release()
    expect(filesUnder(lease.root, ['node_modules'])).toEqual(MIRROR)
    // Two restored (the rewritten snapshot, README.md); the report, the new snapshot and reports/ went
    expect(report).toMatchObject({ full: false, copied: 2, removed: 2 })
    expect(report.changed).toBeGreaterThanOrEqual(4)
    expect(treeSnapshot(f.root)).toEqual(before)
  })

  it('restores the files the editor touched, and wipes its .fixloop journal', async () => {
    const { f, lease, before } = await leased()
    writeFileSync(path.join(lease.root, 'src/sum.ts'), 'export const sum = (a, b) => a - b\n')
    writeFileSync(path.join(lease.root, 'src/extra.ts'), 'created by the editor\n')
    await runNode(lease.root, "require('fs').mkdirSync('.fixloop/journal', { recursive: true })")
    writeFileSync(path.join(lease.root, '.fixloop/journal/edit.json'), '{}')
    await lease.release(['src/sum.ts', 'src/extra.ts'])
    expect(filesUnder(lease.root, ['node_modules'])).toEqual(MIRROR)
    expect(() => lstatSync(path.join(lease.root, '.fixloop'))).toThrow(/ENOENT/)
    expect(treeSnapshot(f.root)).toEqual(before)
  })

  it('leaves the dependency links as they were and keeps a tool cache the check filled', async () => {
    const { f, lease } = await leased()
    await runNode(lease.root, CHECK)
    await lease.release()
    expect(readlinkSync(path.join(lease.root, 'node_modules/vitest'))).toBe(
      f.file('node_modules/vitest'),
    )
    expect(readlinkSync(path.join(lease.root, 'node_modules/@vitest/runner'))).toBe(
      f.file('node_modules/@vitest/runner'),
    )
    expect(readFileSync(path.join(lease.root, 'node_modules/.vite/deps/chunk.js'), 'utf8')).toBe(
      'cache',
    )
  })

  it('restores a file rewritten with its old size and mtime (a check may keep mtimes)', async () => {
    const { lease } = await leased()
    await runNode(
      lease.root,
      `const fs = require('fs'); const s = fs.statSync('README.md');
       fs.writeFileSync('README.md', 'README\\n'); fs.utimesSync('README.md', s.atime, s.mtime)`,
    )
    await lease.release()
    expect(readFileSync(path.join(lease.root, 'README.md'), 'utf8')).toBe('readme\n')
  })

  it('undoes a folder a check replaced by a link into the project, without writing through it', async () => {
    const { f, lease, before } = await leased()
    await runNode(
      lease.root,
      `const fs = require('fs'); fs.rmSync('src', { recursive: true }); fs.symlinkSync(process.argv[1], 'src')`,
      [f.file('src')],
    )
    await lease.release()
    expect(lstatSync(path.join(lease.root, 'src')).isDirectory()).toBe(true)
    expect(filesUnder(lease.root, ['node_modules'])).toEqual(MIRROR)
    expect(treeSnapshot(f.root)).toEqual(before)
  })

  it('applies at release what was noted during the lease', async () => {
    const { f, pool, lease } = await leased()
    f.write('src/sum.ts', 'export const sum = (a, b) => b + a\n')
    pool.noteChanged(['src/sum.ts'])
    // The task works on a stable copy: the note waits for the release
    expect(readFileSync(path.join(lease.root, 'src/sum.ts'), 'utf8')).toBe(PROJECT['src/sum.ts'])
    await lease.release()
    expect(readFileSync(path.join(lease.root, 'src/sum.ts'), 'utf8')).toBe(
      'export const sum = (a, b) => b + a\n',
    )
  })

  it('finds a rewrite anywhere in the tree, not only where a check usually writes', async () => {
    const { lease } = await leased()
    // A grandchild process that rewrites a file in place and leaves no other trace
    await runNode(
      lease.root,
      `require('child_process').execFileSync(process.execPath, ['-e', "require('fs').writeFileSync('src/sum.test.ts', 'x')"])`,
    )
    const report = await lease.release()
    expect(report.changed).toBe(1)
    expect(filesUnder(lease.root, ['node_modules'])).toEqual(MIRROR)
  })

  it('does a full reconcile when the shadow was invalidated during the lease', async () => {
    const { f, pool, lease } = await leased()
    await runNode(lease.root, CHECK)
    f.write('late.ts', 'written while the watcher was down\n')
    pool.invalidate('the watcher overflowed')
    const report = await lease.release()
    expect(report.full).toBe(true)
    expect(filesUnder(lease.root, ['node_modules'])).toEqual({
      ...MIRROR,
      'late.ts': 'written while the watcher was down\n',
    })
  })

  it('returns the same report when called twice', async () => {
    const { lease } = await leased()
    const first = lease.release()
    expect(lease.release()).toBe(first)
    await first
  })
})
