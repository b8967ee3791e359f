import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { FileIndex, type FileIndexOptions } from '../../../src/main/core/watch/file-index'
import { createIgnoreMatcher } from '../../../src/main/core/watch/ignore-rules'
import { Watcher } from '../../../src/main/core/watch/watcher'
import { tempProject, until } from './support/temp-project'

const cleanup: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function setup(files: Record<string, string>, options: Partial<FileIndexOptions> = {}) {
  const project = await tempProject(files)
  cleanup.push(project.remove)
  const index = new FileIndex({
    root: project.root,
    matcher: createIgnoreMatcher({ root: project.root, userPatterns: ['*.secret'] }),
    ...options,
  })
  cleanup.push(() => index.dispose())
  return { project, index }
}

const sorted = (index: FileIndex) => [...index.files()].sort()

describe('FileIndex: the walk', () => {
  it('lists the files the watcher would see once started, and not before', async () => {
    const { index } = await setup({
      'src/a.ts': '',
      'src/deep/b.ts': '',
      'node_modules/x/index.js': '',
      'dist/a.js': '',
      'notes.secret': '',
      'generated/c.ts': '',
      '.gitignore': 'generated/\n',
    })
    expect(index.state).toBe('idle')
    expect(index.size).toBe(0)
    await index.start()
    expect(index.ready).toBe(true)
    expect(sorted(index)).toEqual(['.gitignore', 'src/a.ts', 'src/deep/b.ts'])
  })

  it('does not enter the folders `skipFolder` names', async () => {
    const { index } = await setup(
      { 'src/a.ts': '', '.github/workflows/ci.js': '', 'src/.cache/b.ts': '' },
      { skipFolder: (name) => name.startsWith('.') },
    )
    await index.start()
    expect(sorted(index)).toEqual(['src/a.ts'])
  })

  it('yields to the event loop while it walks', async () => {
    const files = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`f/${i}.ts`, '']))
    const { index } = await setup(files, { chunk: 50 })
    let turns = 0
    const tick = setInterval(() => turns++, 0)
    cleanup.push(() => clearInterval(tick))
    const walking = index.start()
    expect(index.ready).toBe(false)
    await walking
    expect(index.size).toBe(400)
    // 400 entries in chunks of 50: timers ran between the chunks
    expect(turns).toBeGreaterThan(2)
  })

  it('stops at maxFiles and says so once', async () => {
    const warnings: string[] = []
    const { index } = await setup(
      { 'a.ts': '', 'b.ts': '', 'c.ts': '' },
      { maxFiles: 2, onWarning: (m) => warnings.push(m) },
    )
    await index.start()
    expect(index.size).toBe(2)
    expect(index.truncated).toBe(true)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/stopped at 2 files/)
  })
})

describe('FileIndex: notes', () => {
  it('takes in created files and drops deleted ones', async () => {
    const { project, index } = await setup({ 'src/a.ts': '', 'src/b.ts': '' })
    await index.start()
    await project.write('src/c.ts')
    await rm(project.file('src/a.ts'))
    index.noteChanged(['src/c.ts', 'src/a.ts'])
    await index.settled()
    expect(sorted(index)).toEqual(['src/b.ts', 'src/c.ts'])
  })

  it('drops everything below a deleted folder, and ignores what the rules ignore', async () => {
    const { project, index } = await setup({ 'old/a.ts': '', 'old/sub/b.ts': '', 'keep.ts': '' })
    await index.start()
    await rm(project.file('old'), { recursive: true })
    await project.write('x.secret')
    index.noteChanged(['old', 'x.secret'])
    await index.settled()
    expect(sorted(index)).toEqual(['keep.ts'])
  })

  it('lists a folder that appears, as when one is moved in', async () => {
    const { project, index } = await setup({ 'a.ts': '' })
    await index.start()
    await mkdir(project.file('moved/sub'), { recursive: true })
    await writeFile(project.file('moved/sub/c.ts'), '')
    index.noteChanged(['moved'])
    await index.settled()
    expect(sorted(index)).toEqual(['a.ts', 'moved/sub/c.ts'])
  })

  it('applies notes taken during the walk after it, so the walk cannot undo them', async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f/${i}.ts`, '']))
    const { project, index } = await setup({ ...files, 'gone.ts': '' }, { chunk: 10 })
    const walking = index.start()
    await rm(project.file('gone.ts'))
    await project.write('new.ts')
    index.noteChanged(['gone.ts', 'new.ts'])
    await walking
    await index.settled()
    expect(index.has('gone.ts')).toBe(false)
    expect(index.has('new.ts')).toBe(true)
    expect(index.size).toBe(301)
  })

  it('walks again when a .gitignore changes', async () => {
    const { project, index } = await setup({ 'a.ts': '', 'gen/b.ts': '' })
    await index.start()
    await project.write('.gitignore', 'gen/\n')
    index.noteChanged(['.gitignore'])
    await index.settled()
    expect(index.ready).toBe(false)
    await until(() => index.ready, 5000, 'the walk again')
    expect(sorted(index)).toEqual(['.gitignore', 'a.ts'])
  })

  it('drops notes before it is started: the walk will see the tree as it is', async () => {
    const { project, index } = await setup({ 'a.ts': '' })
    await project.write('b.ts')
    index.noteChanged(['b.ts', 'a.ts'])
    await index.settled()
    expect(index.size).toBe(0)
    await index.start()
    expect(sorted(index)).toEqual(['a.ts', 'b.ts'])
  })
})

describe('FileIndex: the watcher’s batches', () => {
  async function watched(files: Record<string, string>) {
    const { project, index } = await setup(files)
    const watcher = new Watcher({
      root: project.root,
      ignore: createIgnoreMatcher({ root: project.root, userPatterns: ['*.secret'] }),
      debounceMs: 80,
      pollIntervalMs: 50,
    })
    cleanup.push(() => watcher.stop())
    // As the engine wires it: every batch, deleted files included, is a note
    watcher.on('batch', (batch) => index.noteChanged(batch.files))
    await watcher.start()
    await index.start()
    return { project, index }
  }

  // A deletion waits one more window (it may be half an atomic save): batches come in twice
  const settles = (index: FileIndex, expected: string[]) =>
    until(
      () => JSON.stringify(sorted(index)) === JSON.stringify(expected),
      5000,
      `the index to hold ${expected.join(', ')} (it holds ${sorted(index).join(', ')})`,
    )

  it('keeps up with created, deleted and ignored files', async () => {
    const { project, index } = await watched({ 'src/a.ts': '', 'src/b.ts': '' })
    await project.write('src/c.ts')
    await project.write('src/d.secret')
    await rm(project.file('src/b.ts'))
    await settles(index, ['src/a.ts', 'src/c.ts'])
  })

  it('follows a renamed file and a renamed folder', async () => {
    const { project, index } = await watched({
      'src/a.ts': '',
      'lib/x.ts': '',
      'lib/deep/y.ts': '',
    })
    await rename(project.file('src/a.ts'), project.file('src/renamed.ts'))
    await rename(project.file('lib'), project.file('pkg'))
    await settles(index, ['pkg/deep/y.ts', 'pkg/x.ts', 'src/renamed.ts'])
  })
})

describe('FileIndex.track', () => {
  it('judges each file once, as it is walked or noted, and bumps its version on change', async () => {
    const { project, index } = await setup({ 'a.test.ts': '', 'b.ts': '' })
    const asked: string[] = []
    const tests = index.track((rel) => {
      asked.push(rel)
      return rel.endsWith('.test.ts') ? true : undefined
    })
    await index.start()
    expect([...tests.map.keys()]).toEqual(['a.test.ts'])
    const version = tests.version
    await project.write('c.test.ts')
    index.noteChanged(['c.test.ts', 'b.ts'])
    await index.settled()
    expect([...tests.map.keys()].sort()).toEqual(['a.test.ts', 'c.test.ts'])
    expect(tests.version).toBeGreaterThan(version)
    // b.ts was noted again but is already known: not judged twice
    expect(asked.sort()).toEqual(['a.test.ts', 'b.ts', 'c.test.ts'])
  })

  it('registered after the walk, takes in the files indexed so far', async () => {
    const { index } = await setup({ 'a.test.ts': '', 'b.ts': '' })
    await index.start()
    const tests = index.track((rel) => (rel.endsWith('.test.ts') ? true : undefined))
    expect([...tests.map.keys()]).toEqual(['a.test.ts'])
  })
})
