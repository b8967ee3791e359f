import { execFileSync } from 'node:child_process'
import {
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GreenBaseline, combineDiffs } from '../../../src/main/core/engine/green-baseline'
import { createIgnoreMatcher } from '../../../src/main/core/watch/ignore-rules'

let base: string
let root: string
let cacheDir: string

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-baseline-')))
  root = join(base, 'project')
  cacheDir = join(base, 'cache', 'baseline')
  await mkdir(root)
})

afterEach(async () => {
  await rm(base, { recursive: true, force: true })
})

async function write(rel: string, content: string | Buffer) {
  await mkdir(join(root, rel, '..'), { recursive: true })
  await writeFile(join(root, rel), content)
}

/** Moves every file's mtime an hour back, as if it were last edited well before the record. */
async function age(...rels: string[]) {
  const past = new Date(Date.now() - 3_600_000)
  for (const rel of rels) await utimes(join(root, rel), past, past)
}

const open = () =>
  GreenBaseline.open({ cacheDir, projectRoot: root, ignore: createIgnoreMatcher({ root }) })

async function blobFiles(): Promise<string[]> {
  const dir = join(cacheDir, 'blobs')
  const out: string[] = []
  for (const prefix of await readdir(dir).catch(() => [])) {
    for (const name of await readdir(join(dir, prefix))) out.push(prefix + name)
  }
  return out.sort()
}

describe('GreenBaseline', () => {
  it('has no changes to report before anything was recorded', async () => {
    await write('a.ts', 'a\n')
    const baseline = await open()
    expect(baseline.recordedAt).toBeNull()
    expect(await baseline.changesSince()).toBeNull()
  })

  it('reports nothing when the tree is as recorded', async () => {
    await write('a.ts', 'a\n')
    const baseline = await open()
    const summary = await baseline.record()
    expect(summary).toMatchObject({ files: 1, hashed: 1, scan: 'full' })
    expect(await baseline.changesSince()).toEqual({
      recordedAt: summary.recordedAt,
      files: [],
      diff: '',
    })
  })

  it('shows modified, added and deleted files as unified diffs', async () => {
    await write('src/math.ts', 'export function add(a, b) {\n  return a + b\n}\n')
    await write('src/old.ts', 'export const old = 1\n')
    const baseline = await open()
    await baseline.record()
    await write('src/math.ts', 'export function add(a, b) {\n  return a - b\n}\n')
    await write('src/new.ts', 'export const fresh = 2\n')
    await rm(join(root, 'src', 'old.ts'))

    const changes = await baseline.changesSince()
    expect(changes?.files.map((f) => [f.path, f.status])).toEqual([
      ['src/math.ts', 'modified'],
      ['src/new.ts', 'added'],
      ['src/old.ts', 'deleted'],
    ])
    const [math, added, deleted] = changes!.files
    expect(math!.diff).toBe(
      '--- a/src/math.ts\n+++ b/src/math.ts\n@@ -1,3 +1,3 @@\n export function add(a, b) {\n-  return a + b\n+  return a - b\n }\n',
    )
    expect(added!.diff).toBe(
      '--- /dev/null\n+++ b/src/new.ts\n@@ -0,0 +1 @@\n+export const fresh = 2\n',
    )
    expect(deleted!.diff).toBe(
      '--- a/src/old.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-export const old = 1\n',
    )
    expect(changes!.diff).toBe(math!.diff + added!.diff + deleted!.diff)
  })

  it('covers files git does not track', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root })
    await write('tracked.ts', 'tracked\n')
    git('init', '-q')
    git('add', 'tracked.ts')
    git('commit', '-q', '-m', 'init')
    await write('scratch.ts', 'let draft = 1\n')
    const baseline = await open()
    await baseline.record()
    await write('scratch.ts', 'let draft = 2\n')
    await write('another.ts', 'new and untracked\n')
    expect(git('status', '--porcelain').toString()).toBe('?? another.ts\n?? scratch.ts\n')

    const changes = await baseline.changesSince()
    expect(changes?.files.map((f) => [f.path, f.status])).toEqual([
      ['another.ts', 'added'],
      ['scratch.ts', 'modified'],
    ])
    expect(changes!.files[1]!.diff).toContain('-let draft = 1\n+let draft = 2\n')
  })

  it('leaves out ignored files, dependency folders and linked folders', async () => {
    await write('.gitignore', 'dist/\n*.log\n')
    await write('src/a.ts', 'a\n')
    await write('dist/out.js', 'built\n')
    await write('debug.log', 'log\n')
    await write('node_modules/dep/index.js', 'dep\n')
    const outside = join(base, 'outside')
    await mkdir(outside)
    await writeFile(join(outside, 'x.ts'), 'outside\n')
    await symlink(outside, join(root, 'linked'))
    const baseline = await open()
    expect((await baseline.record()).files).toBe(2)
    await write('dist/out.js', 'rebuilt\n')
    await write('debug.log', 'more log\n')
    await write('node_modules/dep/index.js', 'dep 2\n')
    await write('dist/new.js', 'new build\n')
    await writeFile(join(outside, 'x.ts'), 'changed outside\n')
    expect((await baseline.changesSince())?.files).toEqual([])
  })

  it('lists binary and large files without a diff', async () => {
    await write('logo.png', Buffer.from([0x89, 0x50, 0x00, 0x01]))
    await write('data.json', `[${'1,'.repeat(400)}1]\n`)
    const baseline = await GreenBaseline.open({
      cacheDir,
      projectRoot: root,
      ignore: createIgnoreMatcher({ root }),
      maxFileBytes: 512,
    })
    await baseline.record()
    await write('logo.png', Buffer.from([0x89, 0x50, 0x00, 0x02]))
    await write('data.json', `[${'2,'.repeat(400)}2]\n`)
    const changes = await baseline.changesSince()
    expect(changes?.files).toEqual([
      {
        path: 'data.json',
        status: 'modified',
        diff: '--- a/data.json\n+++ b/data.json\n(binary or large file changed)\n',
      },
      {
        path: 'logo.png',
        status: 'modified',
        diff: '--- a/logo.png\n+++ b/logo.png\n(binary or large file changed)\n',
      },
    ])
    expect(await blobFiles()).toEqual([])
  })

  it('never stores or shows the content of protected files', async () => {
    await write('.env', 'TOKEN=old-secret\n')
    const baseline = await open()
    await baseline.record()
    await write('.env', 'TOKEN=new-secret\n')
    const changes = await baseline.changesSince()
    expect(changes?.diff).toBe(
      '--- a/.env\n+++ b/.env\n(protected file changed; content not shown)\n',
    )
    expect(await blobFiles()).toEqual([])
  })

  it('skips rehashing files whose size and mtime match the record', async () => {
    for (let i = 0; i < 5; i++) await write(`f${i}.ts`, `file ${i}\n`)
    await age('f0.ts', 'f1.ts', 'f2.ts', 'f3.ts', 'f4.ts')
    const baseline = await open()
    expect((await baseline.record()).hashed).toBe(5)
    expect((await baseline.record()).hashed).toBe(0)
    await write('f2.ts', 'file two\n')
    expect((await baseline.record()).hashed).toBe(1)
  })

  it('still sees a same-size edit that kept its mtime, when the mtime is recent', async () => {
    await write('a.ts', 'aaaa\n')
    const baseline = await open()
    await baseline.record()
    const { mtime } = await stat(join(root, 'a.ts'))
    await write('a.ts', 'bbbb\n')
    await utimes(join(root, 'a.ts'), mtime, mtime)
    expect((await baseline.changesSince())?.files.map((f) => f.path)).toEqual(['a.ts'])
  })

  describe('with a hint', () => {
    it('looks again at carried entries the previous record could not trust', async () => {
      await write('a.ts', 'a1\n')
      await write('b.ts', 'b1\n')
      const baseline = await open()
      await baseline.record()
      const { mtime } = await stat(join(root, 'b.ts'))
      await write('b.ts', 'b2\n')
      await utimes(join(root, 'b.ts'), mtime, mtime)
      expect(await baseline.record({ changed: ['a.ts'] })).toMatchObject({ hashed: 2 })
      expect((await baseline.changesSince())?.files).toEqual([])
    })

    it('looks only at the hinted paths', async () => {
      await write('a.ts', 'a1\n')
      await write('b.ts', 'b1\n')
      await age('a.ts', 'b.ts')
      const baseline = await open()
      await baseline.record()
      await write('a.ts', 'a2\n')
      await write('b.ts', 'b2\n')
      expect(await baseline.record({ changed: ['a.ts'] })).toMatchObject({
        files: 2,
        hashed: 1,
        scan: 'hint',
      })
      // b.ts was not hinted, so the baseline still holds its old content
      const changes = await baseline.changesSince()
      expect(changes?.files.map((f) => [f.path, f.status])).toEqual([['b.ts', 'modified']])
      expect(changes?.diff).toContain('-b1\n+b2\n')
    })

    it('drops a hinted path that was deleted, with everything under it', async () => {
      await write('keep.ts', 'keep\n')
      await write('gone.ts', 'gone\n')
      await write('old/a.ts', 'a\n')
      await write('old/deep/b.ts', 'b\n')
      await age('keep.ts')
      const baseline = await open()
      await baseline.record()
      await rm(join(root, 'gone.ts'))
      await rm(join(root, 'old'), { recursive: true })
      expect(
        await baseline.record({ changed: [join(root, 'gone.ts'), 'old', 'never-existed.ts'] }),
      ).toMatchObject({ files: 1, hashed: 0, scan: 'hint' })
      expect((await baseline.changesSince())?.files).toEqual([])
    })

    it('walks a hinted folder that appeared', async () => {
      await write('a.ts', 'a\n')
      const baseline = await open()
      await baseline.record()
      await write('lib/x.ts', 'x\n')
      await write('lib/sub/y.ts', 'y\n')
      expect(await baseline.record({ changed: ['lib'] })).toMatchObject({ files: 3, scan: 'hint' })
      expect((await baseline.changesSince())?.files).toEqual([])
    })

    it('does not follow a hinted path through a symbolic link', async () => {
      await write('a.ts', 'a\n')
      const outside = join(base, 'outside')
      await mkdir(outside)
      await writeFile(join(outside, 'x.ts'), 'x\n')
      await symlink(outside, join(root, 'linked'))
      const baseline = await open()
      await baseline.record()
      expect(await baseline.record({ changed: ['linked/x.ts', 'linked'] })).toMatchObject({
        files: 1,
      })
    })

    it('scans everything when there is no record yet', async () => {
      await write('a.ts', 'a\n')
      await write('b.ts', 'b\n')
      const baseline = await open()
      expect(await baseline.record({ changed: ['a.ts'] })).toMatchObject({ files: 2, scan: 'full' })
    })
  })

  it('sets a corrupt index aside and starts over', async () => {
    await write('a.ts', 'a\n')
    await mkdir(cacheDir, { recursive: true })
    await writeFile(join(cacheDir, 'index.json'), '{"version": 1, "files": [[')
    const baseline = await open()
    expect(baseline.setAside).toBe(join(cacheDir, 'index.corrupt.json'))
    expect(await readFile(baseline.setAside!, 'utf8')).toBe('{"version": 1, "files": [[')
    expect(await baseline.changesSince()).toBeNull()
    await baseline.record()
    expect((await baseline.changesSince())?.files).toEqual([])
    expect((await open()).setAside).toBeNull()
  })

  it('treats an index of the wrong shape as corrupt', async () => {
    await mkdir(cacheDir, { recursive: true })
    await writeFile(join(cacheDir, 'index.json'), JSON.stringify({ version: 1, files: 'no' }))
    const baseline = await open()
    expect(baseline.setAside).not.toBeNull()
    expect(await baseline.changesSince()).toBeNull()
  })

  it('keeps one blob per content and removes the ones no longer referenced', async () => {
    await write('a.ts', 'same\n')
    await write('b.ts', 'same\n')
    await write('c.ts', 'c1\n')
    const baseline = await open()
    await baseline.record()
    const first = await blobFiles()
    expect(first).toHaveLength(2)
    await write('c.ts', 'c2\n')
    await baseline.record()
    const second = await blobFiles()
    expect(second).toHaveLength(2)
    expect(second.filter((b) => first.includes(b))).toHaveLength(1)
  })

  it('sweeps blobs orphaned by an earlier run', async () => {
    await write('a.ts', 'a\n')
    await mkdir(join(cacheDir, 'blobs', 'ff'), { recursive: true })
    await writeFile(join(cacheDir, 'blobs', 'ff', 'f'.repeat(62)), 'orphan')
    const baseline = await open()
    await baseline.record()
    expect(await blobFiles()).toHaveLength(1)
    expect(await blobFiles()).not.toContain('f'.repeat(64))
  })

  it('reports a missing baseline copy instead of a wrong diff', async () => {
    await write('a.ts', 'a1\n')
    const baseline = await open()
    await baseline.record()
    await rm(join(cacheDir, 'blobs'), { recursive: true })
    await write('a.ts', 'a2\n')
    expect((await baseline.changesSince())?.diff).toBe(
      '--- a/a.ts\n+++ b/a.ts\n(the baseline copy of this file is missing; content not shown)\n',
    )
  })

  it('trims the combined diff and names what it left out', async () => {
    for (let i = 0; i < 30; i++) {
      await write(`src/f${String(i).padStart(2, '0')}.ts`, `${'line\n'.repeat(20)}`)
    }
    const baseline = await open()
    await baseline.record()
    for (let i = 0; i < 30; i++) {
      await write(`src/f${String(i).padStart(2, '0')}.ts`, `${'changed line\n'.repeat(20)}`)
    }
    const changes = await baseline.changesSince({ maxChars: 2000 })
    expect(changes?.files).toHaveLength(30)
    expect(changes!.diff.length).toBeLessThanOrEqual(2000)
    const note = changes!.diff.slice(changes!.diff.indexOf('[Diff trimmed'))
    expect(note).toMatch(
      /^\[Diff trimmed to 2000 characters; left out: (?:the last \d+ lines of src\/f\d\d\.ts; \d+ more files|\d+ files) \(\d+ diff lines\): src\/f\d\d\.ts \(modified\), .* and \d+ more\. View those files to see them\.\]\n$/,
    )
    // Every file is either in the shown diff or counted in the note
    const shown = changes!.files.filter((f) => changes!.diff.includes(`+++ b/${f.path}`)).length
    const counted = Number(/(\d+) (?:more )?files/.exec(note)![1])
    expect(shown + counted).toBe(30)
  })

  it('refuses a baseline folder inside the project that the project does not ignore', async () => {
    await expect(
      GreenBaseline.open({
        cacheDir: join(root, 'baseline'),
        projectRoot: root,
        ignore: createIgnoreMatcher({ root }),
      }),
    ).rejects.toThrow(/would record itself/)
    const ok = await GreenBaseline.open({
      cacheDir: join(root, '.fixloop', 'baseline'),
      projectRoot: root,
      ignore: createIgnoreMatcher({ root }),
    })
    await write('a.ts', 'a\n')
    expect((await ok.record()).files).toBe(1)
  })

  it('records and compares a 5,000-file tree quickly', async () => {
    const names: string[] = []
    for (let d = 0; d < 50; d++) {
      for (let f = 0; f < 100; f++) names.push(`src/d${d}/file${f}.ts`)
    }
    for (let d = 0; d < 50; d++) await mkdir(join(root, 'src', `d${d}`), { recursive: true })
    await Promise.all(
      names.map((rel, i) =>
        writeFile(join(root, rel), `export const value${i} = ${i}\n`.repeat(20)),
      ),
    )
    const past = new Date(Date.now() - 3_600_000)
    await Promise.all(names.map((rel) => utimes(join(root, rel), past, past)))
    const baseline = await open()
    const time = async <T>(label: string, fn: () => Promise<T>) => {
      const started = performance.now()
      const result = await fn()
      console.log(`5,000 files: ${label} took ${Math.round(performance.now() - started)} ms`)
      return result
    }
    expect((await time('first record', () => baseline.record())).files).toBe(5000)
    expect((await time('second record, nothing changed', () => baseline.record())).hashed).toBe(0)
    for (const rel of names.slice(0, 5)) await writeFile(join(root, rel), 'changed\n')
    const changes = await time('changesSince, 5 files changed', () => baseline.changesSince())
    expect(changes?.files).toHaveLength(5)
    await time('record with a 5-path hint', () => baseline.record({ changed: names.slice(0, 5) }))
  })
})

describe('combineDiffs', () => {
  const file = (path: string, lines: number) => ({
    path,
    status: 'modified' as const,
    diff: `--- a/${path}\n+++ b/${path}\n${'+x\n'.repeat(lines)}`,
  })

  it('keeps everything when it fits', () => {
    const files = [file('a', 2), file('b', 2)]
    expect(combineDiffs(files, 1000)).toBe(files[0]!.diff + files[1]!.diff)
  })

  it('cuts the first file that does not fit at a line and counts the rest', () => {
    const out = combineDiffs([file('a', 10), file('b', 500), file('c', 5)], 1000)
    expect(out.length).toBeLessThanOrEqual(1000)
    expect(out.startsWith(file('a', 10).diff + '--- a/b\n+++ b/b\n+x\n')).toBe(true)
    expect(out).toMatch(
      /\+x\n\[Diff trimmed to 1000 characters; left out: the last \d+ lines of b; 1 more file \(7 diff lines\): c \(modified\)\. View those files to see them\.\]\n$/,
    )
  })

  it('says only what was left out when even one file does not fit', () => {
    const out = combineDiffs([file('a', 500), file('b', 500)], 120)
    expect(out).toBe(
      '[Diff trimmed to 120 characters; left out: 2 files (1004 diff lines). View those files to see them.]\n',
    )
  })
})
