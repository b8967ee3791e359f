/**
 * Detection by platform and mode. A missing bwrap is an injected PATH or path; a broken one is a
 * real script that fails the way bwrap does where user namespaces are off.
 */
import { chmodSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSandbox, findOnPath, SandboxUnavailableError } from '../../../src/main/core/sandbox'
import { bwrapReady, bwrapSuite, tempDir } from './support'

const spec = { cwd: '/work/shadow', writable: ['/work/shadow'], tmpDir: '/work/tmp' }
const argv = ['node', '--test', 'a b.js']

/** An executable script standing in for a tool. */
function fakeTool(name: string, body: string): string {
  const file = path.join(tempDir(), name)
  writeFileSync(file, `#!/bin/sh\n${body}\n`)
  chmodSync(file, 0o755)
  return file
}

const BROKEN_BWRAP = `[ "$1" = --version ] && { echo "bubblewrap 0.8.0"; exit 0; }
echo "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2
exit 1`

describe('createSandbox', () => {
  it('off: no sandbox, argv unchanged, by setting', async () => {
    const sandbox = await createSandbox({ mode: 'off', platform: 'linux' })
    expect(sandbox.status).toEqual({
      kind: 'none',
      active: false,
      detail: 'Sandbox off by setting: checks run unsandboxed in the shadow workspace.',
    })
    const wrapped = sandbox.wrap(argv, spec)
    expect(wrapped).toEqual(argv)
    expect(wrapped).not.toBe(argv)
  })

  it('required: rejects with what to do when bwrap is not on PATH', async () => {
    const empty = tempDir()
    const attempt = createSandbox({
      mode: 'required',
      platform: 'linux',
      findExecutable: (name) => findOnPath(name, empty),
    })
    await expect(attempt).rejects.toThrow(SandboxUnavailableError)
    await expect(attempt).rejects.toThrow(
      /"required" but bubblewrap \(bwrap\) is not on PATH\. Install bubblewrap .*apt install bubblewrap.*, or set sandbox to "auto"/,
    )
    await expect(attempt).rejects.toMatchObject({ reason: 'bubblewrap (bwrap) is not on PATH' })
  })

  it('required: rejects when the given bwrapPath does not exist', async () => {
    await expect(
      createSandbox({ mode: 'required', platform: 'linux', bwrapPath: '/nonexistent/bwrap' }),
    ).rejects.toThrow(/bubblewrap \(bwrap\) is not at \/nonexistent\/bwrap/)
  })

  it('auto: no bwrap means no sandbox, with the reason, and argv unchanged', async () => {
    const sandbox = await createSandbox({
      mode: 'auto',
      platform: 'linux',
      findExecutable: () => null,
    })
    expect(sandbox.status).toEqual({
      kind: 'none',
      active: false,
      detail: 'Bubblewrap (bwrap) is not on PATH: checks run unsandboxed in the shadow workspace.',
    })
    expect(sandbox.wrap(argv, spec)).toEqual(argv)
  })

  it('auto: a bwrap that cannot create a namespace is reported with its own error', async () => {
    const bwrapPath = fakeTool('bwrap', BROKEN_BWRAP)
    const sandbox = await createSandbox({ mode: 'auto', platform: 'linux', bwrapPath })
    expect(sandbox.status.kind).toBe('bwrap')
    expect(sandbox.status.active).toBe(false)
    expect(sandbox.status.detail).toBe(
      `Bubblewrap 0.8.0 at ${bwrapPath} cannot create a sandbox here (bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.): checks run unsandboxed in the shadow workspace.`,
    )
    expect(sandbox.wrap(argv, spec)).toEqual(argv)
  })

  it('required: a broken bwrap rejects with its error and the namespace advice', async () => {
    const bwrapPath = fakeTool('bwrap', BROKEN_BWRAP)
    await expect(createSandbox({ mode: 'required', platform: 'linux', bwrapPath })).rejects.toThrow(
      /cannot create a sandbox here \(bwrap: No permissions.*\)\. Allow unprivileged user namespaces .*, or set sandbox to "auto"/,
    )
  })

  it('probe: false trusts an installed bwrap without starting it', async () => {
    const bwrapPath = fakeTool('bwrap', 'exit 1')
    const sandbox = await createSandbox({
      mode: 'required',
      platform: 'linux',
      bwrapPath,
      probe: false,
    })
    expect(sandbox.status).toMatchObject({ kind: 'bwrap', active: true })
    const wrapped = sandbox.wrap(argv, { ...spec, cwd: tempDir(), writable: [], tmpDir: tempDir() })
    expect(wrapped[0]).toBe(bwrapPath)
    expect(wrapped.slice(-4)).toEqual(['--', ...argv])
  })

  it('Windows: no OS sandbox, said plainly; required rejects', async () => {
    const sandbox = await createSandbox({ mode: 'auto', platform: 'win32' })
    expect(sandbox.status).toEqual({
      kind: 'none',
      active: false,
      detail: 'No OS sandbox on Windows: checks run unsandboxed in the shadow workspace.',
    })
    expect(sandbox.wrap(argv, spec)).toEqual(argv)
    await expect(createSandbox({ mode: 'required', platform: 'win32' })).rejects.toThrow(
      'The sandbox setting is "required" but no OS sandbox on Windows. Set sandbox to "auto" to run checks without an OS sandbox.',
    )
  })

  it('macOS: no sandbox-exec means no sandbox', async () => {
    const sandbox = await createSandbox({
      mode: 'auto',
      platform: 'darwin',
      sandboxExecPath: '/nonexistent/sandbox-exec',
    })
    expect(sandbox.status).toMatchObject({ kind: 'none', active: false })
    expect(sandbox.status.detail).toMatch(
      /^\/nonexistent\/sandbox-exec is missing: checks run unsandboxed/,
    )
  })

  it('macOS: wraps argv in sandbox-exec with the generated profile', async () => {
    const sandboxExecPath = fakeTool('sandbox-exec', 'shift 2; exec "$@"')
    const sandbox = await createSandbox({ mode: 'required', platform: 'darwin', sandboxExecPath })
    expect(sandbox.status).toEqual({
      kind: 'sandbox-exec',
      active: true,
      detail: 'sandbox-exec: checks may write only the shadow workspace and the temp folders.',
    })
    const dir = tempDir()
    const wrapped = sandbox.wrap(argv, { cwd: dir, writable: [dir], tmpDir: path.join(dir, 't') })
    expect(wrapped.slice(0, 2)).toEqual([sandboxExecPath, '-p'])
    expect(wrapped[2]).toMatch(/^\(version 1\)\n\(allow default\)\n\(deny file-write\*\)/)
    expect(wrapped.slice(3)).toEqual(argv)
  })

  it('rejects a mode it does not know', async () => {
    // @ts-expect-error a wrong value from an unchecked settings file
    await expect(createSandbox({ mode: 'on' })).rejects.toThrow(
      'sandbox mode must be auto, required or off, got on',
    )
  })

  it.skipIf(!bwrapReady)(`finds and probes this machine's bwrap (${bwrapSuite})`, async () => {
    const sandbox = await createSandbox({ mode: 'required', platform: 'linux' })
    expect(sandbox.status).toMatchObject({ kind: 'bwrap', active: true })
    expect(sandbox.status.detail).toMatch(
      /^bubblewrap \d+\.\d+\.\d+: checks may write only the shadow workspace and a private temp folder\.$/,
    )
  })
})
