/**
 * Crash-safe replacement of a file: write a temp file beside it, fsync it, rename it over the
 * target, fsync the directory so the rename itself is durable. A reader (or a process restarted
 * after a kill) sees either the old content or the new, never a mix.
 */
import { open, readdir, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
// Not util/clock's sleep: its timer is unref'ed, and while we wait here nothing else may keep
// the process alive (a CLI that is still opening its state would simply exit).
import { setTimeout as delay } from 'node:timers/promises'

let counter = 0

const TMP_MARK = '.tmp-'

export interface AtomicWriteOptions {
  /** @default process.platform */
  platform?: NodeJS.Platform
  /**
   * Whether to fsync the file and its folder. Without, the replacement is still atomic for any
   * reader and against a killed process (the page cache outlives it), but a power cut may leave
   * the old content, or (on filesystems without ext4's replace-by-rename flush) an empty file.
   * @default true
   */
  sync?: boolean
}

export async function writeFileAtomic(
  file: string,
  data: string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const platform = opts.platform ?? process.platform
  const tmp = `${file}${TMP_MARK}${process.pid}-${++counter}`
  try {
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(data, 'utf8')
      if (opts.sync !== false) await handle.sync()
    } finally {
      await handle.close()
    }
    await renameWithRetry(tmp, file, platform)
  } catch (error) {
    await unlink(tmp).catch(() => {})
    throw error
  }
  if (opts.sync !== false) await syncDirectory(dirname(file), platform)
}

/**
 * Removes temp files a killed writer left beside `file`. Only call while holding the lock: then no
 * one else can be writing one.
 */
export async function removeLeftoverTemps(file: string): Promise<string[]> {
  const prefix = basename(file) + TMP_MARK
  const names = await readdir(dirname(file)).catch(() => [] as string[])
  const removed: string[] = []
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const path = join(dirname(file), name)
    await unlink(path).then(
      () => removed.push(path),
      () => {},
    )
  }
  return removed
}

async function syncDirectory(dir: string, platform: NodeJS.Platform): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (platform === 'win32') return
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (error) {
    // Some filesystems (certain network and FUSE mounts) refuse fsync on a directory.
    if (!isCode(error, 'EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM', 'EBADF')) throw error
  } finally {
    await handle?.close()
  }
}

/**
 * On Windows a rename over a file another process has open (a virus scanner, `fixloop status`)
 * fails briefly with EPERM/EACCES/EBUSY; it succeeds once they let go.
 */
async function renameWithRetry(from: string, to: string, platform: NodeJS.Platform): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rename(from, to)
    } catch (error) {
      const transient = platform === 'win32' && isCode(error, 'EPERM', 'EACCES', 'EBUSY')
      if (!transient || attempt >= 10) throw error
      await delay(10 * 2 ** Math.min(attempt, 5))
    }
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    codes.includes(String((error as { code: unknown }).code))
  )
}
