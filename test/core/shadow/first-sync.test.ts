import { spawn } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { filesUnder, shadowFixture, treeSnapshot } from './support/shadow-project'
import type { ShadowFixture } from './support/shadow-project'

const fixtures: ShadowFixture[] = []
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()))
})

function fixture(files: Record<string, string>) {
  const f = shadowFixture(files)
  fixtures.push(f)
  return f
}

const SOURCES = {
  'package.json': '{"name":"demo"}\n',
  'src/index.ts': 'export const a = 1\n',
  'src/deep/nested/util.ts': 'export const u = 2\n',
  'test/index.test.ts': "import { a } from '../src/index'\n",
  '.gitignore': 'secret.env\ngenerated/\n',
  'secret.env': 'TOKEN=1\n',
  'generated/big.js': 'generated\n',
  'dist/bundle.js': 'built\n',
  'app.log': 'log line\n',
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.fixloop/state.json': '{}\n',
  'node_modules/left-pad/package.json': '{"name":"left-pad"}\n',
  'node_modules/left-pad/index.js': 'module.exports = 1\n',
  'node_modules/@scope/tool/package.json': '{"name":"@scope/tool"}\n',
  'node_modules/.vite/deps/chunk.js': 'cached\n',
  'node_modules/.package-lock.json': '{}\n',
}

describe('ShadowPool first sync', () => {
  it('mirrors every file the matcher does not ignore, byte for byte, and nothing else', async () => {
    const f = fixture(SOURCES)
    chmodSync(f.file('src/index.ts'), 0o755)
    const pool = f.pool()
    const report = await pool.prepare()
    const lease = await pool.lease([])
    expect(filesUnder(lease.root, ['node_modules'])).toEqual({
      'package.json': SOURCES['package.json'],
      'src/index.ts': SOURCES['src/index.ts'],
      'src/deep/nested/util.ts': SOURCES['src/deep/nested/util.ts'],
      'test/index.test.ts': SOURCES['test/index.test.ts'],
      '.gitignore': SOURCES['.gitignore'],
    })
    expect(report).toMatchObject({ copied: 5, removed: 0, full: true })
    expect(statSync(path.join(lease.root, 'src/index.ts')).mode & 0o777).toBe(0o755)
    expect(lease.root.startsWith(pool.dir)).toBe(true)
    await lease.release()
  })

  it('gives each copy the project file’s mtime, so a second prepare copies nothing', async () => {
    const f = fixture(SOURCES)
    // A sub-millisecond mtime, the case where a naive comparison flips
    utimesSync(f.file('src/index.ts'), 1_700_000_000.1234567, 1_700_000_000.1234567)
    const pool = f.pool()
    await pool.prepare()
    const again = await pool.prepare()
    expect(again).toMatchObject({ copied: 0, removed: 0, linked: 0, full: true })
    const lease = await pool.lease([])
    const copy = statSync(path.join(lease.root, 'src/index.ts'))
    expect(Math.round(copy.mtimeMs)).toBe(Math.trunc(statSync(f.file('src/index.ts')).mtimeMs))
    await lease.release()
  })

  it('links each dependency entry (scoped ones one level down) and keeps tool caches real and empty', async () => {
    const f = fixture(SOURCES)
    f.link('node_modules/.bin/pad', '../left-pad/index.js')
    const pool = f.pool()
    const lease = await pool.lease([])
    const shadow = (rel: string) => path.join(lease.root, rel)
    expect(lstatSync(shadow('node_modules')).isDirectory()).toBe(true)
    expect(readlinkSync(shadow('node_modules/left-pad'))).toBe(f.file('node_modules/left-pad'))
    expect(lstatSync(shadow('node_modules/@scope')).isDirectory()).toBe(true)
    expect(readlinkSync(shadow('node_modules/@scope/tool'))).toBe(
      f.file('node_modules/@scope/tool'),
    )
    expect(readlinkSync(shadow('node_modules/.bin'))).toBe(f.file('node_modules/.bin'))
    expect(readlinkSync(shadow('node_modules/.package-lock.json'))).toBe(
      f.file('node_modules/.package-lock.json'),
    )
    expect(lstatSync(shadow('node_modules/.vite')).isDirectory()).toBe(true)
    expect(filesUnder(shadow('node_modules/.vite'))).toEqual({})
    expect(lease.writable).toContain(shadow('node_modules/.vite'))
    expect(lease.readable).toContain(f.file('node_modules'))
    await lease.release()
  })

  it('lets checks read a package linked from outside the project (npm link, a shared install)', async () => {
    const f = fixture(SOURCES)
    const install = path.join(f.base, 'shared-install', 'node_modules')
    mkdirSync(path.join(install, 'shared-pkg'), { recursive: true })
    writeFileSync(path.join(install, 'shared-pkg', 'index.js'), 'module.exports = 1\n')
    mkdirSync(f.file('node_modules'), { recursive: true })
    f.link('node_modules/shared-pkg', path.join(install, 'shared-pkg'))
    const lease = await f.pool().lease([])
    expect(readlinkSync(path.join(lease.root, 'node_modules/shared-pkg'))).toBe(
      f.file('node_modules/shared-pkg'),
    )
    // Its folder, so a sandbox that hides where it lives (bwrap's /tmp) still shows it.
    expect(lease.readable).toContain(install)
    await lease.release()
  })

  it('leaves the project byte-identical, mtimes included', async () => {
    const f = fixture(SOURCES)
    f.link('link-to-src', 'src')
    const before = treeSnapshot(f.root)
    const pool = f.pool()
    await pool.prepare()
    const lease = await pool.lease(['src/index.ts'])
    await lease.release(['src/index.ts'])
    expect(treeSnapshot(f.root)).toEqual(before)
  })

  it('re-points a link into the project at the shadow, keeps one pointing outside, refuses dangerous ones', async () => {
    const f = fixture({ ...SOURCES, 'docs/readme.md': 'docs\n' })
    f.link('src/docs', '../docs')
    f.link('abs-docs', f.file('docs/readme.md'))
    const elsewhere = path.join(f.base, 'elsewhere')
    mkdirSync(elsewhere)
    f.link('outside', elsewhere)
    f.link('holder', f.base)
    f.link('loop', '..')
    f.link('to-secret', 'secret.env')
    const pool = f.pool()
    const lease = await pool.lease([])
    const shadow = (rel: string) => path.join(lease.root, rel)
    expect(readlinkSync(shadow('src/docs'))).toBe('../docs')
    expect(readlinkSync(shadow('abs-docs'))).toBe('docs/readme.md')
    expect(readlinkSync(shadow('outside'))).toBe(elsewhere)
    expect(lease.readable).toContain(elsewhere)
    expect(() => lstatSync(shadow('holder'))).toThrow(/ENOENT/)
    expect(() => lstatSync(shadow('loop'))).toThrow(/ENOENT/)
    expect(() => lstatSync(shadow('to-secret'))).toThrow(/ENOENT/)
    const warnings = f.logs.filter((l) => l.level === 'warn').map((l) => l.message)
    expect(warnings.sort()).toEqual([
      expect.stringMatching(/holder .*folder that holds it/),
      expect.stringMatching(/loop .*folder that holds it/),
      expect.stringMatching(/to-secret .*ignored/),
    ])
    // Refusals are logged once, not at every sync
    await lease.release()
    await pool.prepare()
    expect(f.logs.filter((l) => l.level === 'warn')).toHaveLength(3)
  })

  it('rebuilds a shadow whose meta.json names another project', async () => {
    const f = fixture(SOURCES)
    const pool = f.pool()
    await pool.prepare()
    const meta = path.join(pool.dir, 'w0', 'meta.json')
    const stray = path.join(pool.dir, 'w0', 'root', 'stray.txt')
    writeFileSync(stray, 'not ours')
    writeFileSync(
      meta,
      JSON.stringify({ ...JSON.parse(readFileSync(meta, 'utf8')), projectRoot: '/elsewhere' }),
    )
    await pool.dispose()
    const fresh = f.pool()
    const report = await fresh.prepare()
    expect(report.copied).toBe(5)
    expect(() => lstatSync(stray)).toThrow(/ENOENT/)
    expect(JSON.parse(readFileSync(meta, 'utf8'))).toMatchObject({
      projectRoot: f.root,
      version: 1,
    })
    expect(f.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/Rebuilding .*\/elsewhere/),
    )
  })

  it('stops a long sync when its signal aborts, and the next one carries on', async () => {
    const files: Record<string, string> = {}
    for (let i = 0; i < 1000; i++) files[`src/d${i % 20}/f${i}.ts`] = `export const v = ${i}\n`
    const f = fixture(files)
    const pool = f.pool()
    const controller = new AbortController()
    // The sync gives the event loop a turn between slices: abort once some files are in
    const src = path.join(pool.dir, 'w0', 'root', 'src')
    const watch = setInterval(() => {
      const copied =
        existsSync(src) &&
        readdirSync(src, { recursive: true }).some((n) => /\.ts$/.test(String(n)))
      if (copied) controller.abort(new Error('stop'))
    }, 0)
    await expect(pool.prepare(controller.signal)).rejects.toThrow('stop')
    clearInterval(watch)
    const report = await pool.prepare()
    expect(report.copied).toBeGreaterThan(0)
    expect(report.copied).toBeLessThan(1000)
    const lease = await pool.lease([])
    expect(Object.keys(filesUnder(lease.root))).toHaveLength(1000)
    await lease.release()
  })
})

describe('an unreadable project file', () => {
  it('is skipped with one warning, and the rest is mirrored', async () => {
    const f = fixture({ 'ok.ts': 'fine\n', 'locked.ts': 'secret\n' })
    chmodSync(f.file('locked.ts'), 0o000)
    if (process.getuid?.() !== 0) {
      const pool = f.pool()
      await pool.prepare()
      await pool.prepare()
      const lease = await pool.lease([])
      expect(filesUnder(lease.root)).toEqual({ 'ok.ts': 'fine\n' })
      expect(f.logs.filter((l) => l.level === 'warn')).toEqual([
        { level: 'warn', message: expect.stringMatching(/cannot be read: .*locked\.ts/) },
      ])
      return await lease.release()
    }
    // root reads anything: run the sync as nobody, in a child process
    chmodSync(f.base, 0o777)
    chmodSync(f.root, 0o777)
    chmodSync(f.file('ok.ts'), 0o644)
    const out = await runAsNobody(f.root, f.cacheDir)
    expect(JSON.parse(out)).toEqual({
      files: ['ok.ts'],
      warnings: [expect.stringMatching(/cannot be read: .*locked\.ts/)],
    })
  })
})

const NOBODY_SCRIPT = `
import { readdirSync } from 'node:fs'
import path from 'node:path'
const [root, cacheDir, entry, ignoreEntry] = process.argv.slice(-4)
process.setgid(65534)
process.setuid(65534)
const { ShadowPool } = await import(entry)
const { createIgnoreMatcher } = await import(ignoreEntry)
const warnings = []
const pool = ShadowPool.open({ projectRoot: root, ignore: createIgnoreMatcher({ root }), cacheDir, log: (level, message) => level === 'warn' && warnings.push(message) })
await pool.prepare()
await pool.prepare()
const lease = await pool.lease([])
const files = readdirSync(lease.root)
await lease.release()
await pool.dispose()
console.log(JSON.stringify({ files, warnings }))
`

function runAsNobody(root: string, cacheDir: string): Promise<string> {
  const src = path.resolve(import.meta.dirname, '../../../src/main/core')
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        NOBODY_SCRIPT,
        root,
        cacheDir,
        path.join(src, 'shadow/index.ts'),
        path.join(src, 'watch/ignore-rules.ts'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TSX_TSCONFIG_PATH: undefined } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout.trim()) : reject(new Error(`exit ${code}: ${stderr}`)),
    )
  })
}
