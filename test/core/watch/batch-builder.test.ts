import { rm, symlink, writeFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { contentHash } from '../../../src/main/core/util/hash'
import { buildBatch, type BuildBatchOptions } from '../../../src/main/core/watch/batch-builder'
import type { ChangeType, PendingChange } from '../../../src/main/core/watch/change-batcher'
import { createIgnoreMatcher } from '../../../src/main/core/watch/ignore-rules'
import { OwnWrites } from '../../../src/main/core/watch/own-writes'
import { ReportedFiles } from '../../../src/main/core/watch/reported-files'
import { tempProject } from './support/temp-project'

const projects: Awaited<ReturnType<typeof tempProject>>[] = []
const links: string[] = []
afterEach(async () => {
  await Promise.all(links.splice(0).map((link) => rm(link, { force: true })))
  await Promise.all(projects.splice(0).map((p) => p.remove()))
})

async function setup(files: Record<string, string>) {
  const project = await tempProject(files)
  projects.push(project)
  const options: BuildBatchOptions = {
    root: project.root,
    matcher: createIgnoreMatcher({ root: project.root }),
    ownWrites: new OwnWrites(),
    reported: new ReportedFiles(),
    now: Date.now(),
    atomicGraceMs: 100,
    final: false,
  }
  return { project, options }
}

function changes(entries: Record<string, ChangeType>, at = Date.now()): Map<string, PendingChange> {
  return new Map(
    Object.entries(entries).map(([rel, type]) => [rel, { type, firstAt: at, lastAt: at }]),
  )
}

describe('buildBatch', () => {
  it('holds a fresh deletion over (half an atomic save) unless it is the final batch', async () => {
    const { options } = await setup({ 'a.ts': 'a' })
    const window = changes({ 'gone.ts': 'delete' })
    const held = await buildBatch(window, options)
    expect(held.files).toEqual([])
    expect([...held.carry.keys()]).toEqual(['gone.ts'])
    const final = await buildBatch(window, { ...options, final: true })
    expect(final).toMatchObject({ files: ['gone.ts'], deleted: ['gone.ts'] })
  })

  it('reports an older deletion at once', async () => {
    const { options } = await setup({ 'a.ts': 'a' })
    const built = await buildBatch(changes({ 'gone.ts': 'delete' }, Date.now() - 500), options)
    expect(built).toMatchObject({ files: ['gone.ts'], deleted: ['gone.ts'] })
    expect(built.carry.size).toBe(0)
  })

  it('drops an own write registered under another spelling of the root (a symlink)', async () => {
    const { project, options } = await setup({ 'a.ts': 'mine', 'b.ts': 'theirs' })
    const alias = `${project.root}-link`
    await symlink(project.root, alias)
    links.push(alias)
    options.ownWrites.register(`${alias}/a.ts`, contentHash('mine'))
    const built = await buildBatch(changes({ 'a.ts': 'update', 'b.ts': 'update' }), {
      ...options,
      alias,
    })
    expect(built.files).toEqual(['b.ts'])
  })

  it('does not report a file twice in the same state, but does after it changed', async () => {
    const { project, options } = await setup({ 'a.ts': 'a' })
    expect((await buildBatch(changes({ 'a.ts': 'update' }), options)).files).toEqual(['a.ts'])
    expect((await buildBatch(changes({ 'a.ts': 'update' }), options)).files).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 5))
    await writeFile(project.file('a.ts'), 'b')
    expect((await buildBatch(changes({ 'a.ts': 'update' }), options)).files).toEqual(['a.ts'])
  })

  it("lists a created folder's files, not its ignored ones, and never a folder itself", async () => {
    const { options } = await setup({
      'feature/x.ts': 'x',
      'feature/deep/y.ts': 'y',
      'feature/node_modules/z.js': 'z',
      'feature/x.ts~': 'backup',
      'old/keep.ts': 'k',
    })
    const built = await buildBatch(changes({ feature: 'create', old: 'update' }), options)
    expect(built.files).toEqual(['feature/deep/y.ts', 'feature/x.ts'])
  })
})
