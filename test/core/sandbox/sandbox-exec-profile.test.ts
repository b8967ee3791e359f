/** The macOS Seatbelt profile, as text: it cannot be run here (see sandbox-exec-profile.ts). */
import { describe, expect, it } from 'vitest'
import { sandboxExecArgs, sandboxExecProfile, sbplString } from '../../../src/main/core/sandbox'

const asIs = { tmpdir: '/private/var/folders/ab/T', resolve: (p: string) => p }

describe('sbplString', () => {
  it('quotes a plain path', () => {
    expect(sbplString('/Users/me/project')).toBe('"/Users/me/project"')
  })

  it('escapes double quotes and backslashes', () => {
    expect(sbplString('/Users/me/a "quoted" \\ dir')).toBe('"/Users/me/a \\"quoted\\" \\\\ dir"')
  })

  it('writes control characters as escapes, and refuses NUL', () => {
    expect(sbplString('/a\nb\tc\x01')).toBe('"/a\\nb\\tc\\x01"')
    expect(() => sbplString('/a\0b')).toThrow(/NUL/)
  })
})

describe('sandboxExecProfile', () => {
  const spec = {
    cwd: '/Users/me/Library/Caches/fixloop/shadow',
    writable: ['/Users/me/Library/Caches/fixloop/shadow', '/Users/me/odd "name"\\dir'],
    tmpDir: '/Users/me/Library/Caches/fixloop/tmp',
  }

  it('allows everything but file writes, then re-allows the writable paths, temp folders and devices', () => {
    expect(sandboxExecProfile(spec, asIs)).toBe(
      [
        '(version 1)',
        '(allow default)',
        '(deny file-write*)',
        '(allow file-write*',
        '  (literal "/dev/null")',
        '  (literal "/dev/zero")',
        '  (literal "/dev/tty")',
        '  (literal "/dev/dtracehelper")',
        '  (literal "/dev/stdout")',
        '  (literal "/dev/stderr")',
        '  (literal "/dev/ptmx")',
        '  (regex #"^/dev/fd/[0-9]+$")',
        '  (regex #"^/dev/ttys[0-9]+$")',
        '  (subpath "/Users/me/Library/Caches/fixloop/tmp")',
        '  (subpath "/private/var/folders/ab/T")',
        '  (subpath "/private/tmp")',
        '  (subpath "/private/var/tmp")',
        '  (subpath "/Users/me/Library/Caches/fixloop/shadow")',
        '  (subpath "/Users/me/odd \\"name\\"\\\\dir")',
        ')',
        '(deny file-write*',
        '  (subpath "/Users/me/Library/Caches/fixloop/shadow/.git")',
        '  (subpath "/Users/me/odd \\"name\\"\\\\dir/.git")',
        ')',
        '',
      ].join('\n'),
    )
  })

  it('resolves paths to real paths, as Seatbelt matches those', () => {
    const profile = sandboxExecProfile(
      { cwd: '/tmp/s', writable: ['/tmp/s'], tmpDir: '/tmp/t' },
      { tmpdir: '/var/folders/x/T', resolve: (p) => p.replace(/^\/(tmp|var)\//, '/private/$1/') },
    )
    expect(profile).toContain('(subpath "/private/tmp/s")')
    expect(profile).toContain('(subpath "/private/var/folders/x/T")')
    expect(profile).not.toMatch(/"\/tmp\//)
  })

  it('rejects relative paths', () => {
    expect(() => sandboxExecProfile({ ...spec, writable: ['shadow'] }, asIs)).toThrow(RangeError)
  })
})

describe('sandboxExecArgs', () => {
  it('puts the profile before the unchanged argv', () => {
    const spec = { cwd: '/s', writable: ['/s'], tmpDir: '/t' }
    const argv = sandboxExecArgs('/usr/bin/sandbox-exec', ['node', '-e', '0'], spec, asIs)
    expect(argv.slice(0, 2)).toEqual(['/usr/bin/sandbox-exec', '-p'])
    expect(argv[2]).toBe(sandboxExecProfile(spec, asIs))
    expect(argv.slice(3)).toEqual(['node', '-e', '0'])
  })

  it('refuses a command that sandbox-exec would read as an option', () => {
    const spec = { cwd: '/s', writable: ['/s'], tmpDir: '/t' }
    expect(() => sandboxExecArgs('/usr/bin/sandbox-exec', ['-n', 'x'], spec, asIs)).toThrow(/-n/)
  })
})
