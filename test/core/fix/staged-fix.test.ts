import { mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type StagedFix,
  UnreadableStagedFix,
  discardStagedFix,
  isSafeRelativePath,
  listStagedFixes,
  loadStagedFix,
  saveStagedFix,
  stagedFixFile,
} from '../../../src/main/core/fix/staged-fix'
import { contentHash } from '../../../src/main/core/util/hash'

let root: string

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-staged-')))
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const base = 'export const sum = (a, b) => a - b\r\n'
const fix = (taskId = 'task_1'): StagedFix => ({
  taskId,
  createdAt: '2030-01-01T00:00:00.000Z',
  files: [
    {
      path: 'src/sum.js',
      baseHash: contentHash(base),
      baseContent: base,
      content: 'export const sum = (a, b) => a + b\r\n',
      mode: 0o644,
    },
    {
      path: 'test/new ünïcode.test.js',
      baseHash: null,
      baseContent: null,
      content: '\uFEFFimport { sum } from "../src/sum.js"\n',
      mode: null,
    },
  ],
})

describe('staged fixes', () => {
  it('round-trips a fix through .fixloop/fixes/<taskId>.json, text exactly kept', async () => {
    await saveStagedFix(root, fix())
    expect(await loadStagedFix(root, 'task_1')).toEqual(fix())
    const stored = JSON.parse(
      await readFile(join(root, '.fixloop', 'fixes', 'task_1.json'), 'utf8'),
    )
    expect(stored.version).toBe(1)
    // The state folder keeps itself out of the project's git
    expect(await readFile(join(root, '.fixloop', '.gitignore'), 'utf8')).toBe('*\n')
  })

  it('replaces an earlier fix of the same task', async () => {
    await saveStagedFix(root, fix())
    const again = fix()
    again.files = again.files.slice(0, 1)
    await saveStagedFix(root, again)
    expect((await loadStagedFix(root, 'task_1'))?.files).toHaveLength(1)
    // No temp file is left beside it
    expect(await readdir(join(root, '.fixloop', 'fixes'))).toEqual(['task_1.json'])
  })

  it('gives null for a task without a staged fix', async () => {
    expect(await loadStagedFix(root, 'task_none')).toBeNull()
  })

  it('throws UnreadableStagedFix, naming the file, when it is corrupt', async () => {
    await saveStagedFix(root, fix())
    const file = stagedFixFile(root, 'task_1')
    await writeFile(file, '{"version": 1, "taskId": "task_1", "files": [')
    const notJson = loadStagedFix(root, 'task_1')
    await expect(notJson).rejects.toThrow(UnreadableStagedFix)
    await expect(notJson).rejects.toThrow(`The staged fix ${file} is not valid JSON`)

    const tampered = JSON.parse(JSON.stringify({ version: 1, ...fix() }))
    tampered.files[0].baseContent = 'something else\n'
    await writeFile(file, JSON.stringify(tampered))
    await expect(loadStagedFix(root, 'task_1')).rejects.toThrow(
      /unreadable \(files\.0: baseHash is not the hash of baseContent\); discard it/,
    )

    await writeFile(file, JSON.stringify({ ...fix(), version: 2 }))
    await expect(loadStagedFix(root, 'task_1')).rejects.toThrow(UnreadableStagedFix)
    await writeFile(file, JSON.stringify({ ...fix('task_2'), version: 1 }))
    await expect(loadStagedFix(root, 'task_1')).rejects.toThrow(/belongs to task task_2/)
  })

  it('refuses to stage a malformed fix, writing nothing', async () => {
    const cases: [string, (f: StagedFix) => void, RegExp][] = [
      [
        'a path out of the project',
        (f) => (f.files[0]!.path = '../outside.js'),
        /project-relative/,
      ],
      ['an absolute path', (f) => (f.files[0]!.path = '/etc/passwd'), /project-relative/],
      ['a path twice', (f) => (f.files[1]!.path = 'src/sum.js'), /more than once/],
      ['no file', (f) => (f.files = []), /files/],
      ['a wrong base hash', (f) => (f.files[0]!.baseHash = contentHash('x')), /not the hash/],
      ['a hash without base', (f) => (f.files[0]!.baseContent = null), /both be null/],
      ['a bad task id', (f) => (f.taskId = '../x'), /taskId/],
    ]
    for (const [what, spoil, why] of cases) {
      const bad = fix()
      spoil(bad)
      await expect(saveStagedFix(root, bad), what).rejects.toThrow(why)
    }
    expect(await listStagedFixes(root)).toEqual([])
  })

  it('discards a fix, and discarding none is no error', async () => {
    await saveStagedFix(root, fix())
    await discardStagedFix(root, 'task_1')
    expect(await loadStagedFix(root, 'task_1')).toBeNull()
    await expect(discardStagedFix(root, 'task_1')).resolves.toBeUndefined()
  })

  it('lists the staged fixes, unreadable ones included', async () => {
    expect(await listStagedFixes(root)).toEqual([])
    await saveStagedFix(root, fix('task_b'))
    await saveStagedFix(root, fix('task_a'))
    await writeFile(stagedFixFile(root, 'task_c'), 'not json')
    expect(await listStagedFixes(root)).toEqual(['task_a', 'task_b', 'task_c'])
  })

  it('refuses a task id that could leave the fixes folder', async () => {
    await expect(loadStagedFix(root, '../state')).rejects.toThrow(/invalid task id/)
    await expect(discardStagedFix(root, 'a/b')).rejects.toThrow(/invalid task id/)
  })
})

describe('isSafeRelativePath', () => {
  it('accepts plain project-relative paths and nothing else', () => {
    for (const ok of ['a.js', 'src/a.js', '.github/x.yml', 'a..b/c', '..x']) {
      expect(isSafeRelativePath(ok), ok).toBe(true)
    }
    for (const bad of ['', '/a', 'C:/a', 'a/../b', '..', './a', 'a//b', 'a/', 'a\\b', 'a\0b']) {
      expect(isSafeRelativePath(bad), bad).toBe(false)
    }
  })
})
