import { realpathSync } from 'node:fs'
import path from 'node:path'

/**
 * The real path of `p` with symlinks resolved, also for a path that does not exist yet: the
 * nearest existing ancestor is resolved and the rest appended. Sandboxes match real paths (a bind
 * through a symlink, or Seatbelt's `/tmp` → `/private/tmp`, would otherwise miss).
 */
export function realPath(p: string): string {
  const rest: string[] = []
  let current = path.resolve(p)
  for (;;) {
    try {
      return path.join(realpathSync.native(current), ...rest.reverse())
    } catch {
      const parent = path.dirname(current)
      if (parent === current) return path.resolve(p)
      rest.push(path.basename(current))
      current = parent
    }
  }
}

export function requireAbsolute(p: string, what: string): void {
  if (!path.isAbsolute(p)) throw new RangeError(`${what} must be an absolute path, got ${p}`)
}

/** How many components deep `p` is (`/` is 0); deeper binds go later so the most specific wins. */
export function depth(p: string): number {
  return p.split('/').filter(Boolean).length
}
