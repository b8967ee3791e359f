import { describe, expect, it } from 'vitest'
import {
  classifyBackendError,
  watchLimitMessage,
} from '../../../src/main/core/watch/backend-errors'
import { detectPollingReason, pollingReasonFor } from '../../../src/main/core/watch/polling-reason'
import os from 'node:os'

const linux = { platform: 'linux' as const, release: '6.8.0-45-generic', fsType: 0xef53 }

describe('pollingReasonFor', () => {
  it('polls a Windows drive seen from WSL', () => {
    const wsl = { ...linux, release: '5.15.153.1-microsoft-standard-WSL2' }
    expect(pollingReasonFor('/mnt/c/Users/me/app', wsl)).toMatch(/WSL/)
    expect(pollingReasonFor('/home/me/app', wsl)).toBeNull()
    // /mnt on a plain Linux is just a folder
    expect(pollingReasonFor('/mnt/c/app', linux)).toBeNull()
  })

  it('polls network and FUSE file systems', () => {
    expect(pollingReasonFor('/srv/app', { ...linux, fsType: 0x6969 })).toMatch(/NFS/)
    expect(pollingReasonFor('/srv/app', { ...linux, fsType: 0xff534d42 })).toMatch(/CIFS/)
    expect(pollingReasonFor('/srv/app', { ...linux, fsType: null })).toBeNull()
  })

  it('polls a UNC path on Windows', () => {
    const windows = { platform: 'win32' as const, release: '10.0.22631', fsType: null }
    expect(pollingReasonFor('\\\\server\\share\\app', windows)).toMatch(/network path/)
    expect(pollingReasonFor('C:\\code\\app', windows)).toBeNull()
  })

  it('finds no reason for the local temp folder', async () => {
    expect(await detectPollingReason(os.tmpdir())).toBeNull()
  })
})

describe('classifyBackendError', () => {
  it("reads the native module's strerror text and node's codes", () => {
    const enospc = new Error("inotify_add_watch on '/p/src' failed: No space left on device")
    expect(classifyBackendError(enospc)).toBe('limit')
    expect(classifyBackendError(Object.assign(new Error('x'), { code: 'EMFILE' }))).toBe('limit')
    expect(classifyBackendError(new Error('Permission denied'))).toBe('permission')
    expect(classifyBackendError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('missing')
    expect(classifyBackendError(new Error('No prebuild or local build found'))).toBe('other')
  })

  it('names the inotify setting in the limit message', () => {
    expect(watchLimitMessage('No space left on device')).toMatch(/fs\.inotify\.max_user_watches/)
  })
})
