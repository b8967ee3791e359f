/**
 * The fix agent's read-only `search` tool: a regular expression over the project's non-ignored
 * files, answered as `path:line: text` lines. ripgrep runs it when installed; otherwise a JS engine
 * does, with the same rules and the same output, so the model cannot tell them apart.
 *
 * Both engines see the same files: what the ignore matcher does not ignore, minus protected paths
 * (env files, lockfiles, CI workflows, keys: the editor refuses to show them, so search must not
 * either), binary files and files over 1 MiB. Symbolic links are never followed, and `path` goes
 * through the editor's resolver, so nothing outside the root can be named. Hard-linked files (more
 * than one link in the searched folder or in an alias, the user's project) are refused like the
 * editor refuses them: their matches are dropped, so no line of them is shown.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import type { Tool } from '@anthropic-ai/sdk/resources/messages'
import type { IgnoreMatcher } from '../watch/ignore-rules'
import { Refusal, describe, formatBytes, optionalString, requireString } from './editor-input'
import { createPathResolver } from './editor-paths'
import type { EditorResult } from './editor-types'
import { isCaseInsensitiveFs, protectedReason } from './protected-paths'
import {
  GlobError,
  type Match,
  NEVER_WALKED,
  compareMatches,
  compileGlob,
  findRipgrep,
  listFiles,
  parseRipgrepLine,
  ripgrepArgs,
  runRipgrep,
  scanWithWorker,
} from './search-engines'

export const SEARCH_TOOL_NAME = 'search'

/** Files bigger than this are not searched (ripgrep's `--max-filesize`). */
export const MAX_SEARCH_FILE_BYTES = 1024 * 1024

const MAX_PATTERN_BYTES = 4096
const MAX_GLOB_BYTES = 1024

/**
 * The tool definition. Strict mode keeps `path` and `glob` optional: the API's strict schemas
 * allow properties left out of `required` (the SDK's own strict transform keeps `required` as
 * given and only forces `additionalProperties: false`). `execute` accepts `null` for them too.
 */
export function searchTool(strict = true): Tool {
  return {
    name: SEARCH_TOOL_NAME,
    description:
      'Searches the project for lines matching a regular expression, like ripgrep, and returns them ' +
      'as `path:line: text` (paths relative to the project root, sorted by path then line). Read-only. ' +
      'Only a limited number of lines is shown, each cut short when long, with a count of the rest: ' +
      'narrow a broad search with `path` or `glob`. Searched: the files the project does not ignore ' +
      '(.gitignore, build output and node_modules are left out); protected files (.env, lockfiles, ' +
      'CI workflows, keys), hard-linked and binary files and files over 1 MiB are skipped, ' +
      'symbolic links are not followed. A pattern matches within one line, case-sensitively ' +
      'unless it starts with (?i).',
    ...(strict ? { strict: true } : {}),
    input_schema: {
      type: 'object',
      additionalProperties: false,
      required: ['pattern'],
      properties: {
        pattern: {
          type: 'string',
          description:
            'Regular expression (ripgrep / JavaScript syntax) matched against each line, e.g. ' +
            '"function parseConfig", "import .* from \'\\./util\'". Escape regex characters to find ' +
            'literal text ("foo\\(").',
        },
        path: {
          type: 'string',
          description: 'Project-relative file or folder to search in. Default: the whole project.',
        },
        glob: {
          type: 'string',
          description:
            'Only files matching this glob (ripgrep --glob syntax), e.g. "*.ts", "src/**/*.test.js", ' +
            '"*.{ts,tsx}"; a leading "!" excludes ("!*.min.js").',
        },
      },
    },
  }
}

export const SEARCH_TOOL: Tool = searchTool(true)

export interface SearchOptions {
  /** The folder searched, absolute: the shadow copy of the project. */
  root: string
  /**
   * The project's ignore rules. Only relative paths are asked, so the project's matcher serves its
   * shadow copy as is.
   */
  ignore: IgnoreMatcher
  /** The ripgrep binary, or `false` for the JS engine. @default `rg` on PATH, else the JS engine */
  rgPath?: string | false
  /** Matching lines shown; the rest are counted. @default 200 */
  maxMatches?: number
  /** Characters of a matching line shown. @default 300 */
  maxLineChars?: number
  /** A search running longer is stopped and reported. @default 10_000 */
  timeoutMs?: number
  /** Fold case when matching protected names. @default detected from the root's file system */
  caseInsensitive?: boolean
  /** Other absolute names of the root (the user's project) that `path` may use. @default [] */
  aliases?: readonly string[]
  /**
   * Extra protection on top of the built-in list, as the editor was given: return a reason (or
   * true) to keep a project-relative path out of the search.
   * @default none
   */
  isProtected?: (relativePath: string) => string | boolean | null | undefined
  /** Supplies PATH (and PATHEXT) when looking for `rg`. @default process.env */
  env?: NodeJS.ProcessEnv
}

export type SearchResult = EditorResult

export interface SearchTool {
  /** Which engine answers: fixed when the tool is made. */
  readonly engine: 'ripgrep' | 'js'
  /** Runs one call. Never throws: a refused or failed search is an error result. */
  execute(input: unknown, signal?: AbortSignal): Promise<SearchResult>
}

interface Request {
  pattern: string
  /** The JS form of the pattern, or why JS cannot compile it. */
  js: { source: string; flags: string } | { error: string }
  glob: string | undefined
  target: { rel: string; kind: 'file' | 'dir' }
  accept: (rel: string) => boolean
  /** Whether a file that matched may be shown: false for a hard link. Asked once per file. */
  showable: (rel: string) => boolean
}

class SearchTimeout extends Error {}

export function createSearch(options: SearchOptions): SearchTool {
  if (typeof options.root !== 'string' || !isAbsolute(options.root)) {
    throw new TypeError(`the search root must be an absolute path, got ${String(options.root)}`)
  }
  if (typeof options.ignore?.ignores !== 'function') {
    throw new TypeError('the search needs an ignore matcher (createIgnoreMatcher)')
  }
  const maxMatches = positive(options.maxMatches, 200, 'maxMatches')
  const maxLineChars = positive(options.maxLineChars, 300, 'maxLineChars')
  const timeoutMs = positive(options.timeoutMs, 10_000, 'timeoutMs')
  const root = resolve(options.root)
  const { ignore, isProtected } = options
  const caseInsensitive = options.caseInsensitive ?? isCaseInsensitiveFs(root)
  const paths = createPathResolver({ root, caseInsensitive, isProtected, aliases: options.aliases })
  const rg = findRipgrep(options.rgPath, root, options.env)

  async function prepare(input: unknown): Promise<Request> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new Refusal(
        `The tool input must be an object with a "pattern" field, got ${describe(input)}.`,
      )
    }
    const call = input as Record<string, unknown>
    const pattern = requireString(call.pattern, 'pattern', MAX_PATTERN_BYTES)
    if (pattern.length === 0) throw new Refusal('pattern is empty: give a regular expression.')
    if (matchesNewline(pattern)) {
      throw new Refusal(
        'pattern contains a newline (\\n); search matches one line at a time. Search for one line of it.',
      )
    }
    const glob = optionalString(call.glob, 'glob', MAX_GLOB_BYTES) || undefined
    let globTest: ((rel: string) => boolean) | null = null
    try {
      if (glob !== undefined) globTest = compileGlob(glob)
    } catch (error) {
      if (error instanceof GlobError) {
        throw new Refusal(`Invalid glob ${JSON.stringify(glob)}: ${error.message}.`)
      }
      throw error
    }
    const target = await resolveTarget(call.path)
    const verdicts = new Map<string, boolean>()
    const accept = (rel: string) => {
      let verdict = verdicts.get(rel)
      if (verdict === undefined) {
        verdict =
          !rel.split('/').some((part) => NEVER_WALKED.has(part.toLowerCase())) &&
          !ignore.ignores(rel, false) &&
          protectedReason(rel, { caseInsensitive }) === null &&
          !isProtected?.(rel) &&
          (globTest === null || globTest(rel))
        verdicts.set(rel, verdict)
      }
      return verdict
    }
    // Asked of matching files only (a link count costs an lstat), so the walk stays a readdir.
    const links = new Map<string, boolean>()
    const showable = (rel: string) => {
      let verdict = links.get(rel)
      if (verdict === undefined) {
        try {
          verdict = paths.hardLinkReason(rel) === null
        } catch {
          // Cannot tell (unreadable): not shown, as the editor would not show it either.
          verdict = false
        }
        links.set(rel, verdict)
      }
      return verdict
    }
    return { pattern, js: jsRegex(pattern), glob, target, accept, showable }
  }

  async function resolveTarget(raw: unknown): Promise<Request['target']> {
    if (raw === undefined || raw === null) return { rel: '', kind: 'dir' }
    const given = requireString(raw, 'path')
    if (/^(\.[/\\]?)?$/.test(given.trim())) return { rel: '', kind: 'dir' }
    const target = await paths.resolve(given, 'path')
    if (target.kind === null) {
      throw new Refusal(
        `${target.rel} does not exist. Give a project-relative file or folder, or leave path out to search the whole project.`,
      )
    }
    if (target.rel !== '' && ignore.ignores(target.rel, target.kind === 'dir')) {
      throw new Refusal(
        `${target.rel} is ignored (by the project's .gitignore or Fixloop's ignore patterns); search covers the non-ignored files only.`,
      )
    }
    if (target.kind === 'file') {
      if (target.size > MAX_SEARCH_FILE_BYTES) {
        throw new Refusal(
          `${target.rel} is ${formatBytes(target.size)}, over search's limit of ${formatBytes(MAX_SEARCH_FILE_BYTES)}; view it in ranges instead.`,
        )
      }
      if ((await readFile(target.abs)).includes(0)) {
        throw new Refusal(`${target.rel} is a binary file; search skips binary files.`)
      }
    }
    return { rel: target.rel, kind: target.kind }
  }

  async function runJs(request: Request, found: Collector, signal: AbortSignal) {
    if ('error' in request.js) {
      throw new Refusal(`Invalid regular expression /${request.pattern}/: ${request.js.error}.`)
    }
    const realRoot = await paths.realRoot()
    const { target } = request
    const files =
      target.kind === 'file'
        ? [target.rel]
        : await listFiles({ root: realRoot, ignore, from: target.rel, signal })
    await scanWithWorker({
      root: realRoot,
      files: files.filter(request.accept),
      ...request.js,
      maxFileBytes: MAX_SEARCH_FILE_BYTES,
      maxLineChars,
      onMatch: (path, line, text) => {
        if (request.showable(path)) found.add({ path, line, text })
      },
      signal,
    })
  }

  async function runRg(command: string[], request: Request, found: Collector, signal: AbortSignal) {
    const args = ripgrepArgs({
      pattern: request.pattern,
      glob: request.glob,
      from: request.target.rel,
      ignore,
      maxFileBytes: MAX_SEARCH_FILE_BYTES,
      maxLineChars,
    })
    const outcome = await runRipgrep(command, {
      cwd: await paths.realRoot(),
      args,
      signal,
      onLine(line) {
        const match = parseRipgrepLine(line)
        if (match && request.accept(match.path) && request.showable(match.path)) found.add(match)
      },
    })
    if (outcome === 'done' || found.total > 0) return
    // ripgrep may be gone by now, and its syntax has no look-around or backreferences: the JS
    // engine answers instead, or refuses the pattern in the same words as when it runs alone
    return runJs(request, found, signal)
  }

  async function run(input: unknown, signal?: AbortSignal): Promise<SearchResult> {
    if (signal?.aborted) return error('The search was cancelled before it ran.')
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new SearchTimeout()), timeoutMs)
    timer.unref()
    const onAbort = () => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const request = await prepare(input)
      const found = new Collector(maxMatches)
      if (rg) await runRg(rg, request, found, controller.signal)
      else await runJs(request, found, controller.signal)
      return ok(formatResult(request, found, maxLineChars))
    } catch (e) {
      if (controller.signal.reason instanceof SearchTimeout) {
        return error(
          `The search timed out after ${timeoutMs / 1000} s. Narrow it with path or glob, or a more specific pattern.`,
        )
      }
      if (signal?.aborted) return error('The search was cancelled.')
      if (e instanceof Refusal) return error(e.message)
      return error(`The search failed: ${e instanceof Error ? e.message : String(e)}`)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  return { engine: rg ? 'ripgrep' : 'js', execute: run }
}

/** Keeps the first `max` matches in path-then-line order, whatever order they arrive in. */
class Collector {
  total = 0
  private readonly kept: Match[] = []
  private readonly files = new Set<string>()

  constructor(private readonly max: number) {}

  add(match: Match) {
    this.total++
    this.files.add(match.path)
    this.kept.push(match)
    if (this.kept.length >= this.max * 2) this.compact()
  }

  shown(): Match[] {
    this.compact()
    return this.kept
  }

  get fileCount() {
    return this.files.size
  }

  private compact() {
    this.kept.sort(compareMatches)
    if (this.kept.length > this.max) this.kept.length = this.max
  }
}

function formatResult(request: Request, found: Collector, maxLineChars: number): string {
  if (found.total === 0) {
    const where = request.target.rel || 'the project'
    const only = request.glob ? ` (files matching ${request.glob})` : ''
    return `No matches for /${request.pattern}/ in ${where}${only}.`
  }
  const shown = found.shown()
  const lines = shown.map((m) => `${m.path}:${m.line}: ${displayText(m, maxLineChars)}`)
  const more = found.total - shown.length
  if (more > 0) {
    const moreFiles = found.fileCount - new Set(shown.map((m) => m.path)).size
    const inFiles = moreFiles > 0 ? `, in ${moreFiles} more file${moreFiles === 1 ? '' : 's'}` : ''
    lines.push(
      `(${more} more matching line${more === 1 ? '' : 's'} not shown${inFiles}; narrow the search with path, glob or a more specific pattern.)`,
    )
  }
  return lines.join('\n')
}

/** A matching line as shown: without a leading byte-order mark, cut (never mid-character) when long. */
function displayText(match: Match, max: number): string {
  const text = match.line === 1 ? match.text.replace(/^\uFEFF/, '') : match.text
  if (text.length <= max) return text
  const high = text.charCodeAt(max - 1)
  const cut = high >= 0xd800 && high <= 0xdbff ? max - 1 : max
  return `${text.slice(0, cut)}…`
}

/**
 * The pattern as a JS RegExp: Unicode mode when it compiles there (closest to ripgrep), plain
 * otherwise; a leading `(?i)`, which JS lacks, becomes the `i` flag.
 */
function jsRegex(pattern: string): { source: string; flags: string } | { error: string } {
  const insensitive = pattern.startsWith('(?i)')
  const source = insensitive ? pattern.slice(4) : pattern
  const flags = insensitive ? 'i' : ''
  let first: unknown
  for (const unicode of ['u', '']) {
    try {
      new RegExp(source, flags + unicode)
      return { source, flags: flags + unicode }
    } catch (e) {
      first ??= e
    }
  }
  const message = first instanceof Error ? first.message : String(first)
  // V8 says "Invalid regular expression: /src/flags: reason"; the reason is the news
  return { error: message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') }
}

/** Whether the pattern asks for a line break: a raw newline, or `\n` outside a character class. */
function matchesNewline(pattern: string): boolean {
  if (pattern.includes('\n')) return true
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') {
      if (!inClass && pattern[i + 1] === 'n') return true
      i++
    } else if (c === '[') inClass = true
    else if (c === ']') inClass = false
  }
  return false
}

const ok = (content: string): SearchResult => ({ content, isError: false })
const error = (content: string): SearchResult => ({ content, isError: true })

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`${name} must be a positive integer, got ${value}`)
  return value
}
