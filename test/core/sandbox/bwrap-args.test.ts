/** The bubblewrap command line, read as text (no bwrap needed). */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { bwrapArgs } from '../../../src/main/core/sandbox'
import { tempDir } from './support'

/** The [flag, src, dest] triples of the bind options, in order. */
function binds(argv: string[]): string[][] {
  const out: string[][] = []
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++)
    if (/^--(ro-)?bind(-try)?$/.test(argv[i] as string)) out.push(argv.slice(i, i + 3))
  return out
}

function setup() {
  const root = realpathSync(tempDir())
  const shadow = path.join(root, 'shadow')
  mkdirSync(shadow)
  return { root, shadow, tmpDir: path.join(root, 'tmp') }
}

describe('bwrapArgs', () => {
  it('confines the file system but keeps the network, and runs argv after --', () => {
    const { shadow, tmpDir } = setup()
    const argv = bwrapArgs(
      '/usr/bin/bwrap',
      ['node', '--test'],
      { cwd: shadow, writable: [shadow], tmpDir },
      { tmpdir: '/tmp' },
    )
    expect(argv[0]).toBe('/usr/bin/bwrap')
    for (const flag of ['--die-with-parent', '--unshare-pid', '--unshare-ipc', '--new-session'])
      expect(argv).toContain(flag)
    expect(argv.join(' ')).toContain('--cap-drop ALL')
    expect(argv.join(' ')).toContain('--ro-bind / / --dev /dev --proc /proc')
    expect(argv.some((a) => a.startsWith('--unshare-net') || a === '--unshare-all')).toBe(false)
    expect(argv.slice(-3)).toEqual(['--', 'node', '--test'])
    expect(argv.slice(-5, -3)).toEqual(['--chdir', shadow])
  })

  it('binds the private temp folder at /tmp and at os.tmpdir(), before the writable paths', () => {
    const { root, shadow, tmpDir } = setup()
    const otherTmp = path.join(root, 'os-tmp')
    mkdirSync(otherTmp)
    const reports = realpathSync(mkdtempSync('/tmp/fixloop-report-'))
    onTestFinished(() => rmSync(reports, { recursive: true, force: true }))
    const report = path.join(reports, 'not-yet')
    const argv = bwrapArgs(
      'bwrap',
      ['true'],
      { cwd: shadow, writable: [shadow, report], tmpDir },
      { tmpdir: otherTmp },
    )
    const b = binds(argv)
    const tmp = realpathSync(tmpDir)
    const at = (dest: string) => b.findIndex((x) => x[2] === dest)
    expect(b[at(realpathSync('/tmp'))]).toEqual(['--bind', tmp, realpathSync('/tmp')])
    expect(b[at(otherTmp)]).toEqual(['--bind', tmp, otherTmp])
    // A writable path under /tmp comes after the bind that replaces /tmp, or it would be hidden.
    expect(at(report)).toBeGreaterThan(at(realpathSync('/tmp')))
    expect(existsSync(report)).toBe(true)
  })

  it('binds deeper paths after shallower ones, so the most specific rule wins', () => {
    const { root, shadow, tmpDir } = setup()
    const inner = path.join(shadow, 'sub/dir')
    const argv = bwrapArgs(
      'bwrap',
      ['true'],
      { cwd: shadow, writable: [inner], tmpDir, readable: [shadow] },
      { tmpdir: '/tmp' },
    )
    const b = binds(argv).filter((x) => x[2]?.startsWith(root))
    expect(b).toEqual([
      ['--ro-bind-try', shadow, shadow],
      ['--bind', inner, inner],
    ])
  })

  it('re-binds the .git of a writable folder read-only, after the folder', () => {
    const { shadow, tmpDir } = setup()
    mkdirSync(path.join(shadow, '.git'))
    const b = binds(
      bwrapArgs('bwrap', ['true'], { cwd: shadow, writable: [shadow], tmpDir }, { tmpdir: '/tmp' }),
    )
    const git = path.join(shadow, '.git')
    expect(b.slice(-2)).toEqual([
      ['--bind', shadow, shadow],
      ['--ro-bind', git, git],
    ])
  })

  it('creates missing writable folders and the temp folder, and skips missing readable ones', () => {
    const { root, shadow, tmpDir } = setup()
    const cache = path.join(root, 'a/b/cache')
    const gone = path.join(root, 'gone')
    const b = binds(
      bwrapArgs(
        'bwrap',
        ['true'],
        { cwd: shadow, writable: [cache], tmpDir, readable: [gone] },
        { tmpdir: '/tmp' },
      ),
    )
    expect(existsSync(cache) && existsSync(tmpDir)).toBe(true)
    expect(b).toContainEqual(['--ro-bind-try', gone, gone])
  })

  it('resolves symlinks, binding the real path', () => {
    const { root, tmpDir } = setup()
    const real = path.join(root, 'real')
    mkdirSync(real)
    const link = path.join(root, 'link')
    symlinkSync(real, link)
    const b = binds(
      bwrapArgs('bwrap', ['true'], { cwd: real, writable: [link], tmpDir }, { tmpdir: '/tmp' }),
    )
    expect(b).toContainEqual(['--bind', real, real])
  })

  it('rejects relative paths and an empty command', () => {
    const { shadow, tmpDir } = setup()
    const ok = { cwd: shadow, writable: [shadow], tmpDir }
    const opts = { tmpdir: '/tmp' }
    expect(() => bwrapArgs('bwrap', [], ok, opts)).toThrow(/empty command/)
    expect(() => bwrapArgs('bwrap', ['true'], { ...ok, cwd: 'rel' }, opts)).toThrow(
      /cwd must be an absolute path/,
    )
    expect(() => bwrapArgs('bwrap', ['true'], { ...ok, writable: ['out'] }, opts)).toThrow(
      RangeError,
    )
    expect(() => bwrapArgs('bwrap', ['true'], { ...ok, tmpDir: 'tmp' }, opts)).toThrow(/tmpDir/)
  })
})
