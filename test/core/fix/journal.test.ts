import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSandboxedEditor } from '../../../src/main/core/fix/editor'
import { ABSENT_FILE_HASH, Journal, journalFile } from '../../../src/main/core/fix/journal'
import { siblingTempPathFor, tempPathFor } from '../../../src/main/core/fix/atomic-file'
import { systemClock } from '../../../src/main/core/util/clock'
import { contentHash } from '../../../src/main/core/util/hash'
import { treeHash } from './tree-hash'

let root: string
let registered: [string, string][]
const fixedClock = (now: number) => ({ ...systemClock, now: () => now })
const ownWrites = { register: (path: string, hash: string) => registered.push([path, hash]) }

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-journal-')))
  registered = []
  await mkdir(join(root, 'src'))
  await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1\n')
  await writeFile(join(root, 'src', 'b.ts'), 'export const b = 2\r\n')
  await writeFile(join(root, 'README.md'), '# readme\n')
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

/** A fixer's worth of edits through the real editor. */
async function makeEdits(taskId: string) {
  const journal = await Journal.open(root, taskId, { ownWrites })
  const editor = createSandboxedEditor({ root, journal })
  const calls = [
    { command: 'str_replace', path: 'src/a.ts', old_str: '= 1', new_str: '= 10' },
    { command: 'str_replace', path: 'src/a.ts', old_str: '= 10', new_str: '= 100' },
    { command: 'create', path: 'src/new/deep/c.ts', file_text: 'export const c = 3\n' },
    { command: 'create', path: 'src/d.ts', file_text: 'export const d = 4\n' },
    { command: 'insert', path: 'src/b.ts', insert_line: 0, insert_text: '// header' },
  ]
  for (const call of calls) {
    const result = await editor.execute(call)
    expect(result.isError, result.content).toBe(false)
  }
  return journal
}

describe('rollback', () => {
  it('leaves the tree byte-identical, created files and directories removed', async () => {
    const before = await treeHash(root)
    const journal = await makeEdits('task_rb')
    expect(await treeHash(root)).not.toBe(before)
    const report = await journal.rollback()
    expect(report).toMatchObject({
      ok: true,
      restored: ['src/b.ts', 'src/a.ts'],
      deleted: ['src/d.ts', 'src/new/deep/c.ts'],
      conflicts: [],
      errors: [],
      removedDirs: ['src/new/deep', 'src/new'],
    })
    expect(await treeHash(root)).toBe(before)
    expect(journal.status).toBe('rolled_back')
  })

  it('registers every restored hash and removed folder, so the rollback never starts a task', async () => {
    const journal = await makeEdits('task_rb_own')
    registered = []
    await journal.rollback()
    expect(registered).toEqual(
      expect.arrayContaining([
        [join(root, 'src', 'a.ts'), contentHash('export const a = 1\n')],
        [join(root, 'src', 'b.ts'), contentHash('export const b = 2\r\n')],
        [join(root, 'src', 'd.ts'), ABSENT_FILE_HASH],
        [join(root, 'src', 'new', 'deep', 'c.ts'), ABSENT_FILE_HASH],
        // A folder's disappearance reaches the watcher as a deleted path too
        [join(root, 'src', 'new', 'deep'), ABSENT_FILE_HASH],
        [join(root, 'src', 'new'), ABSENT_FILE_HASH],
      ]),
    )
    expect(registered).toHaveLength(6)
  })

  it('restores bytes that are not UTF-8 and keeps permission bits', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3])
    await writeFile(join(root, 'blob.bin'), bytes)
    await chmod(join(root, 'blob.bin'), 0o751)
    const journal = await Journal.open(root, 'task_bytes')
    await journal.record({ path: 'blob.bin', before: bytes, after: 'text now\n', mode: 0o751 })
    await writeFile(join(root, 'blob.bin'), 'text now\n')
    await chmod(join(root, 'blob.bin'), 0o644)
    const reopened = await Journal.open(root, 'task_bytes')
    expect((await reopened.rollback()).ok).toBe(true)
    expect(Buffer.compare(await readFile(join(root, 'blob.bin')), bytes)).toBe(0)
    if (process.platform !== 'win32') {
      expect((await stat(join(root, 'blob.bin'))).mode & 0o777).toBe(0o751)
    }
  })

  it('leaves a file someone else changed since, and says so', async () => {
    const journal = await makeEdits('task_conflict')
    await writeFile(join(root, 'src', 'a.ts'), 'my own work\n')
    const report = await journal.rollback()
    expect(report.ok).toBe(false)
    expect(report.conflicts).toEqual([
      { path: 'src/a.ts', reason: 'changed by someone else since Fixloop wrote it' },
    ])
    expect(report.message).toMatch(/Left alone \(changed by someone else\): src\/a\.ts\./)
    expect(await readFile(join(root, 'src', 'a.ts'), 'utf8')).toBe('my own work\n')
    expect(await readFile(join(root, 'src', 'b.ts'), 'utf8')).toBe('export const b = 2\r\n')
  })

  it('overrides the conflict check when forced', async () => {
    const journal = await makeEdits('task_force')
    await writeFile(join(root, 'src', 'a.ts'), 'my own work\n')
    expect((await journal.rollback({ force: true })).ok).toBe(true)
    expect(await readFile(join(root, 'src', 'a.ts'), 'utf8')).toBe('export const a = 1\n')
  })

  it('recovers after a crash between the journal write and the file write', async () => {
    const before = await treeHash(root)
    const journal = await Journal.open(root, 'task_crash')
    // The journal is written; the process dies before the file is, leaving a temp file behind.
    await journal.record({
      path: 'src/a.ts',
      before: Buffer.from('export const a = 1\n'),
      after: 'x',
    })
    await writeFile(tempPathFor(root, 'task_crash', 'src/a.ts'), 'x')
    await writeFile(siblingTempPathFor(join(root, 'src', 'a.ts'), 'task_crash'), 'x')
    await journal.record({ path: 'src/e.ts', before: null, after: 'e' })
    const open = await Journal.listOpen(root)
    expect(open.map((j) => [j.taskId, j.paths])).toEqual([['task_crash', ['src/a.ts', 'src/e.ts']]])
    const report = await (await Journal.open(root, 'task_crash')).rollback()
    expect(report).toMatchObject({ ok: true, unchanged: ['src/e.ts', 'src/a.ts'] })
    expect(await treeHash(root)).toBe(before)
    expect(await Journal.listOpen(root)).toEqual([])
    expect(await readdir(join(root, '.fixloop', 'tmp'))).toEqual([])
  })
})

describe('undo', () => {
  it('restores a completed task', async () => {
    const before = await treeHash(root)
    const journal = await makeEdits('task_undo')
    await journal.complete()
    const report = await (await Journal.open(root, 'task_undo')).undo()
    expect(report.ok).toBe(true)
    expect(report.message).toBe('Undid 2 restored, 2 created file(s) deleted.')
    expect(await treeHash(root)).toBe(before)
  })

  it('refuses, naming the files and touching nothing, when a file changed since', async () => {
    const journal = await makeEdits('task_undo_refused')
    await journal.complete()
    await writeFile(join(root, 'src', 'a.ts'), 'edited by hand\n')
    await unlink(join(root, 'src', 'd.ts'))
    const after = await treeHash(root)
    const report = await journal.undo()
    expect(report.ok).toBe(false)
    expect(report.message).toBe(
      'Undo refused: src/a.ts (changed), src/d.ts (deleted) changed since the fix; nothing was undone.',
    )
    expect(report.conflicts.map((c) => c.path)).toEqual(['src/a.ts', 'src/d.ts'])
    expect(await treeHash(root)).toBe(after)
    expect(journal.status).toBe('completed')
  })

  it('refuses a task that was not completed', async () => {
    const journal = await makeEdits('task_open')
    const report = await journal.undo()
    expect(report).toMatchObject({ ok: false, message: "Undo refused: the task's edits are open." })
  })
})

describe('the journal file', () => {
  it('is written before the file changes and keeps the first content per file', async () => {
    const journal = await Journal.open(root, 'task_file')
    expect(await readdir(root)).not.toContain('.fixloop')
    await journal.record({
      path: 'src/a.ts',
      before: Buffer.from('export const a = 1\n'),
      after: 'second\n',
    })
    await journal.record({ path: 'src/a.ts', before: Buffer.from('second\n'), after: 'third\n' })
    const data = JSON.parse(await readFile(journalFile(root, 'task_file'), 'utf8'))
    expect(data.files).toHaveLength(1)
    expect(data.files[0]).toMatchObject({
      path: 'src/a.ts',
      hashBefore: contentHash('export const a = 1\n'),
      contentBefore: 'export const a = 1\n',
      hashAfter: contentHash('third\n'),
    })
    expect(data.edits.map((e: { hashAfter: string }) => e.hashAfter)).toEqual([
      contentHash('second\n'),
      contentHash('third\n'),
    ])
    expect(await readFile(join(root, '.fixloop', '.gitignore'), 'utf8')).toBe('*\n')
  })

  it('gives a diff per edit and one for what stands', async () => {
    const journal = await makeEdits('task_diff')
    expect(journal.edits()[1]?.diff).toBe(
      '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-export const a = 10\n+export const a = 100\n',
    )
    const edits = journal.fileEdits()
    expect(edits.map((e) => e.path)).toEqual([
      'src/a.ts',
      'src/new/deep/c.ts',
      'src/d.ts',
      'src/b.ts',
    ])
    expect(edits[0]?.diff).toContain('-export const a = 1\n+export const a = 100')
    expect(edits[1]?.diff).toBe(
      '--- /dev/null\n+++ b/src/new/deep/c.ts\n@@ -0,0 +1 @@\n+export const c = 3\n',
    )
    expect(journal.diff()).toContain(
      '+++ b/src/b.ts\n@@ -1 +1,2 @@\n+// header\n export const b = 2',
    )
    expect(journal.changes()[0]).toEqual({
      path: 'src/a.ts',
      before: 'export const a = 1\n',
      after: 'export const a = 100\n',
    })
  })

  it('lists unreadable journals without failing, and skips them as open ones', async () => {
    await makeEdits('task_ok')
    await writeFile(join(root, '.fixloop', 'journal', 'task_bad.json'), '{"nope":')
    const all = await Journal.list(root)
    expect(all.map((j) => [j.taskId, j.status])).toEqual([
      ['task_bad', 'unreadable'],
      ['task_ok', 'open'],
    ])
    expect((await Journal.listOpen(root)).map((j) => j.taskId)).toEqual(['task_ok'])
    await expect(Journal.open(root, 'task_bad')).rejects.toThrow(/task_bad\.json is unreadable/)
  })

  it('refuses a task id that could escape the journal directory', async () => {
    await expect(Journal.open(root, '../../etc/passwd')).rejects.toThrow(/invalid task id/)
  })

  it('is removed by remove()', async () => {
    const journal = await makeEdits('task_remove')
    await journal.remove()
    expect(await Journal.list(root)).toEqual([])
  })

  it('prunes finished journals that are no longer kept, never open or unreadable ones', async () => {
    const done = await makeEdits('task_done')
    await done.complete()
    const kept = await makeEdits('task_kept')
    await kept.complete()
    await makeEdits('task_running')
    await writeFile(join(root, '.fixloop', 'journal', 'task_bad.json'), '{')
    expect(await Journal.prune(root, new Set(['task_kept']))).toEqual(['task_done'])
    expect((await Journal.list(root)).map((j) => j.taskId)).toEqual([
      'task_bad',
      'task_kept',
      'task_running',
    ])
  })
})

describe('runs and attempts', () => {
  it('continues an open journal and starts a finished one afresh', async () => {
    const first = await makeEdits('task_rerun')
    expect((await Journal.begin(root, 'task_rerun')).paths()).toEqual(first.paths())
    await first.rollback()
    const second = await Journal.begin(root, 'task_rerun')
    expect(second.status).toBe('open')
    expect(second.paths()).toEqual([])
    await second.complete()
    // A run without edits still replaces the old journal, so undo cannot undo the earlier run.
    const reread = await Journal.open(root, 'task_rerun')
    expect([reread.status, reread.paths()]).toEqual(['completed', []])
  })

  it('starts a rolled-back journal afresh on the next write, so a retried task can edit again', async () => {
    const before = await treeHash(root)
    await (await makeEdits('task_retry')).rollback()
    const journal = await Journal.open(root, 'task_retry')
    expect(journal.status).toBe('rolled_back')
    const editor = createSandboxedEditor({ root, journal })
    const result = await editor.execute({ command: 'create', path: 'src/n/x.ts', file_text: 'x\n' })
    expect(result.isError, result.content).toBe(false)
    expect([journal.status, journal.paths()]).toEqual(['open', ['src/n/x.ts']])
    expect((await journal.rollback()).ok).toBe(true)
    expect(await treeHash(root)).toBe(before)
  })

  it('refuses new writes to a completed journal, keeping its undo data', async () => {
    const journal = await makeEdits('task_done_edit')
    await journal.complete()
    await expect(journal.record({ path: 'x', before: null, after: 'x' })).rejects.toThrow(
      /is completed; it takes no more edits/,
    )
    expect(journal.paths()).toHaveLength(4)
  })

  it('moves an unreadable journal aside instead of overwriting it', async () => {
    await mkdir(join(root, '.fixloop', 'journal'), { recursive: true })
    await writeFile(join(root, '.fixloop', 'journal', 'task_x.json'), 'garbage')
    const journal = await Journal.begin(root, 'task_x', { clock: fixedClock(1234) })
    expect(journal.status).toBe('open')
    expect(await readdir(join(root, '.fixloop', 'journal'))).toEqual(['task_x.json.corrupt-1234'])
  })

  it('rolls back between attempts and stays open, then the final rollback restores the original', async () => {
    const before = await treeHash(root)
    const journal = await makeEdits('task_attempts')
    const between = await journal.rollback({ keepOpen: true })
    expect(between.ok).toBe(true)
    expect(journal.status).toBe('open')
    expect(journal.paths()).toEqual([])
    expect(await treeHash(root)).toBe(before)
    const editor = createSandboxedEditor({ root, journal })
    await editor.execute({ command: 'create', path: 'src/other/z.ts', file_text: 'z\n' })
    await editor.execute({ command: 'str_replace', path: 'src/a.ts', old_str: '1', new_str: '2' })
    expect((await journal.rollback()).ok).toBe(true)
    expect(await treeHash(root)).toBe(before)
  })
})
