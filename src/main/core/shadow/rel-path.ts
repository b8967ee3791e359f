import path from 'node:path'

/**
 * A project-relative path in the watcher's spelling (forward slashes, no `./`, no trailing slash),
 * or null when it names the root or lies outside it. An absolute path under `root` is accepted.
 */
export function normalizeRel(input: string, root: string): string | null {
  let rel = input
  if (path.isAbsolute(rel)) {
    rel = path.relative(root, rel)
    if (rel === '' || path.isAbsolute(rel)) return null
  }
  const parts: string[] = []
  for (const part of rel.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') return null
    parts.push(part)
  }
  return parts.length > 0 ? parts.join('/') : null
}

/** `parent/name`, or `name` at the root. */
export function childRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`
}

/** The folder of a relative path; `''` for the root. */
export function parentRel(rel: string): string {
  const slash = rel.lastIndexOf('/')
  return slash < 0 ? '' : rel.slice(0, slash)
}

/**
 * An absolute path for `rel` (normalised, as `normalizeRel` returns it) under `root`. Plain
 * concatenation: a full reconcile builds two paths per file, and `path.join`'s normalising was a
 * tenth of a 20,000-file size/mtime pass.
 */
export function absPath(root: string, rel: string): string {
  if (rel === '') return root
  const native = path.sep === '/' ? rel : rel.replaceAll('/', path.sep)
  return root.endsWith(path.sep) ? `${root}${native}` : `${root}${path.sep}${native}`
}
