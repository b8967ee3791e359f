import { mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveCacheDir, ShadowError, ShadowPool } from '../../../src/main/core/shadow'
import { createIgnoreMatcher } from '../../../src/main/core/watch/ignore-rules'
import { shadowFixture } from './support/shadow-project'
import type { ShadowFixture } from './support/shadow-project'

const fixtures: ShadowFixture[] = []
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()))
})

describe('resolveCacheDir', () => {
  const home = '/home/ada'
  it('uses XDG_CACHE_HOME on Linux, else ~/.cache', () => {
    expect(
      resolveCacheDir({ env: { XDG_CACHE_HOME: '/xdg' }, platform: 'linux', homedir: home }),
    ).toBe('/xdg/fixloop')
    expect(resolveCacheDir({ env: {}, platform: 'linux', homedir: home })).toBe(
      '/home/ada/.cache/fixloop',
    )
    // The XDG spec says a relative value is to be ignored
    expect(
      resolveCacheDir({ env: { XDG_CACHE_HOME: 'rel' }, platform: 'linux', homedir: home }),
    ).toBe('/home/ada/.cache/fixloop')
  })

  it('uses ~/Library/Caches on macOS and %LOCALAPPDATA% on Windows', () => {
    expect(resolveCacheDir({ env: {}, platform: 'darwin', homedir: home })).toBe(
      '/home/ada/Library/Caches/fixloop',
    )
    expect(
      resolveCacheDir({
        env: { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' },
        platform: 'win32',
        homedir: 'C:\\Users\\ada',
      }),
    ).toBe('C:\\Users\\ada\\AppData\\Local\\fixloop')
    expect(resolveCacheDir({ env: {}, platform: 'win32', homedir: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Local\\fixloop',
    )
  })

  it('lets FIXLOOP_CACHE_DIR override it', () => {
    expect(
      resolveCacheDir({
        env: { FIXLOOP_CACHE_DIR: '/srv/cache', XDG_CACHE_HOME: '/xdg' },
        platform: 'linux',
        homedir: home,
      }),
    ).toBe('/srv/cache')
  })
})

describe('ShadowPool.open', () => {
  it('names the pool folder after the project, with a hash of its real path', () => {
    const f = shadowFixture()
    fixtures.push(f)
    const pool = f.pool()
    expect(path.dirname(pool.dir)).toBe(path.join(f.cacheDir, 'shadows'))
    expect(path.basename(pool.dir)).toMatch(/^project-[0-9a-f]{12}$/)
    // The same project reached through another spelling is the same pool
    const again = f.pool({ projectRoot: `${f.root}/./` })
    expect(again.dir).toBe(pool.dir)
  })

  it('refuses a cache folder inside the project that the matcher does not ignore', () => {
    const f = shadowFixture({ 'a.ts': 'a\n' })
    fixtures.push(f)
    const open = () => f.pool({ cacheDir: path.join(f.root, 'cache') })
    expect(open).toThrow(ShadowError)
    expect(open).toThrow(
      /inside the project .* not ignored.*FIXLOOP_CACHE_DIR.*"cache\/shadows\/project-[0-9a-f]{12}\/"/,
    )
  })

  it('accepts one inside the project where it is ignored (a project in the home folder, ~/.cache ignored)', async () => {
    const f = shadowFixture({ 'a.ts': 'a\n' })
    fixtures.push(f)
    mkdirSync(f.file('.cache'))
    const pool = f.pool({ cacheDir: path.join(f.root, '.cache', 'fixloop') })
    await pool.prepare()
    const lease = await pool.lease([])
    // The shadow does not hold the cache (and so not itself)
    expect(lease.root.startsWith(f.root)).toBe(true)
    expect(readdirSync(lease.root)).toEqual(['a.ts'])
    await lease.release()
  })

  it('refuses a cache folder reached through a symlink into the project', () => {
    const f = shadowFixture({ 'a.ts': 'a\n' })
    fixtures.push(f)
    mkdirSync(f.file('data'))
    const alias = path.join(f.base, 'alias')
    symlinkSync(f.file('data'), alias)
    expect(() => f.pool({ cacheDir: alias })).toThrow(/inside the project/)
  })

  it('refuses a project root that is missing, with the path and the reason', () => {
    expect(() =>
      ShadowPool.open({
        projectRoot: '/no/such/project',
        ignore: createIgnoreMatcher({ root: '/no/such/project' }),
      }),
    ).toThrow(/\/no\/such\/project: ENOENT/)
  })
})
