/**
 * One writer per project. proper-lockfile holds a lock directory (kept fresh by mtime, so a frozen or
 * killed holder's lock goes stale); beside it an owner file names the holder's pid, for the "already
 * running" message and for taking over at once from a holder that no longer exists.
 *
 * Every acquisition passes through a short-lived gate directory, so two starters can never both
 * decide the same dead holder's lock is theirs to remove.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { check, lock } from 'proper-lockfile'
import { z } from 'zod'
// Not util/clock's sleep: its timer is unref'ed, and while we wait here nothing else may keep
// the process alive (a CLI that is still opening its state would simply exit).
import { setTimeout as delay } from 'node:timers/promises'
import { isCode } from './atomic-write'

/** A gate is held for milliseconds; one older than this belongs to a process killed inside it. */
const GATE_STALE_MS = 5_000

export const LockOwner = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  token: z.string(),
})
export type LockOwner = z.infer<typeof LockOwner>

/** A second Fixloop on the same project. */
export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError'
  readonly code = 'EALREADYRUNNING'
  /** What to do about it, for a second line under the message. */
  readonly hint: string

  constructor(
    readonly projectRoot: string,
    readonly pid: number | null,
    readonly lockFile: string,
  ) {
    super(`Fixloop is already running on ${projectRoot} (pid ${pid ?? 'unknown'})`)
    this.hint =
      pid === null
        ? `Another program holds ${lockFile}. If nothing is running, it is taken over once stale (about 10 s).`
        : `Stop that instance first, or point this one at another project.`
  }
}

export interface ProjectLockOptions {
  /** For messages. */
  projectRoot: string
  /** The resource locked (the state file); it need not exist yet. */
  target: string
  /** The lock directory. */
  lockFile: string
  staleMs: number
  updateMs: number
  /** Called (never thrown) when the lock is lost after it was acquired. */
  onCompromised: (error: Error) => void
  /** Called when a dead holder's lock was taken over. */
  onTakeover?: (previous: LockOwner) => void
}

export interface ProjectLock {
  readonly owner: LockOwner
  /** Removes the owner file (if still ours) and the lock. Safe to call twice or after compromise. */
  release(): Promise<void>
}

export const ownerFileOf = (lockFile: string): string => `${lockFile}-owner.json`

export async function acquireProjectLock(opts: ProjectLockOptions): Promise<ProjectLock> {
  await mkdir(dirname(opts.lockFile), { recursive: true })
  const gate = `${opts.lockFile}.gate`
  await enterGate(gate)
  try {
    const release = await lockOrTakeOver(opts)
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      token: randomBytes(8).toString('hex'),
    }
    await writeOwner(opts.lockFile, owner)
    let released = false
    return {
      owner,
      async release() {
        if (released) return
        released = true
        const current = await readLockOwner(opts.lockFile)
        if (current?.token === owner.token) await unlink(ownerFileOf(opts.lockFile)).catch(() => {})
        // Rejects with ERELEASED after a compromise: the lock is no longer ours to remove.
        await release().catch(() => {})
      },
    }
  } finally {
    await rmdir(gate).catch(() => {})
  }
}

async function lockOrTakeOver(opts: ProjectLockOptions): Promise<() => Promise<void>> {
  const options = {
    lockfilePath: opts.lockFile,
    realpath: false,
    stale: opts.staleMs,
    update: opts.updateMs,
    retries: 0,
    onCompromised: (error: Error) => opts.onCompromised(error),
  }
  try {
    return await lock(opts.target, options)
  } catch (error) {
    if (!isCode(error, 'ELOCKED')) throw explainLockError(error, opts.lockFile)
  }
  const owner = await readLockOwner(opts.lockFile)
  if (!owner || owner.host !== hostname() || owner.pid === process.pid || isAlive(owner.pid)) {
    throw new AlreadyRunningError(opts.projectRoot, owner?.pid ?? null, opts.lockFile)
  }
  // The holder is gone (killed, crashed) and we are inside the gate: nobody else is deciding this.
  await rm(opts.lockFile, { recursive: true, force: true })
  await unlink(ownerFileOf(opts.lockFile)).catch(() => {})
  opts.onTakeover?.(owner)
  try {
    return await lock(opts.target, options)
  } catch (error) {
    if (isCode(error, 'ELOCKED'))
      throw new AlreadyRunningError(opts.projectRoot, null, opts.lockFile)
    throw explainLockError(error, opts.lockFile)
  }
}

/** The current holder as its owner file says, or null when there is none or it is unreadable. */
export async function readLockOwner(lockFile: string): Promise<LockOwner | null> {
  try {
    const parsed = LockOwner.safeParse(JSON.parse(await readFile(ownerFileOf(lockFile), 'utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

async function writeOwner(lockFile: string, owner: LockOwner): Promise<void> {
  const file = ownerFileOf(lockFile)
  const tmp = `${file}.tmp-${process.pid}`
  await writeFile(tmp, JSON.stringify(owner) + '\n')
  await rename(tmp, file)
}

/**
 * Who holds a fresh lock, for status displays; null when no fresh lock exists. A holder without a
 * readable owner file still counts as running, with its pid unknown.
 */
export async function lockHolder(
  lockFile: string,
  staleMs = 10_000,
): Promise<{ pid: number | null } | null> {
  const fresh = await check(lockFile, {
    lockfilePath: lockFile,
    realpath: false,
    stale: staleMs,
  }).catch(() => false)
  if (!fresh) return null
  const owner = await readLockOwner(lockFile)
  return { pid: owner?.pid ?? null }
}

/** Whether a process with this pid exists (EPERM means it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return isCode(error, 'EPERM')
  }
}

async function enterGate(gate: string): Promise<void> {
  const deadline = Date.now() + GATE_STALE_MS * 2
  for (;;) {
    try {
      await mkdir(gate)
      return
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw explainLockError(error, gate)
    }
    const info = await stat(gate).catch(() => null)
    if (info && Date.now() - info.mtimeMs > GATE_STALE_MS) {
      await rmdir(gate).catch(() => {})
      continue
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${gate}; remove it if no Fixloop is starting.`)
    }
    await delay(10 + Math.floor(Math.random() * 20))
  }
}

function explainLockError(error: unknown, lockFile: string): Error {
  if (isCode(error, 'ENOTDIR', 'EEXIST')) {
    return new Error(
      `${lockFile} exists but is not a Fixloop lock (perhaps left by the earlier orchestrator). Remove it if nothing is running.`,
      { cause: error },
    )
  }
  return error instanceof Error ? error : new Error(String(error))
}
