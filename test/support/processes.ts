/** Waiting on processes in tests: is a pid alive, poll until something holds. */
import { existsSync, readFileSync } from 'node:fs'

/** Whether a PID is a live process (a zombie awaiting its reaper counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = `/proc/${pid}/stat`
  if (!existsSync(stat)) return true
  // Field 3 of /proc/<pid>/stat is the state; the name in field 2 may contain spaces, so split after ")".
  const state = readFileSync(stat, 'utf8').split(') ')[1]?.[0]
  return state !== 'Z' && state !== 'X'
}

/** Polls `predicate` until true or `ms` pass. */
export async function waitFor(predicate: () => boolean, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (predicate()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return predicate()
}
