/**
 * The search tool's two engines and what they share. The walk gives the project's files as search
 * and the green baseline see them: what the ignore rules ignore is skipped, version control,
 * dependency and Fixloop folders are never entered, and a symbolic link is never followed. The
 * glob filter reads globs as ripgrep does. The JS engine matches in a worker thread; the ripgrep
 * engine streams `rg`'s output.
 */
import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import { Worker } from 'node:worker_threads'
import { resolveExecutable } from '../checks/resolve-bin'
import { absPath, childRel } from '../shadow/rel-path'
import type { IgnoreMatcher } from '../watch/ignore-rules'

/** Folders never walked, whatever the ignore rules say (a project may re-include `node_modules`). */
export const NEVER_WALKED: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.fixloop',
])

export interface WalkOptions {
  /** Absolute folder the relative paths are relative to. */
  root: string
  ignore: IgnoreMatcher
  /** Relative folder to start from; `''` for the root. @default '' */
  from?: string
  /** Stops the walk; it then rejects with the signal's reason. @default none */
  signal?: AbortSignal
}

/**
 * Every regular file below `from` that the matcher does not ignore, as root-relative forward-slash
 * paths in no particular order. Folders that vanish or cannot be read mid-walk are skipped.
 */
export async function listFiles(options: WalkOptions): Promise<string[]> {
  const { root, ignore, signal } = options
  const files: string[] = []
  const stack = [options.from ?? '']
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    signal?.throwIfAborted()
    let entries
    try {
      entries = await readdir(absPath(root, dir), { withFileTypes: true })
    } catch (error) {
      if (SKIPPED_DIR_ERRORS.has(String((error as NodeJS.ErrnoException).code))) continue
      throw error
    }
    for (const entry of entries) {
      const rel = childRel(dir, entry.name)
      // Symbolic links are neither listed nor followed: a link may point out of the root
      if (entry.isDirectory()) {
        if (!NEVER_WALKED.has(entry.name.toLowerCase()) && !ignore.ignores(rel, true)) {
          stack.push(rel)
        }
      } else if (entry.isFile() && !ignore.ignores(rel, false)) files.push(rel)
    }
  }
  return files
}

const SKIPPED_DIR_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM'])

/**
 * Orders relative paths segment by segment (`a/x.ts` compares as `a` against `a.ts`, so it comes
 * first), which keeps a folder's files together. Both search engines sort their output with it.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // A separator sorts before any character, so a segment sorts before its longer namesakes
    if (x === SLASH) return -1
    if (y === SLASH) return 1
    return x - y
  }
  return a.length - b.length
}

const SLASH = 47

/** One matching line: root-relative path, 1-based line number, the line's text. */
export interface Match {
  path: string
  line: number
  text: string
}

/** Matches ordered by path (`comparePaths`), then by line. */
export function compareMatches(a: Match, b: Match): number {
  return comparePaths(a.path, b.path) || a.line - b.line
}

/** Thrown for a glob that cannot be read; the message says why. */
export class GlobError extends Error {}

/**
 * A file filter with ripgrep's `--glob` meaning (gitignore syntax): a glob without a slash matches
 * the file name at any depth, one with a slash the whole path from the root; `**`, `*`, `?`,
 * `[...]` and `{a,b}` work as in ripgrep. A leading `!` excludes the files it matches, and every
 * file under a folder it matches (ripgrep does not enter such a folder).
 */
export function compileGlob(glob: string): (rel: string) => boolean {
  const negated = glob.startsWith('!')
  let body = negated ? glob.slice(1) : glob
  if (body.length === 0) throw new GlobError('the glob is empty')
  const dirOnly = body.endsWith('/')
  if (dirOnly) body = body.replace(/\/+$/, '')
  const anchored = body.includes('/')
  body = body.replace(/^\/+/, '')
  const regex = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${globSource(body)}$`)
  if (!negated) return (rel) => !dirOnly && regex.test(rel)
  return (rel) => {
    if (!dirOnly && regex.test(rel)) return false
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
      if (regex.test(rel.slice(0, i))) return false
    }
    return true
  }
}

function globSource(glob: string): string {
  let out = ''
  let braces = 0
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '\\') {
      if (i + 1 >= glob.length) throw new GlobError('the glob ends with a lone backslash')
      out += escapeRegExp(glob[++i]!)
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/'
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/'
        if (atStart && atEnd) {
          // `**/` is any number of folders, a final `/**` everything below
          if (i + 2 === glob.length) out += '.*'
          else {
            out += '(?:.*/)?'
            i++
          }
          i++
          continue
        }
        out += '[^/]*'
        i++
      } else out += '[^/]*'
    } else if (c === '?') out += '[^/]'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end === -1) throw new GlobError(`unclosed "[" at character ${i + 1}`)
      let set = glob.slice(i + 1, end)
      if (set.startsWith('!')) set = `^${set.slice(1)}`
      out += `[${set.replace(/\\/g, '\\\\')}]`
      i = end
    } else if (c === '{') {
      braces++
      out += '(?:'
    } else if (c === '}' && braces > 0) {
      braces--
      out += ')'
    } else if (c === ',' && braces > 0) out += '|'
    else out += escapeRegExp(c)
  }
  if (braces > 0) throw new GlobError('unclosed "{"')
  return out
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      out[index] = await fn(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

export interface JsScanRequest {
  /** Absolute root and root-relative paths of the files to search. */
  root: string
  files: readonly string[]
  /** A `RegExp`'s source and flags. */
  source: string
  flags: string
  /** Files bigger than this are skipped, like ripgrep's `--max-filesize`. */
  maxFileBytes: number
  /** Characters of a line kept (one more is sent, so the caller knows it was cut). */
  maxLineChars: number
  /** Told of every matching line, in file order. */
  onMatch(path: string, line: number, text: string): void
  signal: AbortSignal
}

/**
 * The JS engine: reads and matches the files in a worker thread, so a pattern that backtracks
 * catastrophically (`(a+)+$`) cannot freeze the process and the timeout can stop it. Binary files
 * (a NUL byte) and files over the size limit are skipped; lines end at `\n`, a trailing `\r` is
 * dropped (ripgrep's `--crlf`).
 */
export function scanWithWorker(request: JsScanRequest): Promise<void> {
  const { signal } = request
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const worker = new Worker(SCAN_WORKER, {
      eval: true,
      // The host's flags (loaders, --input-type) are no business of this plain script
      execArgv: [],
      workerData: {
        root: request.root,
        files: request.files.map((rel) => [rel, absPath(request.root, rel)]),
        source: request.source,
        flags: request.flags,
        maxFileBytes: request.maxFileBytes,
        maxLineChars: request.maxLineChars,
      },
    })
    let settled = false
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', onAbort)
      void worker.terminate()
      if (error === undefined) resolve()
      else reject(error)
    }
    const onAbort = () => finish(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (message: WorkerMessage) => {
      if (settled) return
      if ('done' in message) return finish()
      for (const [path, line, text] of message.matches) request.onMatch(path, line, text)
    })
    worker.on('error', (error) => finish(error))
    worker.on('exit', (code) => finish(new Error(`the search worker exited early (code ${code})`)))
  })
}

type WorkerMessage = { done: true } | { matches: [string, number, string][] }

/**
 * The worker's script. Plain JavaScript, loaded with `eval` so it needs no file of its own in the
 * build; `process.getBuiltinModule` works whether the host is CommonJS or ESM.
 */
const SCAN_WORKER = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads')
const fs = process.getBuiltinModule('node:fs')
const { files, source, flags, maxFileBytes, maxLineChars } = workerData
const regex = new RegExp(source, flags)
let batch = []
for (const [rel, abs] of files) {
  let bytes
  try {
    if (fs.statSync(abs).size > maxFileBytes) continue
    bytes = fs.readFileSync(abs)
  } catch {
    continue
  }
  if (bytes.length > maxFileBytes || bytes.includes(0)) continue
  const lines = bytes.toString('utf8').split('\\n')
  if (lines[lines.length - 1] === '') lines.pop()
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]
    if (line.endsWith('\\r')) line = line.slice(0, -1)
    if (!regex.test(line)) continue
    // Cut as the caller will, after the byte-order mark it does not show
    const shown = i === 0 ? line.replace(/^\\uFEFF/, '') : line
    batch.push([rel, i + 1, shown.slice(0, maxLineChars + 1)])
  }
  if (batch.length >= 256) {
    parentPort.postMessage({ matches: batch })
    batch = []
  }
}
if (batch.length > 0) parentPort.postMessage({ matches: batch })
parentPort.postMessage({ done: true })
`

export interface RipgrepQuery {
  pattern: string
  glob: string | undefined
  /** Relative file or folder searched; `''` for the root. */
  from: string
  ignore: IgnoreMatcher
  maxFileBytes: number
  maxLineChars: number
}

/** ripgrep's arguments for a query, to run with the root as working directory. */
export function ripgrepArgs(query: RipgrepQuery): string[] {
  const { ignore, maxLineChars } = query
  // ripgrep's own ignore files are off: the matcher decides, and its folder globs only save time
  const dirGlobs = [...[...NEVER_WALKED].map((name) => `**/${name}`), ...ignore.ignoredDirGlobs()]
  const excluded = dirGlobs
    .slice(0, 500)
    .map((glob) => (glob.startsWith('**/') ? `!${glob}/` : `!/${glob}/`))
  return [
    '--no-config',
    '--no-ignore',
    '--hidden',
    '--line-number',
    '--no-heading',
    '--with-filename',
    '--null',
    '--color',
    'never',
    '--crlf',
    // Raw bytes, BOM included, as the JS engine reads them
    '--encoding',
    'none',
    '--max-filesize',
    String(query.maxFileBytes),
    // Generous, so the line we cut ourselves is always whole up to the cut
    '--max-columns',
    String(maxLineChars * 4 + 64),
    '--max-columns-preview',
    ...(query.glob === undefined ? [] : ['--glob', query.glob]),
    ...excluded.flatMap((glob) => ['--glob', glob]),
    '--',
    query.pattern,
    query.from || '.',
  ]
}

/** Reads `path\0line:text` (from `--null --line-number`); anything else (notices) is skipped. */
export function parseRipgrepLine(line: string): Match | null {
  const nul = line.indexOf('\0')
  if (nul <= 0) return null
  const colon = line.indexOf(':', nul + 1)
  const number = Number(line.slice(nul + 1, colon))
  if (colon < 0 || !Number.isInteger(number) || number < 1) return null
  let path = line.slice(0, nul)
  if (process.platform === 'win32') path = path.replace(/\\/g, '/')
  if (path.startsWith('./')) path = path.slice(2)
  let text = line.slice(colon + 1)
  if (text.endsWith('\r')) text = text.slice(0, -1)
  return { path, line: number, text }
}

/** `unavailable`: not installed after all, or it cannot read the pattern or glob as we do. */
export type RipgrepOutcome = 'done' | 'unavailable'

/** Runs ripgrep without a shell, streaming its lines (so a huge result is counted, not buffered). */
export function runRipgrep(
  command: string[],
  run: { cwd: string; args: string[]; signal: AbortSignal; onLine(line: string): void },
): Promise<RipgrepOutcome> {
  const { signal } = run
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...run.args], {
      cwd: run.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    })
    const decoder = new StringDecoder('utf8')
    let pending = ''
    let stderr = ''
    let failure: unknown = null
    const onAbort = () => child.kill()
    signal.addEventListener('abort', onAbort, { once: true })
    child.stdout.on('data', (chunk: Buffer) => {
      pending += decoder.write(chunk)
      let at = pending.indexOf('\n')
      let from = 0
      for (; at !== -1; at = pending.indexOf('\n', from)) {
        try {
          run.onLine(pending.slice(from, at))
        } catch (error) {
          failure ??= error
        }
        from = at + 1
      }
      pending = pending.slice(from)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8')
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort)
      if (error.code === 'ENOENT' || error.code === 'EACCES') resolvePromise('unavailable')
      else reject(error)
    })
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', onAbort)
      const rest = pending + decoder.end()
      try {
        if (rest) run.onLine(rest)
      } catch (error) {
        failure ??= error
      }
      if (signal.aborted) return reject(signal.reason)
      if (failure) return reject(failure)
      if (code === 0 || code === 1) return resolvePromise('done')
      if (code === 2 && /regex parse error|glob/i.test(stderr)) return resolvePromise('unavailable')
      // Otherwise 2 reports trouble with single files (unreadable, vanished mid-search)
      if (code === 2) return resolvePromise('done')
      reject(new Error(`ripgrep stopped (${killedBy ?? `exit code ${code}`}): ${stderr.trim()}`))
    })
  })
}

/** The argv prefix of ripgrep: `rgPath`, or `rg` on PATH; null for none or `false`. */
export function findRipgrep(
  rgPath: string | false | undefined,
  root: string,
  env: NodeJS.ProcessEnv | undefined,
): string[] | null {
  if (rgPath === false) return null
  const found = resolveExecutable(rgPath ?? 'rg', { root, env, localBins: false })
  if (rgPath !== undefined && !found) {
    throw new TypeError(`rgPath ${rgPath} is not an executable file`)
  }
  return found
}
