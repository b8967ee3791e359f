import { describe, expect, it } from 'vitest'
import { loadLoginShellPath, mergePaths, parseShellPath } from '../../src/main/app/shell-path-logic'

describe('login shell PATH', () => {
  it('reads the PATH between the markers despite a noisy profile', () => {
    expect(
      parseShellPath('welcome!\n__FIXLOOP_PATH__/opt/node/bin:/usr/bin__FIXLOOP_PATH__\nbye'),
    ).toBe('/opt/node/bin:/usr/bin')
    expect(parseShellPath('nothing here')).toBeNull()
  })

  it("puts the shell's entries first and keeps ours, without duplicates", () => {
    expect(mergePaths('/opt/node/bin:/usr/bin', '/usr/bin:/bin')).toBe(
      '/opt/node/bin:/usr/bin:/bin',
    )
  })

  it('asks a real login shell and merges what it says', async () => {
    const env: NodeJS.ProcessEnv = { SHELL: '/bin/sh', PATH: '/only/this', HOME: process.env.HOME }
    const r = await loadLoginShellPath(env, 'linux')
    expect(r.error).toBeUndefined()
    expect(env.PATH?.split(':')).toContain('/only/this')
    expect(env.PATH?.split(':').length).toBeGreaterThan(1)
  })

  it('leaves Windows alone', async () => {
    const env: NodeJS.ProcessEnv = { PATH: 'C:\\x' }
    expect(await loadLoginShellPath(env, 'win32')).toEqual({ changed: false })
    expect(env.PATH).toBe('C:\\x')
  })
})
