/**
 * The parent's side of speed-child.ts: bundles it once (esbuild, packages external, into bench/.tmp
 * so they resolve from this repository), spawns it with an IPC channel, and reads other processes'
 * CPU time and RSS from /proc (Linux; elsewhere those figures are left out), summed over the
 * process and its descendants (vitest's workers, any check still running).
 */
import { execFileSync, fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { ChildMessage, ParentMessage } from './speed-child'

const TMP = join(import.meta.dirname, '.tmp')
let bundled: string | null = null

/** speed-child.ts bundled (split: each mode loads its own chunks); removed when this process exits. */
export async function childScript(): Promise<string> {
  if (bundled) return bundled
  const { build } = await import('esbuild')
  const outdir = join(TMP, `speed-child-${process.pid}`)
  mkdirSync(outdir, { recursive: true })
  await build({
    entryPoints: { 'speed-child': join(import.meta.dirname, 'speed-child.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }))
  bundled = join(outdir, 'speed-child.mjs')
  return bundled
}

export interface ChildOptions {
  root: string
  mode?: 'engine' | 'parcel' | 'watcher'
  /** Added to a minimal environment (PATH, HOME, temp dirs). */
  env?: Record<string, string>
  nodeArgs?: string[]
  cacheDir?: string
}

export class BenchChild {
  readonly proc: ChildProcess
  readonly ready: Promise<Extract<ChildMessage, { type: 'ready' }>>
  #listeners: Array<(m: ChildMessage) => void> = []
  stderr = ''

  private constructor(script: string, o: ChildOptions) {
    const env: Record<string, string> = {}
    for (const key of ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG'])
      if (process.env[key]) env[key] = process.env[key] as string
    Object.assign(env, o.env, {
      FIXLOOP_BENCH_ROOT: o.root,
      FIXLOOP_BENCH_CHILD: o.mode ?? 'engine',
      NO_COLOR: '1',
    })
    if (o.cacheDir) env.FIXLOOP_BENCH_CACHE_DIR = o.cacheDir
    this.proc = fork(script, [], {
      env,
      execArgv: o.nodeArgs ?? [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d).slice(-4000)))
    this.proc.on('message', (m: ChildMessage) => {
      for (const l of [...this.#listeners]) l(m)
    })
    this.ready = this.next('ready', 300_000) as Promise<Extract<ChildMessage, { type: 'ready' }>>
  }

  static start(script: string, o: ChildOptions): BenchChild {
    return new BenchChild(script, o)
  }

  get pid(): number {
    return this.proc.pid as number
  }

  on(listener: (m: ChildMessage) => void): () => void {
    this.#listeners.push(listener)
    return () => void this.#listeners.splice(this.#listeners.indexOf(listener), 1)
  }

  /** The next message of `type` (an `error` message or the child's exit rejects). */
  next(type: ChildMessage['type'], timeoutMs = 60_000): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer)
        off()
        this.proc.off('exit', exited)
        fn()
      }
      const exited = (code: number | null) =>
        done(() => reject(new Error(`child exited (${code}):\n${this.stderr}`)))
      const timer = setTimeout(
        () => done(() => reject(new Error(`no ${type} from the child in ${timeoutMs} ms`))),
        timeoutMs,
      )
      const off = this.on((m) => {
        if (m.type === type) done(() => resolve(m))
        else if (m.type === 'error') done(() => reject(new Error(m.message)))
      })
      this.proc.once('exit', exited)
    })
  }

  async ask<T extends ChildMessage['type']>(
    cmd: ParentMessage['cmd'],
    type: T,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    const reply = this.next(type)
    this.proc.send({ cmd } satisfies ParentMessage)
    return (await reply) as Extract<ChildMessage, { type: T }>
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    const exited = new Promise((r) => this.proc.once('exit', r))
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 60_000)
    this.proc.send({ cmd: 'stop' } satisfies ParentMessage)
    await exited
    clearTimeout(timer)
  }
}

// ── /proc ──────────────────────────────────────────────────────────────────────────────────────

export const hasProc = existsSync('/proc/self/stat')
const HZ = hasProc ? Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100 : 100

function statFields(pid: number): string[] | null {
  try {
    // The name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? null
  } catch {
    return null
  }
}

/** `pid` and every descendant alive now. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const ppid = Number(statFields(Number(name))?.[1])
    if (!Number.isFinite(ppid)) continue
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
  }
  const out: number[] = []
  const walk = (p: number) => {
    out.push(p)
    for (const c of children.get(p) ?? []) walk(c)
  }
  walk(pid)
  return out
}

/**
 * CPU seconds (user + system) used so far by the tree, including children it has waited for
 * (cutime/cstime), so a worker that came and went in between is counted too.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0
  const tree = processTree(pid)
  for (const p of tree) {
    const f = statFields(p)
    if (!f) continue
    // Fields after the name: state=0, ppid=1 … utime=11, stime=12, cutime=13, cstime=14
    ticks += Number(f[11]) + Number(f[12])
    if (p === pid) ticks += Number(f[13]) + Number(f[14])
  }
  return ticks / HZ
}

/** Resident memory of the tree, MB. */
export function treeRssMb(pid: number): { rssMb: number; processes: number } {
  let kb = 0
  const tree = processTree(pid)
  for (const p of tree) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      // gone meanwhile
    }
  }
  return { rssMb: kb / 1024, processes: tree.length }
}
