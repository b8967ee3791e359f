import { writeFileSync } from 'node:fs'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempPathFor } from '../../../src/main/core/fix/atomic-file'
import { type ApplyReport, applyFix } from '../../../src/main/core/fix/apply-fix'
import { Journal } from '../../../src/main/core/fix/journal'
import { type Merge3, merge3 } from '../../../src/main/core/fix/merge3'
import type { StagedFix } from '../../../src/main/core/fix/staged-fix'
import { contentHash } from '../../../src/main/core/util/hash'
import { OwnWrites } from '../../../src/main/core/watch/own-writes'
import { treeHash } from './tree-hash'

const lines = (name: string, n = 12) =>
  Array.from({ length: n }, (_, i) => `export const ${name}${i + 1} = ${i + 1}\n`).join('')
const ORIGINAL: Record<string, string> = {
  'src/sum.js': lines('s'),
  'src/a.js': lines('a'),
  'src/b.js': lines('b'),
  'README.md': '# project\n',
}

let root: string
let outside: string

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-apply-')))
  outside = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-apply-outside-')))
  for (const [path, text] of Object.entries(ORIGINAL)) await put(path, text)
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
  await rm(outside, { recursive: true, force: true })
})

async function put(path: string, text: string) {
  await mkdir(dirname(join(root, path)), { recursive: true })
  await writeFile(join(root, path), text)
}

const read = (path: string) => readFile(join(root, path), 'utf8')

/** A fix of `changes` (path → new content) made from the original files as its base. */
function fixOf(changes: Record<string, string>, taskId = 'task_apply'): StagedFix {
  return {
    taskId,
    createdAt: '2030-01-01T00:00:00.000Z',
    files: Object.entries(changes).map(([path, content]) => {
      const base = ORIGINAL[path] ?? null
      return {
        path,
        baseHash: base === null ? null : contentHash(base),
        baseContent: base,
        content,
        mode: 0o644,
      }
    }),
  }
}

/** Every file of the project outside `.fixloop`, path → text. */
async function files(dir = root, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name
    if (path === '.fixloop') continue
    if (entry.isDirectory()) Object.assign(out, await files(join(dir, entry.name), path))
    else if (entry.isFile()) out[path] = await readFile(join(dir, entry.name), 'utf8')
  }
  return out
}

/** The whole tree, `.fixloop` included: "nothing written anywhere" means this does not move. */
const everything = () => treeHash(root, new Set())

const edit = (text: string, from: string, to: string) => {
  expect(text).toContain(from)
  return text.replace(from, to)
}

function expectOk(report: ApplyReport) {
  expect(report.ok, report.message).toBe(true)
  if (!report.ok) throw new Error(report.message)
  return report
}

function expectRefused(report: ApplyReport) {
  expect(report.ok).toBe(false)
  if (report.ok) throw new Error('applied')
  return report
}

describe('applyFix', () => {
  it('leaves exactly the fix, and an undo restores the tree byte for byte', async () => {
    const before = await treeHash(root)
    const fix = fixOf({
      'src/sum.js': edit(ORIGINAL['src/sum.js']!, 's3 = 3', 's3 = 30'),
      'src/a.js': edit(ORIGINAL['src/a.js']!, 'a7 = 7', 'a7 = 70'),
      'lib/helpers/new.js': 'export const fresh = true\n',
      'lib/helpers/more.js': 'export const more = true\n',
    })
    const report = expectOk(await applyFix(root, fix))
    expect(report).toMatchObject({
      applied: ['src/sum.js', 'src/a.js', 'lib/helpers/new.js', 'lib/helpers/more.js'],
      merged: [],
      alreadyApplied: [],
      journalStatus: 'completed',
      message: 'Applied 4 files.',
    })
    expect(await files()).toEqual({
      ...ORIGINAL,
      ...Object.fromEntries(fix.files.map((f) => [f.path, f.content])),
    })

    const journal = await Journal.open(root, fix.taskId)
    expect(journal.status).toBe('completed')
    expect(journal.paths()).toEqual(fix.files.map((f) => f.path))
    expect(await journal.undo()).toMatchObject({ ok: true, removedDirs: ['lib/helpers', 'lib'] })
    expect(await treeHash(root)).toBe(before)
  })

  it("merges with the user's edit elsewhere in the file, keeping it, and undo gives it back", async () => {
    const users = edit(ORIGINAL['src/sum.js']!, 's10 = 10', 's10 = 100')
    await put('src/sum.js', users)
    const fix = fixOf({ 'src/sum.js': edit(ORIGINAL['src/sum.js']!, 's2 = 2', 's2 = 20') })
    const report = expectOk(await applyFix(root, fix))
    expect(report).toMatchObject({
      applied: ['src/sum.js'],
      merged: ['src/sum.js'],
      message: 'Applied 1 file (1 merged with your edit).',
    })
    expect(await read('src/sum.js')).toBe(edit(users, 's2 = 2', 's2 = 20'))

    expect((await (await Journal.open(root, fix.taskId)).undo()).ok).toBe(true)
    expect(await read('src/sum.js')).toBe(users)
  })

  it('writes nothing anywhere when the fix overlaps an edit of the user, and names it', async () => {
    await put('src/sum.js', edit(ORIGINAL['src/sum.js']!, 's3 = 3', 's3 = 33'))
    const before = await everything()
    const fix = fixOf({ 'src/sum.js': edit(ORIGINAL['src/sum.js']!, 's3 = 3', 's3 = 30') })
    const report = expectRefused(await applyFix(root, fix))
    expect(report.conflicts).toEqual([
      { path: 'src/sum.js', reason: 'conflicts with your edit (line 3 changed on both sides)' },
    ])
    expect(report.message).toBe(
      'Not applied: src/sum.js conflicts with your edit (line 3 changed on both sides). Nothing was written.',
    )
    expect(await everything()).toBe(before)
  })

  it('names the range of lines that overlap', async () => {
    const users = ORIGINAL['src/sum.js']!.replace(/export const s[345] = \d\n/g, '// mine\n')
    await put('src/sum.js', users)
    const fix = fixOf({ 'src/sum.js': edit(ORIGINAL['src/sum.js']!, 's4 = 4', 's4 = 40') })
    const report = expectRefused(await applyFix(root, fix))
    expect(report.message).toBe(
      'Not applied: src/sum.js conflicts with your edit (lines 3–5 changed on both sides). Nothing was written.',
    )
  })

  it('writes none of the files when one of three conflicts', async () => {
    await put('src/b.js', edit(ORIGINAL['src/b.js']!, 'b5 = 5', 'b5 = 55'))
    const before = await everything()
    const fix = fixOf({
      'src/sum.js': edit(ORIGINAL['src/sum.js']!, 's1 = 1', 's1 = 10'),
      'src/a.js': edit(ORIGINAL['src/a.js']!, 'a1 = 1', 'a1 = 10'),
      'src/b.js': edit(ORIGINAL['src/b.js']!, 'b5 = 5', 'b5 = 50'),
    })
    const report = expectRefused(await applyFix(root, fix))
    expect(report.conflicts.map((c) => c.path)).toEqual(['src/b.js'])
    expect(await everything()).toBe(before)
  })

  it('refuses a file the fix creates that the user created too, unless it is the same', async () => {
    await put('src/new.js', 'export const mine = 1\n')
    const before = await everything()
    const report = expectRefused(
      await applyFix(root, fixOf({ 'src/new.js': 'export const theirs = 2\n' })),
    )
    expect(report.conflicts).toEqual([
      { path: 'src/new.js', reason: 'was created in your tree too, with other content' },
    ])
    expect(await everything()).toBe(before)

    const same = expectOk(await applyFix(root, fixOf({ 'src/new.js': 'export const mine = 1\n' })))
    expect(same).toMatchObject({ applied: [], alreadyApplied: ['src/new.js'] })
  })

  it('refuses a file the user deleted since the fix was made', async () => {
    await rm(join(root, 'src/a.js'))
    const report = expectRefused(
      await applyFix(root, fixOf({ 'src/a.js': edit(ORIGINAL['src/a.js']!, 'a1 = 1', 'a1 = 0') })),
    )
    expect(report.conflicts).toEqual([
      { path: 'src/a.js', reason: 'was deleted since the fix was made' },
    ])
    await expect(stat(join(root, 'src/a.js'))).rejects.toThrow(/ENOENT/)
  })

  it('never follows a symbolic link at the path or on the way, leaving its target untouched', async () => {
    const target = join(outside, 'target.js')
    await writeFile(target, ORIGINAL['src/a.js']!)
    await rm(join(root, 'src/a.js'))
    await symlink(target, join(root, 'src/a.js'))
    await symlink(outside, join(root, 'linked'))
    const before = await everything()
    const report = expectRefused(
      await applyFix(
        root,
        fixOf({
          'src/a.js': edit(ORIGINAL['src/a.js']!, 'a1 = 1', 'a1 = 0'),
          'linked/evil.js': 'owned\n',
        }),
      ),
    )
    expect(report.conflicts).toEqual([
      {
        path: 'src/a.js',
        reason: 'is a symbolic link in your tree (Fixloop does not follow links)',
      },
      {
        path: 'linked/evil.js',
        reason: 'is inside linked, a symbolic link in your tree (Fixloop does not follow links)',
      },
    ])
    expect(await everything()).toBe(before)
    expect(await readFile(target, 'utf8')).toBe(ORIGINAL['src/a.js'])
    expect(await readdir(outside)).toEqual(['target.js'])
    expect((await lstat(join(root, 'src/a.js'))).isSymbolicLink()).toBe(true)
  })

  it('refuses paths that leave the project or are protected, before touching anything', async () => {
    const before = await everything()
    for (const path of ['../escape.js', '/etc/passwd', 'src/./a.js', 'src\\a.js', '.git/config']) {
      const fix = fixOf({})
      fix.files.push({ path, baseHash: null, baseContent: null, content: 'x\n', mode: null })
      const report = expectRefused(await applyFix(root, fix))
      expect(report.conflicts[0]?.reason, path).toMatch(/refused$/)
    }
    expect(await everything()).toBe(before)
    await expect(stat(join(root, '..', 'escape.js'))).rejects.toThrow(/ENOENT/)
  })

  it('reports a fix already in the files as applied without writing or journalling', async () => {
    const fixed = edit(ORIGINAL['src/sum.js']!, 's3 = 3', 's3 = 30')
    await put('src/sum.js', fixed)
    const before = await everything()
    const ownWrites = new OwnWrites()
    const report = expectOk(await applyFix(root, fixOf({ 'src/sum.js': fixed }), { ownWrites }))
    expect(report).toMatchObject({
      applied: [],
      alreadyApplied: ['src/sum.js'],
      journalStatus: null,
      message: 'Nothing to apply: your files already hold the fix.',
    })
    expect(await everything()).toBe(before)
    expect(ownWrites.size).toBe(0)
  })

  it('keeps the undo data of an earlier apply when applied again', async () => {
    const fix = fixOf({ 'src/sum.js': edit(ORIGINAL['src/sum.js']!, 's3 = 3', 's3 = 30') })
    expectOk(await applyFix(root, fix))
    expect(expectOk(await applyFix(root, fix)).alreadyApplied).toEqual(['src/sum.js'])
    expect((await (await Journal.open(root, fix.taskId)).undo()).ok).toBe(true)
    expect(await read('src/sum.js')).toBe(ORIGINAL['src/sum.js'])
  })

  it('registers every written file as its own write, under its final content', async () => {
    await put('src/a.js', edit(ORIGINAL['src/a.js']!, 'a12 = 12', 'a12 = 120'))
    const ownWrites = new OwnWrites()
    const fix = fixOf({
      'src/sum.js': edit(ORIGINAL['src/sum.js']!, 's3 = 3', 's3 = 30'),
      'src/a.js': edit(ORIGINAL['src/a.js']!, 'a1 = 1', 'a1 = 10'),
      'src/deep/new.js': 'export {}\n',
    })
    expectOk(await applyFix(root, fix, { ownWrites }))
    for (const path of ['src/sum.js', 'src/a.js', 'src/deep/new.js']) {
      expect(ownWrites.isOwn(join(root, path), contentHash(await read(path))), path).toBe(true)
    }
    // The merged file is registered as merged, not as the fix's content
    expect(ownWrites.isOwn(join(root, 'src/a.js'), contentHash(fix.files[1]!.content))).toBe(false)
    expect(ownWrites.has(join(root, 'src/b.js'))).toBe(false)
  })

  it("gives a created file the fix's permission bits and keeps an existing file's own", async () => {
    await chmod(join(root, 'src/a.js'), 0o755)
    const fix = fixOf({
      'src/a.js': edit(ORIGINAL['src/a.js']!, 'a1 = 1', 'a1 = 10'),
      'bin/run.sh': '#!/bin/sh\necho hi\n',
    })
    fix.files[0]!.mode = 0o600
    fix.files[1]!.mode = 0o750
    expectOk(await applyFix(root, fix))
    expect((await stat(join(root, 'src/a.js'))).mode & 0o777).toBe(0o755)
    expect((await stat(join(root, 'bin/run.sh'))).mode & 0o777).toBe(0o750)
  })

  it('writes nothing when a file changes under it after the first look', async () => {
    await put('src/a.js', edit(ORIGINAL['src/a.js']!, 'a12 = 12', 'a12 = 120'))
    let calls = 0
    // The second merge of src/a.js runs right before its write: the user saves src/b.js then
    const merge: Merge3 = (base, ours, theirs) => {
      if (++calls === 2) {
        writeFileSync(join(root, 'src/b.js'), edit(ORIGINAL['src/b.js']!, 'b2 = 2', 'b2 = 22'))
      }
      return merge3(base, ours, theirs)
    }
    const fix = fixOf({
      'src/a.js': edit(ORIGINAL['src/a.js']!, 'a1 = 1', 'a1 = 10'),
      'src/b.js': edit(ORIGINAL['src/b.js']!, 'b2 = 2', 'b2 = 20'),
    })
    const report = expectRefused(await applyFix(root, fix, { merge }))
    expect(calls).toBeGreaterThanOrEqual(3)
    expect(report.conflicts.map((c) => c.path)).toEqual(['src/b.js'])
    // Every file is looked at again before the whole fix is journalled, so none was written yet.
    expect(report.message).toMatch(/Nothing was written\.$/)
    expect(await files()).toEqual({
      ...ORIGINAL,
      'src/a.js': edit(ORIGINAL['src/a.js']!, 'a12 = 12', 'a12 = 120'),
      'src/b.js': edit(ORIGINAL['src/b.js']!, 'b2 = 2', 'b2 = 22'),
    })
    expect((await Journal.open(root, fix.taskId)).paths()).toEqual([])
  })

  it('puts back what it wrote when a write fails, and says what failed', async () => {
    const before = await treeHash(root)
    const fix = fixOf({
      'src/a.js': edit(ORIGINAL['src/a.js']!, 'a1 = 1', 'a1 = 10'),
      'src/b.js': edit(ORIGINAL['src/b.js']!, 'b2 = 2', 'b2 = 20'),
    })
    // A folder where the write of src/b.js puts its temp file: that write fails
    await mkdir(tempPathFor(root, fix.taskId, 'src/b.js'), { recursive: true })
    const report = expectRefused(await applyFix(root, fix))
    expect(report.errors.map((e) => e.path)).toEqual(['src/b.js'])
    expect(report.message).toMatch(/^Not applied: src\/b\.js could not be read or written/)
    expect(await treeHash(root)).toBe(before)
    // The failed file's temp is still in the way, so the journal stays open to be rolled back again
    expect(report.message).toContain('its journal stays open')
    expect((await Journal.open(root, fix.taskId)).status).toBe('open')
  })

  it('writes nothing when a file cannot be read', async () => {
    const before = await everything()
    const long = `src/${'x'.repeat(300)}.js`
    const report = expectRefused(
      await applyFix(root, fixOf({ 'src/a.js': 'changed\n', [long]: 'new\n' })),
    )
    expect(report.errors.map((e) => e.path)).toEqual([long])
    expect(report.message).toMatch(/Nothing was written\.$/)
    expect(await everything()).toBe(before)
  })
})
