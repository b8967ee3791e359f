/**
 * Fixloop's own writes to the user's tree, seen by a real watcher: applying a fix and undoing it
 * (folders the fix created included) must never come back as a change that starts a task.
 */
import { readFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { applyFix } from '../../../src/main/core/fix/apply-fix'
import { createSandboxedEditor } from '../../../src/main/core/fix/editor'
import { Journal } from '../../../src/main/core/fix/journal'
import type { StagedFix } from '../../../src/main/core/fix/staged-fix'
import { contentHash } from '../../../src/main/core/util/hash'
import { Watcher } from '../../../src/main/core/watch/watcher'
import { collectBatches, tempProject, until } from '../watch/support/temp-project'

const cleanup: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

const INDEX = Array.from({ length: 20 }, (_, i) => `export const v${i} = ${i}\n`).join('')

async function watched(backend: 'native' | 'polling') {
  const project = await tempProject({ 'lib/index.js': INDEX })
  cleanup.push(project.remove)
  const watcher = new Watcher({
    root: project.root,
    backend,
    debounceMs: 100,
    maxWaitMs: 2000,
    pollIntervalMs: 50,
  })
  cleanup.push(() => watcher.stop())
  await watcher.start()
  const batches = collectBatches(watcher)
  let sentinels = 0
  /**
   * Every file the watcher has reported so far, once all events up to now are in: a sentinel file
   * written last must arrive, then a flush settles what was held back (a recent deletion waits one
   * window for a re-creation).
   */
  async function reported(): Promise<string[]> {
    const name = `sentinel-${++sentinels}.txt`
    await project.write(name)
    await until(() => batches.some((b) => b.files.includes(name)), 10_000, `the ${name} batch`)
    await watcher.flush()
    return batches.flatMap((b) => b.files).filter((f) => !f.startsWith('sentinel-'))
  }
  return { project, watcher, reported }
}

describe.each(['native', 'polling'] as const)('own writes seen by a watcher (%s)', (backend) => {
  it('undoing a fix that created lib/helpers/x.js starts no task, folder removal included', async () => {
    const { project, watcher, reported } = await watched(backend)
    const journal = await Journal.begin(project.root, 'task_dirs', {
      ownWrites: watcher.ownWrites,
    })
    const editor = createSandboxedEditor({
      root: project.root,
      journal,
      ownWrites: watcher.ownWrites,
    })
    const created = await editor.execute({
      command: 'create',
      path: 'lib/helpers/x.js',
      file_text: 'export const x = 1\n',
    })
    expect(created.isError, created.content).toBe(false)
    await journal.complete()
    expect(await reported()).toEqual([])

    const undo = await journal.undo()
    expect(undo).toMatchObject({
      ok: true,
      deleted: ['lib/helpers/x.js'],
      removedDirs: ['lib/helpers'],
    })
    expect(await reported()).toEqual([])
  })

  it('applying a fix that creates nested folders and merges an edit starts no task, nor its undo', async () => {
    const { project, watcher, reported } = await watched(backend)
    const fixed = INDEX.replace('v2 = 2', 'v2 = 20')
    const fix: StagedFix = {
      taskId: 'task_apply_dirs',
      createdAt: new Date(0).toISOString(),
      files: [
        {
          path: 'lib/index.js',
          baseHash: contentHash(INDEX),
          baseContent: INDEX,
          content: fixed,
          mode: 0o644,
        },
        {
          path: 'lib/helpers/deep/y.js',
          baseHash: null,
          baseContent: null,
          content: 'export const y = 2\n',
          mode: 0o644,
        },
      ],
    }
    // The user's own edit, far from the fix's: reported as theirs, then merged with the fix
    await project.write('lib/index.js', INDEX.replace('v17 = 17', 'v17 = 170'))
    expect(await reported()).toEqual(['lib/index.js'])

    const report = await applyFix(project.root, fix, { ownWrites: watcher.ownWrites })
    expect(report).toMatchObject({ ok: true, merged: ['lib/index.js'] })
    expect(await readFile(project.file('lib/index.js'), 'utf8')).toBe(
      fixed.replace('v17 = 17', 'v17 = 170'),
    )
    expect(await reported()).toEqual(['lib/index.js'])

    const journal = await Journal.open(project.root, fix.taskId, { ownWrites: watcher.ownWrites })
    expect(await journal.undo()).toMatchObject({
      ok: true,
      removedDirs: ['lib/helpers/deep', 'lib/helpers'],
    })
    expect(await reported()).toEqual(['lib/index.js'])
  })
})
