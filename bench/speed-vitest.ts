/**
 * `vitest --watch` on a project, the anchor of bench/speed.ts: spawned with its default reporter and
 * a small reporter of ours (outside the project, so it is not a project file) that prints a marked
 * JSON line when a rerun starts and when a run ends, stamped with the wall clock at sub-millisecond
 * resolution. A save is timed from just before the write to the end of the run it triggered.
 */
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchProject } from './speed-projects'

const MARK = '@@fixloop-bench '

const REPORTER = `const stamp = () => performance.timeOrigin + performance.now()
const say = (o) => process.stdout.write('\\n${MARK}' + JSON.stringify(o) + '\\n')
export default class FixloopBenchReporter {
  onWatcherRerun(files) { say({ type: 'rerun', at: stamp(), files: files.length }) }
  onTestRunEnd(modules, errors, reason) { say({ type: 'end', at: stamp(), reason, modules: modules.length }) }
}
`

interface Marked {
  type: 'rerun' | 'end'
  at: number
  reason?: string
}

export interface VitestResult {
  /** Save → run ended (our reporter's onTestRunEnd), ms. */
  ms: number
  /** Save → rerun started (vitest's own debounce and graph walk), ms. */
  rerunMs: number | null
  reason: string
}

export class VitestWatch {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #dir: string
  #lines: Marked[] = []
  #waiters: Array<() => void> = []
  #exited = false
  output = ''

  private constructor(project: BenchProject) {
    this.#dir = mkdtempSync(join(tmpdir(), 'fixloop-bench-vitest-reporter-'))
    const reporter = join(this.#dir, 'reporter.mjs')
    writeFileSync(reporter, REPORTER)
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }
    delete env.CI
    this.#child = spawn(
      process.execPath,
      [
        join(project.root, 'node_modules', 'vitest', 'vitest.mjs'),
        '--watch',
        '--reporter=default',
        `--reporter=${reporter}`,
      ],
      { cwd: project.root, env, stdio: ['pipe', 'pipe', 'pipe'] },
    )
    let buffer = ''
    this.#child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      this.output = (this.output + d.toString()).slice(-4000)
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.startsWith(MARK)) continue
        this.#lines.push(JSON.parse(line.slice(MARK.length)) as Marked)
        for (const w of this.#waiters.splice(0)) w()
      }
    })
    this.#child.stderr.on('data', (d: Buffer) => (this.output = (this.output + d).slice(-4000)))
    this.#child.on('exit', () => {
      this.#exited = true
      for (const w of this.#waiters.splice(0)) w()
    })
  }

  get pid(): number {
    return this.#child.pid as number
  }

  /** Spawns vitest and waits for its first run (the whole suite) to end. */
  static async start(project: BenchProject): Promise<VitestWatch> {
    const v = new VitestWatch(project)
    await v.#next((m) => m.type === 'end', 60_000)
    return v
  }

  #next(pred: (m: Marked) => boolean, timeoutMs: number, from = 0): Promise<Marked> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`vitest gave no result in ${timeoutMs} ms:\n${this.output}`))
      }, timeoutMs)
      const check = () => {
        const found = this.#lines.slice(from).find(pred)
        if (found) {
          clearTimeout(timer)
          resolve(found)
        } else if (this.#exited) {
          clearTimeout(timer)
          reject(new Error(`vitest exited:\n${this.output}`))
        } else this.#waiters.push(check)
      }
      check()
    })
  }

  /** Writes the file and times the run vitest makes of it. */
  async save(project: BenchProject, path: string, content: string): Promise<VitestResult> {
    const from = this.#lines.length
    const saved = performance.timeOrigin + performance.now()
    project.write(path, content)
    const end = await this.#next((m) => m.type === 'end' && m.at > saved, 30_000, from)
    const rerun = this.#lines.slice(from).find((m) => m.type === 'rerun' && m.at > saved)
    return {
      ms: end.at - saved,
      rerunMs: rerun ? rerun.at - saved : null,
      reason: end.reason ?? '?',
    }
  }

  async stop(): Promise<void> {
    if (!this.#exited) {
      const exited = new Promise((r) => this.#child.once('exit', r))
      this.#child.kill('SIGTERM')
      await exited
    }
    rmSync(this.#dir, { recursive: true, force: true })
  }
}
