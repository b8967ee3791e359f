/**
 * The bubblewrap command line for one check. The host file system is bound read-only as a whole,
 * then the few writable places are bound over it, most specific last:
 *
 * - `--ro-bind / /` is recursive and bwrap remounts every submount read-only too (/sys, a separate
 *   /tmp or /home); `--dev /dev` and `--proc /proc` replace those with private instances, so
 *   `/dev/shm` is a private in-memory folder and /proc shows only the sandbox's own processes (not
 *   Fixloop's environment in /proc/<pid>/environ).
 * - `/proc/sys` and `/proc/sysrq-trigger` are bound read-only again: bwrap 0.8 leaves /proc/sys
 *   writable when it runs as root, and uid 0 can change sysctls (the hostname, vm.*) without any
 *   capability (seen on the root-run development machine, where a probe changed the hostname).
 * - `--cap-drop ALL`: bwrap started by root keeps every capability inside, and with CAP_SYS_ADMIN
 *   `mount -o remount,rw /` undoes the read-only root. Unprivileged bwrap has none to drop.
 * - `--unshare-pid` + `--die-with-parent`: the check runs under bwrap's own init as pid 1 of a new
 *   pid namespace; when the command exits, or bwrap is killed (any signal, to it or its group),
 *   the namespace ends and the kernel kills everything in it, including a grandchild that called
 *   setsid() and so left the process group that `killTree` signals. bwrap does not forward
 *   SIGTERM, so there is no grace period: SIGTERM ends the sandboxed tree as abruptly as SIGKILL.
 *   `--die-with-parent` is PR_SET_PDEATHSIG, which fires when the *thread* that spawned bwrap
 *   ends: spawn from the main thread, not from a worker that may finish first.
 * - `--new-session`: no way back to a controlling terminal (TIOCSTI input injection), were the
 *   check ever started without `detached`.
 * - `--unshare-ipc`: a private SysV IPC / POSIX message queue namespace; nothing in a test suite
 *   needs the host's.
 * - The network is NOT unshared: tests talk to servers on localhost and to the registry.
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { depth, realPath, requireAbsolute } from './real-path'
import type { WrapSpec } from './types'

export interface BwrapArgsOptions {
  /** `os.tmpdir()` as the check will see it; the private temp folder is bound there too. */
  tmpdir: string
}

type BindKind = 'tmp' | 'readable' | 'writable' | 'protect'
/** At the same depth a writable bind beats a readable one, and `.git` protection beats both. */
const RANK: Record<BindKind, number> = { tmp: 0, readable: 1, writable: 2, protect: 3 }
const FLAG: Record<BindKind, string> = {
  tmp: '--bind',
  readable: '--ro-bind-try',
  writable: '--bind',
  protect: '--ro-bind',
}

interface Bind {
  kind: BindKind
  src: string
  dest: string
}

/** The argv that runs `argv` inside bubblewrap at `bwrapPath`, confined to `spec`. */
export function bwrapArgs(
  bwrapPath: string,
  argv: readonly string[],
  spec: WrapSpec,
  options: BwrapArgsOptions,
): string[] {
  if (argv.length === 0) throw new RangeError('wrap: empty command')
  requireAbsolute(spec.cwd, 'cwd')
  requireAbsolute(spec.tmpDir, 'tmpDir')
  for (const p of spec.writable) requireAbsolute(p, 'a writable path')
  for (const p of spec.readable ?? []) requireAbsolute(p, 'a readable path')

  const binds: Bind[] = []
  mkdirSync(spec.tmpDir, { recursive: true })
  const tmp = realpathSync.native(spec.tmpDir)
  for (const dest of new Set([realPath('/tmp'), realPath(options.tmpdir)]))
    // A TMPDIR that does not exist on the host has nothing to hide; bwrap could not create it on
    // the read-only root anyway.
    if (existsSync(dest)) binds.push({ kind: 'tmp', src: tmp, dest })

  for (const p of [spec.cwd, ...(spec.readable ?? [])]) {
    const real = realPath(p)
    binds.push({ kind: 'readable', src: real, dest: real })
  }
  for (const p of spec.writable) {
    mkdirSync(p, { recursive: true })
    const real = realpathSync.native(p)
    binds.push({ kind: 'writable', src: real, dest: real })
    const git = path.join(real, '.git')
    if (existsSync(git)) binds.push({ kind: 'protect', src: realPath(git), dest: realPath(git) })
  }

  // A readable path that is also bound writable (the usual cwd) needs only the writable bind.
  const boundWritable = new Set(binds.filter((b) => b.kind !== 'readable').map((b) => b.dest))
  const seen = new Set<string>()
  const ordered = binds
    .filter((b) => b.kind !== 'readable' || !boundWritable.has(b.dest))
    .sort((a, b) => depth(a.dest) - depth(b.dest) || RANK[a.kind] - RANK[b.kind])
    .filter((b) => {
      const key = `${b.kind}\0${b.dest}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })

  return [
    bwrapPath,
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--ro-bind-try',
    '/proc/sys',
    '/proc/sys',
    '--ro-bind-try',
    '/proc/sysrq-trigger',
    '/proc/sysrq-trigger',
    ...ordered.flatMap((b) => [FLAG[b.kind], b.src, b.dest]),
    '--chdir',
    spec.cwd,
    '--',
    ...argv,
  ]
}
