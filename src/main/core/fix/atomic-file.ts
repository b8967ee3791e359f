/**
 * Crash-safe file replacement for the editor and the journal: write a temp file, fsync it, rename it
 * over the target. Readers (and a process restarted after a kill) see the old bytes or the new ones,
 * never a torn mix. The editor's temp files live in `.fixloop/tmp`, which the watcher ignores.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { sleep } from '../util/clock'
import { contentHash } from '../util/hash'

/**
 * The temp file a write of `relativePath` goes through: inside `.fixloop/tmp`, which the watcher
 * already ignores, so a write shows up as one change of the target and nothing else. Named per task
 * and path so a rollback after a crash can sweep it.
 */
export function tempPathFor(root: string, taskId: string, relativePath: string): string {
  return join(root, '.fixloop', 'tmp', `${taskId}-${contentHash(relativePath).slice(0, 16)}.tmp`)
}

/** The fallback temp beside the target, used when `.fixloop` is on another file system. */
export function siblingTempPathFor(absolutePath: string, taskId: string): string {
  return join(dirname(absolutePath), `.${basename(absolutePath)}.fixloop-${taskId}.tmp`)
}

export interface AtomicWriteOptions {
  /** Permission bits for the result; the temp file's default otherwise. */
  mode?: number | null
  /** @default a random sibling name */
  tempPath?: string
  /** Where to write instead when `tempPath` is on another file system (EXDEV). @default none */
  fallbackTempPath?: string
  /** Also fsync the directory, so the rename itself survives a power cut. @default false */
  syncDir?: boolean
}

/** Writes a file so that readers see the old bytes or the new ones, never a torn mix. */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp =
    options.tempPath ??
    join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  // O_EXCL (after clearing a stale temp of ours) so the write can never follow a planted symlink.
  await removeIfPresent(temp)
  const handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644)
  try {
    await handle.writeFile(data)
    if (options.mode != null) await handle.chmod(options.mode & 0o7777)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await removeIfPresent(temp)
    throw error
  }
  await handle.close()
  try {
    await renameWithRetry(temp, path)
  } catch (error) {
    await removeIfPresent(temp)
    if (isCode(error, 'EXDEV') && options.fallbackTempPath) {
      return atomicWriteFile(path, data, {
        ...options,
        tempPath: options.fallbackTempPath,
        fallbackTempPath: undefined,
      })
    }
    throw error
  }
  if (options.syncDir) await syncDirectory(dirname(path))
}

/** Windows refuses a rename while a scanner or an editor holds the file for a moment; wait it out. */
async function renameWithRetry(from: string, to: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rename(from, to)
    } catch (error) {
      const transient = process.platform === 'win32' && isCode(error, 'EPERM', 'EACCES', 'EBUSY')
      if (!transient || attempt >= 8) throw error
      await sleep(10 * 2 ** Math.min(attempt, 5))
    }
  }
}

const isCode = (error: unknown, ...codes: string[]) =>
  codes.includes(String((error as NodeJS.ErrnoException)?.code))

async function syncDirectory(dir: string) {
  // Windows cannot open a directory for fsync; the rename is as durable as that platform allows.
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Best effort by design: some file systems refuse fsync on directories.
  } finally {
    await handle?.close()
  }
}

export async function removeIfPresent(path: string) {
  try {
    await unlink(path)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The text of bytes that are valid UTF-8 (so encoding it again gives the same bytes), else null. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes)
  } catch {
    return null
  }
}

export const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT'

/** Makes `<root>/.fixloop`; a fresh one keeps itself out of version control with a `.gitignore`. */
export async function ensureStateDir(root: string): Promise<void> {
  const dir = join(root, '.fixloop')
  try {
    await mkdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return
    throw error
  }
  await writeFile(join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined)
}
