import { lstat, rename, writeFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { ReportedFiles } from '../../../src/main/core/watch/reported-files'
import { tempProject } from './support/temp-project'

const projects: Awaited<ReturnType<typeof tempProject>>[] = []
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.remove()))
})

describe('ReportedFiles', () => {
  it('tells a late event for an already reported state from a new change', async () => {
    const project = await tempProject({ 'a.ts': 'one' })
    projects.push(project)
    const reported = new ReportedFiles()
    reported.remember('a.ts', await lstat(project.file('a.ts')))
    expect(reported.unchanged('a.ts', await lstat(project.file('a.ts')))).toBe(true)
    // Same size, new content: the mtime moves
    await new Promise((resolve) => setTimeout(resolve, 5))
    await writeFile(project.file('a.ts'), 'two')
    expect(reported.unchanged('a.ts', await lstat(project.file('a.ts')))).toBe(false)
    // An atomic save gives a new inode
    reported.remember('a.ts', await lstat(project.file('a.ts')))
    await writeFile(project.file('a.tmp'), 'two')
    await rename(project.file('a.tmp'), project.file('a.ts'))
    expect(reported.unchanged('a.ts', await lstat(project.file('a.ts')))).toBe(false)
  })

  it('remembers deletions and forgets after the ttl', async () => {
    let now = 0
    const reported = new ReportedFiles({
      ttlMs: 100,
      clock: { now: () => now, setTimeout: () => ({}), clearTimeout: () => undefined },
    })
    reported.remember('gone.ts', null)
    expect(reported.unchanged('gone.ts', null)).toBe(true)
    expect(reported.unchanged('other.ts', null)).toBe(false)
    now = 100
    expect(reported.unchanged('gone.ts', null)).toBe(false)
  })

  it('drops expired states as new ones come, and keeps at most maxEntries', () => {
    let now = 0
    const reported = new ReportedFiles({
      ttlMs: 100,
      maxEntries: 3,
      clock: { now: () => now, setTimeout: () => ({}), clearTimeout: () => undefined },
    })
    for (const rel of ['a', 'b', 'c', 'd']) reported.remember(rel, null)
    expect(reported.size).toBe(3)
    expect(reported.unchanged('a', null)).toBe(false)
    now = 150
    reported.remember('e', null)
    expect(reported.size).toBe(1)
  })
})
