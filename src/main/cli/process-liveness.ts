/**
 * Whether the process a lock owner file names is still the Fixloop that took the lock, for
 * `fixloop status`. Signal 0 tells whether a pid exists; the process's start time tells whether it
 * is still the same process (pids are reused).
 */
import { readFile } from 'node:fs/promises'

export type Liveness =
  /** The pid exists (EPERM counts: it belongs to another user) and nothing says it was reused. */
  | { kind: 'alive' }
  /** No process has that pid (ESRCH). */
  | { kind: 'gone' }
  /** A process has that pid, but it started after the lock was taken: another program now. */
  | { kind: 'reused'; startedAt: string }

/**
 * A process that started later than this after the lock was taken is another one. The owner file's
 * time is the wall clock when the lock was taken; the kernel's start time is counted from boot and
 * turned into wall time through /proc/stat's whole-second btime, so a little slack absorbs the
 * rounding and small clock steps.
 */
const SAME_PROCESS_SLACK_MS = 5_000

/**
 * `lockTakenAt` is the owner file's `startedAt`. Where the start time of a process cannot be read
 * (no /proc: macOS, Windows), a reused pid reads as alive: the caller's lock freshness is then the
 * only other evidence.
 */
export async function processLiveness(pid: number, lockTakenAt?: string | null): Promise<Liveness> {
  // Never signal pid <= 0: that addresses a process group, not a process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return { kind: 'gone' }
  try {
    // Signal 0 checks that the pid exists without signalling it.
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return { kind: 'gone' }
  }
  const taken = lockTakenAt ? Date.parse(lockTakenAt) : Number.NaN
  if (Number.isNaN(taken)) return { kind: 'alive' }
  const started = await processStartTime(pid)
  if (started !== null && started > taken + SAME_PROCESS_SLACK_MS) {
    return { kind: 'reused', startedAt: new Date(started).toISOString() }
  }
  return { kind: 'alive' }
}

/**
 * When a process started, ms since the epoch, from Linux's /proc; null where that cannot be read.
 * Field 22 of /proc/PID/stat is the start in clock ticks after boot. Ticks are USER_HZ, which the
 * kernel fixes at 100 for user space on every architecture Node runs on.
 */
export async function processStartTime(pid: number): Promise<number | null> {
  try {
    const [stat, system] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile('/proc/stat', 'utf8'),
    ])
    // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[19])
    const bootSeconds = Number(/^btime (\d+)$/m.exec(system)?.[1])
    if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds)) return null
    return bootSeconds * 1000 + ticks * 10
  } catch {
    return null
  }
}
