import { readFileSync } from 'node:fs'
import path from 'node:path'
import ignore from 'ignore'
import { DEFAULT_IGNORES, HARD_IGNORES } from './default-ignores'

type Ignore = ReturnType<typeof ignore>

export interface IgnoreMatcherOptions {
  /** The project root, absolute. */
  root: string
  /** The user's own patterns, gitignore syntax, relative to the root; they win over the project's. @default [] */
  userPatterns?: readonly string[]
  /** Only files with one of these extensions count (`'ts'` or `'.ts'`); empty means every file. @default [] */
  extensions?: readonly string[]
  /** Apply `DEFAULT_IGNORES` (dependencies, build outputs, editor temp files, logs). @default true */
  defaults?: boolean
  /** Read the root `.gitignore` and `.git/info/exclude`. @default true */
  gitignore?: boolean
  /** Also read `.gitignore` files in subfolders, as paths under them are first asked about. @default true */
  nestedGitignore?: boolean
  /**
   * Match case-insensitively, as git does by default where the file system is case-insensitive.
   * @default true on Windows and macOS, false elsewhere
   */
  ignoreCase?: boolean
}

/** Gitignore semantics over project-relative paths (forward slashes). */
export interface IgnoreMatcher {
  readonly root: string
  /**
   * Whether `relPath` is ignored. `isDir` matters for directory-only patterns (`dist/`) and for the
   * extension allow-list, which applies to files only: when it is unknown (`undefined`) the path is
   * judged as a file but the allow-list is not applied, so a folder is never shut out by it.
   */
  ignores(relPath: string, isDir?: boolean): boolean
  /**
   * Root-relative globs (picomatch syntax) naming folders that are certainly ignored, so a backend can
   * skip them without descending. A subset of what `ignores` says: patterns a later `!` rule might
   * re-include, and wildcard patterns that could name files, are left out. An entry without glob
   * characters names one path.
   */
  ignoredDirGlobs(): string[]
  /** Forgets the cached `.gitignore` of `relDir` (every one when omitted), after it changed on disk. */
  invalidate(relDir?: string): void
}

/** Builds the watcher's ignore rules: defaults, then `.git/info/exclude`, the `.gitignore` files, the user's patterns. */
export function createIgnoreMatcher(options: IgnoreMatcherOptions): IgnoreMatcher {
  return new GitignoreMatcher(options)
}

const LITERAL_SEGMENT = /^[A-Za-z0-9._-]+$/
const GLOB_SEGMENT = /^[A-Za-z0-9._*?-]+$/

class GitignoreMatcher implements IgnoreMatcher {
  readonly root: string
  private readonly head: readonly string[]
  private readonly tail: readonly string[]
  private readonly extensions: readonly string[]
  private readonly useGitignore: boolean
  private readonly nested: boolean
  private readonly ignoreCase: boolean
  /** relDir → its rules rebased onto the root; null when the folder has no readable `.gitignore`. */
  private readonly gitignores = new Map<string, string[] | null>()
  private rules: string[] = []
  private matcher: Ignore = ignore()
  private globs: string[] | null = null

  constructor(options: IgnoreMatcherOptions) {
    this.root = path.resolve(options.root)
    this.head = options.defaults === false ? [] : DEFAULT_IGNORES
    this.tail = [...(options.userPatterns ?? []).flatMap(parseGitignore), ...HARD_IGNORES]
    this.extensions = (options.extensions ?? [])
      .map((ext) => ext.replace(/^\./, '').toLowerCase())
      .filter((ext) => ext.length > 0)
    this.useGitignore = options.gitignore !== false
    this.nested = this.useGitignore && options.nestedGitignore !== false
    this.ignoreCase = options.ignoreCase ?? process.platform !== 'linux'
    this.loadRoot()
    this.rebuild()
  }

  ignores(relPath: string, isDir?: boolean): boolean {
    let rel = relPath.replace(/\\/g, '/').replace(/^(\.\/)+/, '')
    if (rel.endsWith('/')) {
      rel = rel.replace(/\/+$/, '')
      isDir = true
    }
    if (rel === '' || rel === '.') return false
    // Outside the project is none of the watcher's business
    if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return true
    const parts = rel.split('/').filter((part) => part.length > 0)
    rel = parts.join('/')
    // Walk down so that a folder's own .gitignore is read only when the folder itself is not ignored
    // (git never reads node_modules/x/.gitignore either)
    let dir = ''
    for (let i = 0; i < parts.length - 1; i++) {
      dir = dir ? `${dir}/${parts[i]}` : (parts[i] as string)
      if (this.matcher.ignores(`${dir}/`)) return true
      if (this.nested && this.loadDir(dir)) this.rebuild()
    }
    if (this.matcher.ignores(isDir ? `${rel}/` : rel)) return true
    return isDir === false && !this.extensionAllowed(parts[parts.length - 1] as string)
  }

  ignoredDirGlobs(): string[] {
    this.globs ??= dirGlobs(this.rules)
    return [...this.globs]
  }

  invalidate(relDir?: string): void {
    if (relDir === undefined) this.gitignores.clear()
    else this.gitignores.delete(relDir.replace(/\\/g, '/').replace(/^\.?\/?$/, ''))
    this.loadRoot()
    this.rebuild()
  }

  private extensionAllowed(name: string): boolean {
    if (this.extensions.length === 0) return true
    const lower = name.toLowerCase()
    return this.extensions.some((ext) => lower.endsWith(`.${ext}`))
  }

  private loadRoot(): void {
    if (!this.useGitignore || this.gitignores.has('')) return
    // info/exclude has lower precedence than the root .gitignore, so it goes first
    const exclude = readRules(path.join(this.root, '.git', 'info', 'exclude')) ?? []
    const rootRules = readRules(path.join(this.root, '.gitignore')) ?? []
    this.gitignores.set('', [...exclude, ...rootRules])
  }

  /** Reads `relDir/.gitignore` once; true when it added rules. */
  private loadDir(relDir: string): boolean {
    if (this.gitignores.has(relDir)) return false
    const rules = readRules(path.join(this.root, relDir, '.gitignore'))
    const rebased = rules?.map((rule) => rebaseRule(rule, relDir)) ?? null
    this.gitignores.set(relDir, rebased && rebased.length > 0 ? rebased : null)
    return rebased !== null && rebased.length > 0
  }

  private rebuild(): void {
    // Deeper .gitignore files win over shallower ones: git's precedence, kept by order (last match wins)
    const nested = [...this.gitignores.entries()]
      .filter((entry): entry is [string, string[]] => entry[0] !== '' && entry[1] !== null)
      .sort(([a], [b]) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1))
      .flatMap(([, rules]) => rules)
    this.rules = [...this.head, ...(this.gitignores.get('') ?? []), ...nested, ...this.tail]
    this.matcher = ignore({ ignorecase: this.ignoreCase }).add(this.rules)
    this.globs = null
  }
}

/** The rules of a gitignore file: comments and blank lines dropped, unescaped trailing spaces trimmed. */
export function parseGitignore(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/(?<!\\)[ \t]+$/, ''))
    .filter((line) => line.length > 0 && !line.startsWith('#'))
}

/**
 * Rewrites a rule of `relDir/.gitignore` so it reads the same from the root: a rule with a slash
 * (other than a trailing one) is anchored to its folder, one without matches at any depth below it.
 */
export function rebaseRule(rule: string, relDir: string): string {
  if (relDir === '') return rule
  const negated = rule.startsWith('!')
  let body = negated ? rule.slice(1) : rule
  const dirOnly = body.endsWith('/')
  if (dirOnly) body = body.slice(0, -1)
  const anchored = body.includes('/')
  body = body.replace(/^\/+/, '')
  const rebased = anchored ? `${relDir}/${body}` : `${relDir}/**/${body}`
  return `${negated ? '!' : ''}${rebased}${dirOnly ? '/' : ''}`
}

function readRules(file: string): string[] | null {
  try {
    return parseGitignore(readFileSync(file, 'utf8'))
  } catch {
    // Missing or unreadable: a folder without rules, as git treats it
    return null
  }
}

/** See `IgnoreMatcher.ignoredDirGlobs`. */
function dirGlobs(rules: readonly string[]): string[] {
  const globs = new Set<string>()
  rules.forEach((rule, index) => {
    const candidate = dirGlob(rule)
    if (!candidate) return
    const reincluded = rules
      .slice(index + 1)
      .some((later) => later.startsWith('!') && mayMatchSameName(later.slice(1), candidate.last))
    if (!reincluded) globs.add(candidate.glob)
  })
  return [...globs]
}

function dirGlob(rule: string): { glob: string; last: string } | null {
  // Negations re-include; a leading backslash escapes a special first character we do not translate
  if (rule.startsWith('!') || rule.startsWith('\\')) return null
  const dirOnly = rule.endsWith('/')
  let body = dirOnly ? rule.slice(0, -1) : rule
  const anchored = body.includes('/')
  body = body.replace(/^\/+/, '')
  const segments = body.split('/')
  if (segments.some((segment) => !GLOB_SEGMENT.test(segment))) return null
  const literal = segments.every((segment) => LITERAL_SEGMENT.test(segment))
  // A wildcard rule without a trailing slash (`*.log`) names files; filtering its events is enough
  if (!literal && !dirOnly) return null
  return { glob: anchored ? body : `**/${body}`, last: segments[segments.length - 1] as string }
}

/**
 * Conservative: whether the last segment of `rule` might name the same thing as the literal or
 * wildcard segment `last`. Only a literal against a literal, or a simple wildcard against a literal,
 * can be told apart; anything else may match.
 */
function mayMatchSameName(rule: string, last: string): boolean {
  const segments = rule.replace(/\/+$/, '').split('/')
  const other = segments[segments.length - 1] ?? ''
  const otherLiteral = LITERAL_SEGMENT.test(other)
  const lastLiteral = LITERAL_SEGMENT.test(last)
  if (otherLiteral && lastLiteral) return other.toLowerCase() === last.toLowerCase()
  if (lastLiteral && GLOB_SEGMENT.test(other)) return segmentRegExp(other).test(last)
  if (otherLiteral && GLOB_SEGMENT.test(last)) return segmentRegExp(last).test(other)
  return true
}

/** A single path segment with only `*` and `?` wildcards, as a case-insensitive RegExp. */
function segmentRegExp(segment: string): RegExp {
  const source = segment
    .split('')
    .map((char) => (char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.-]/g, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`, 'i')
}
