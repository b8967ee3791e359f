import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { removeLeftoverTemps, writeFileAtomic } from '../../../src/main/core/state/atomic-write'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})
async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'fixloop-atomic-'))
  dirs.push(d)
  return d
}

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file behind', async () => {
    const d = await dir()
    const file = join(d, 'state.json')
    await writeFile(file, 'old')
    await writeFileAtomic(file, 'new')
    expect(await readFile(file, 'utf8')).toBe('new')
    expect(await readdir(d)).toEqual(['state.json'])
  })

  it('skips the directory fsync on Windows and still writes', async () => {
    const d = await dir()
    await writeFileAtomic(join(d, 'state.json'), 'win', { platform: 'win32' })
    expect(await readFile(join(d, 'state.json'), 'utf8')).toBe('win')
  })

  it('fails without touching the target when the rename cannot happen', async () => {
    const d = await dir()
    const target = join(d, 'is-a-dir')
    await writeFile(join(d, 'keep'), '')
    await import('node:fs/promises').then((fs) =>
      fs.mkdir(join(target, 'child'), { recursive: true }),
    )
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow()
    expect((await readdir(d)).sort()).toEqual(['is-a-dir', 'keep'])
  })
})

describe('removeLeftoverTemps', () => {
  it('removes only temp files of that state file', async () => {
    const d = await dir()
    const file = join(d, 'state.json')
    await writeFile(`${file}.tmp-1-1`, '{')
    await writeFile(join(d, 'other.json.tmp-1-1'), '{')
    await writeFile(`${file}.corrupt-x`, '{')
    expect(await removeLeftoverTemps(file)).toEqual([`${file}.tmp-1-1`])
    expect((await readdir(d)).sort()).toEqual(['other.json.tmp-1-1', 'state.json.corrupt-x'])
  })
})
