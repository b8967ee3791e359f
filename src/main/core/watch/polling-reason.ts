import { statfs } from 'node:fs/promises'
import os from 'node:os'

/** File-system magic numbers (statfs f_type) on which inotify sees no changes made by other machines. */
const NETWORK_FS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x01021997, '9P (WSL or a VM share)'],
  [0x65735546, 'FUSE'],
  [0x5346414f, 'AFS'],
  [0x00c36400, 'Ceph'],
])

export interface PollingProbe {
  platform: NodeJS.Platform
  /** `os.release()`: WSL kernels say "microsoft". */
  release: string
  /** statfs `type` of the root's file system, when known. */
  fsType: number | null
}

/**
 * Why native events cannot be trusted for this root, or null when they can: Windows drives mounted
 * into WSL (`/mnt/c/…`), network and FUSE file systems, UNC paths.
 */
export function pollingReasonFor(root: string, probe: PollingProbe): string | null {
  if (probe.platform === 'win32' && /^(\\\\|\/\/)[^\\/]/.test(root)) {
    return `${root} is a network path; native events are unreliable there, so Fixloop polls.`
  }
  if (
    probe.platform === 'linux' &&
    /microsoft/i.test(probe.release) &&
    /^\/mnt\/[a-z](\/|$)/i.test(root)
  ) {
    return `${root} is a Windows drive seen from WSL, where file events do not arrive; Fixloop polls.`
  }
  const fs = probe.fsType === null ? undefined : NETWORK_FS.get(probe.fsType)
  if (probe.platform !== 'win32' && fs) {
    return `${root} is on a ${fs} file system, where native events are unreliable; Fixloop polls.`
  }
  return null
}

/** `pollingReasonFor` with this machine's facts. */
export async function detectPollingReason(root: string): Promise<string | null> {
  let fsType: number | null = null
  try {
    // Unsigned: some platforms report the larger magic numbers as negative
    fsType = Number((await statfs(root)).type) >>> 0
  } catch {
    // statfs is missing on some platforms; the path rules still apply
  }
  return pollingReasonFor(root, { platform: process.platform, release: os.release(), fsType })
}
