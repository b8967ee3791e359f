/**
 * Path resolution for the sandboxed editor. A path (relative to the project root, or absolute within
 * it) is normalised, checked against the protected paths before any file-system access, then walked
 * component by component from the root's real path with lstat: a symbolic link anywhere on the way is
 * refused, and an existing target's real path must come back to the same place inside the root.
 *
 * A hard link cannot be seen from its path: a file with more than one link may be the same file as
 * one outside the project, so it is refused too. The shadow copies such a file into a file of its
 * own (one link, the outside content), so the same path is also looked up in the user's project
 * (the `aliases`) and refused when the user's file has more than one link.
 */
import { lstatSync, type Stats } from 'node:fs'
import { lstat, realpath } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { MAX_PATH_CHARS, Refusal, requireString } from './editor-input'
import { protectedReason } from './protected-paths'

export interface Resolved {
  /** Absolute, under the real root. */
  abs: string
  /** Project-relative with forward slashes; '' for the root. */
  rel: string
  /** What lstat said of the path itself, null when it does not exist. */
  kind: 'file' | 'dir' | null
  size: number
  mode: number | null
  /** Relative directories (outermost first) that do not exist yet on the way to the path. */
  missingDirs: string[]
}

export interface PathResolverOptions {
  /** The project root as configured (absolute). */
  root: string
  caseInsensitive: boolean
  isProtected?: (relativePath: string) => string | boolean | null | undefined
  /**
   * Other absolute names of the root: the user's project when the editor works in its shadow copy, so
   * a path Claude read in a stack trace lands in the copy. @default []
   */
  aliases?: readonly string[]
}

export interface PathResolver {
  /** Resolves Claude's `path` field, or throws a Refusal saying why not. */
  resolve(raw: unknown, field?: string): Promise<Resolved>
  /** The real path of the root (symlinks resolved), where every file the editor touches lives. */
  realRoot(): Promise<string>
  /**
   * Why the project-relative file `rel` (forward slashes) may not be read because it is hard-linked,
   * here or in an alias, or null. Missing files and directories are not links.
   */
  hardLinkReason(rel: string): string | null
}

export function createPathResolver(options: PathResolverOptions): PathResolver {
  const givenRoot = resolve(options.root)
  const { caseInsensitive, isProtected } = options
  let realRoot: Promise<string> | null = null
  const rootReal = () => (realRoot ??= realpath(givenRoot))
  const samePath = (a: string, b: string) =>
    caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b
  const aliases = (options.aliases ?? []).map((alias) => resolve(alias))

  /** The link refusal for `rel` given its lstat here (null when it does not exist). */
  function linkRefusal(rel: string, here: Stats | null): string | null {
    if (here?.isFile() && here.nlink > 1) return hardLinkMessage(rel, here.nlink)
    const parts = rel.split('/')
    for (const alias of aliases) {
      if (samePath(alias, givenRoot)) continue
      const there = lstatOrNull(join(alias, ...parts))
      if (there?.isFile() && there.nlink > 1) return hardLinkMessage(rel, there.nlink)
    }
    return null
  }

  async function resolvePath(raw: unknown, field = 'path'): Promise<Resolved> {
    const path = requireString(raw, field)
    if (path.length === 0)
      throw new Refusal(`${field} is empty: give a path relative to the project root.`)
    if (path.length > MAX_PATH_CHARS)
      throw new Refusal(`${field} is ${path.length} characters long; refused.`)
    if (path.includes('\0')) throw new Refusal(`${field} contains a NUL character; refused.`)
    const root = await rootReal()
    let rel: string | null
    if (isAbsolute(path)) {
      // An absolute path may name the root as configured or as its real path (e.g. /tmp vs /private/tmp).
      rel =
        inside(givenRoot, resolve(path)) ??
        inside(root, resolve(path)) ??
        aliases.reduce<string | null>((found, alias) => found ?? inside(alias, resolve(path)), null)
    } else {
      rel = inside(root, resolve(root, path))
    }
    if (rel === null) {
      throw new Refusal(
        `${path} is outside the project root; refused. Use a path relative to the project root.`,
      )
    }
    const parts = rel === '' ? [] : rel.split(sep)
    const posix = parts.join('/')
    const reason = protectedReason(posix, { caseInsensitive })
    if (reason) throw new Refusal(`${reason}; refused.`)
    const extra = isProtected?.(posix)
    if (extra)
      throw new Refusal(
        `${posix} is protected${typeof extra === 'string' ? ` (${extra})` : ''}; refused.`,
      )

    let current = root
    let st = parts.length === 0 ? await lstat(root) : null
    let missingAt = -1
    for (let i = 0; i < parts.length; i++) {
      current = join(current, parts[i]!)
      const shown = parts.slice(0, i + 1).join('/')
      try {
        st = await lstat(current)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        missingAt = i
        break
      }
      if (st.isSymbolicLink()) {
        throw new Refusal(`${shown} is a symbolic link; the editor does not follow links. Refused.`)
      }
      if (i < parts.length - 1 && !st.isDirectory()) {
        throw new Refusal(`${shown} is not a directory, so ${posix} cannot exist.`)
      }
    }
    const missingDirs: string[] = []
    if (missingAt >= 0) {
      // Everything below a missing component is missing too; the directories among them get created.
      for (let j = missingAt; j < parts.length - 1; j++)
        missingDirs.push(parts.slice(0, j + 1).join('/'))
      current = join(root, ...parts)
      st = null
    }
    const kind = st === null ? null : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other'
    if (kind === 'other') throw new Refusal(`${posix} is not a regular file or directory; refused.`)
    const exists = st !== null
    if (kind !== 'dir' && posix !== '') {
      const linked = linkRefusal(posix, st)
      if (linked) throw new Refusal(linked)
    }
    if (exists) {
      // Belt and braces: the real path must still be the path we walked, inside the root.
      const real = await realpath(current)
      const back = inside(root, real)
      if (back === null || !samePath(back, rel)) {
        throw new Refusal(`${posix} resolves outside the project root; refused.`)
      }
    }
    return {
      abs: current,
      rel: posix,
      kind,
      size: st ? Number(st.size) : 0,
      mode: st ? Number(st.mode) & 0o7777 : null,
      missingDirs,
    }
  }

  return {
    resolve: resolvePath,
    realRoot: rootReal,
    hardLinkReason: (rel) => linkRefusal(rel, lstatOrNull(join(givenRoot, ...rel.split('/')))),
  }
}

/** The refusal of a hard-linked file, for the resolver and for a read that finds one. */
export function hardLinkMessage(rel: string, links: number): string {
  return `${rel} is a hard link (one file with ${links} names, perhaps outside the project); hard-linked files are neither read nor written. Refused.`
}

/** lstat, or null for a path that does not exist (or has a file where a folder should be). */
function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw error
  }
}

/** The path of `target` relative to `root` (platform separators), or null when it is outside. */
function inside(root: string, target: string): string | null {
  const rel = relative(root, target)
  if (rel === '') return ''
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null
  return rel
}
