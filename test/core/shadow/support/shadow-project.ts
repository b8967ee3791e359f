import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ShadowPool } from '../../../../src/main/core/shadow'
import type { ShadowPoolOptions } from '../../../../src/main/core/shadow'
import { createIgnoreMatcher } from '../../../../src/main/core/watch/ignore-rules'

type Files = Record<string, string>

/** A temp folder holding `project/` (the files given) and `cache/` (the pool's cache folder). */
export function shadowFixture(files: Files = {}) {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fixloop-shadow-')))
  const root = path.join(base, 'project')
  mkdirSync(root)
  writeTree(root, files)
  const logs: { level: string; message: string }[] = []
  const pools: ShadowPool[] = []
  return {
    base,
    root,
    cacheDir: path.join(base, 'cache'),
    logs,
    file: (rel: string) => path.join(root, rel),
    write: (rel: string, text: string) => writeTree(root, { [rel]: text }),
    link: (rel: string, target: string) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
      symlinkSync(target, path.join(root, rel))
    },
    /** A pool on this project, cache in the fixture; disposed by `remove()`. */
    pool(options: Partial<ShadowPoolOptions> = {}): ShadowPool {
      const pool = ShadowPool.open({
        projectRoot: root,
        ignore: createIgnoreMatcher({ root, extensions: [] }),
        cacheDir: path.join(base, 'cache'),
        log: (level, message) => logs.push({ level, message }),
        ...options,
      })
      pools.push(pool)
      return pool
    },
    async remove() {
      await Promise.all(pools.splice(0).map((pool) => pool.dispose()))
      rmSync(base, { recursive: true, force: true })
    },
  }
}

export type ShadowFixture = ReturnType<typeof shadowFixture>

export function writeTree(root: string, files: Files): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
}

/**
 * Every entry under `root` (not following links, not entering `skip` folders): kind, content hash
 * or link target, mode and mtime. Two equal snapshots mean nothing was written.
 */
export function treeSnapshot(root: string, skip: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name
      if (skip.includes(child)) continue
      const abs = path.join(root, child)
      const stat = lstatSync(abs)
      const meta = `${(stat.mode & 0o7777).toString(8)} ${stat.mtimeMs}`
      if (stat.isSymbolicLink()) out.set(child, `link ${readlinkSync(abs)} ${meta}`)
      else if (stat.isDirectory()) {
        out.set(child, `dir ${meta}`)
        walk(child)
      } else out.set(child, `file ${hash(readFileSync(abs))} ${meta}`)
    }
  }
  walk('')
  return out
}

/** The files under `root` (links and folders left out) as rel → content, `skip` folders not entered. */
export function filesUnder(root: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [rel, entry] of treeSnapshot(root, skip))
    if (entry.startsWith('file ')) out[rel] = readFileSync(path.join(root, rel), 'utf8')
  return out
}

const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Runs `node -e script` in `cwd` (a check process); resolves with its stdout. */
export function runNode(cwd: string, script: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`node exited ${code}: ${stderr}`)),
    )
  })
}
