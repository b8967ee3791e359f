import { createHash } from 'node:crypto'
import { realpathSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { IgnoreMatcher } from '../watch/ignore-rules'
import { ShadowError } from './shadow-error'

export interface CacheDirInput {
  /** @default process.env */
  env?: NodeJS.ProcessEnv
  /** @default process.platform */
  platform?: NodeJS.Platform
  /** @default os.homedir() */
  homedir?: string
}

/**
 * Fixloop's cache folder: `FIXLOOP_CACHE_DIR` when set, else the OS cache folder + `fixloop`
 * (Linux `$XDG_CACHE_HOME` or `~/.cache`, macOS `~/Library/Caches`, Windows `%LOCALAPPDATA%` or
 * `~/AppData/Local`). A relative `XDG_CACHE_HOME` is ignored, as the XDG spec says.
 */
export function resolveCacheDir(input: CacheDirInput = {}): string {
  const env = input.env ?? process.env
  const platform = input.platform ?? process.platform
  const home = input.homedir ?? os.homedir()
  const explicit = env.FIXLOOP_CACHE_DIR?.trim()
  if (explicit) return path.resolve(explicit)
  const join = platform === 'win32' ? path.win32.join : path.join
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'fixloop')
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA?.trim()
    return join(local ? local : join(home, 'AppData', 'Local'), 'fixloop')
  }
  const xdg = env.XDG_CACHE_HOME?.trim()
  return join(xdg && path.isAbsolute(xdg) ? xdg : join(home, '.cache'), 'fixloop')
}

/**
 * `<cacheDir>/shadows/<basename>-<12 hex of sha256(real root)>`: the basename tells a person whose
 * folder it is, the hash keeps two projects of the same name apart.
 */
export function poolDirFor(cacheDir: string, realRoot: string): string {
  const hash = createHash('sha256').update(realRoot).digest('hex').slice(0, 12)
  const base = path.basename(realRoot).replace(/[^\w.-]+/g, '_') || 'root'
  return path.join(cacheDir, 'shadows', `${base}-${hash}`)
}

/**
 * Refuses a pool folder the project would mirror: one inside the project that the matcher does not
 * ignore (a shadow holding its own copy, and every check write reaching the project's watcher), and
 * a project that lies inside the cache (someone opened a shadow itself as a project).
 */
export function assertOutsideProject(
  poolDir: string,
  realRoot: string,
  ignore: IgnoreMatcher,
): void {
  const realPool = realPathOfNearest(poolDir)
  const shadows = path.dirname(realPool)
  if (isInside(realRoot, shadows) || realRoot === shadows) {
    throw new ShadowError(
      `The project ${realRoot} lies inside Fixloop's shadow cache ${shadows}: open the real project folder instead.`,
      realRoot,
    )
  }
  if (!isInside(realPool, realRoot) && realPool !== realRoot) return
  const rel = path.relative(realRoot, realPool).split(path.sep).join('/')
  if (rel !== '' && ignore.ignores(rel, true)) return
  throw new ShadowError(
    `The shadow cache folder ${realPool} is inside the project ${realRoot} and not ignored, so the ` +
      `project would mirror its own shadows. Set FIXLOOP_CACHE_DIR to a folder outside the project, ` +
      `or add "${rel || '.'}/" to the ignore patterns.`,
    realPool,
  )
}

/** Whether `child` lies strictly inside `parent` (both absolute, normalised). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child)
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel)
}

/**
 * The real path of `target` even when it does not exist yet: the nearest existing ancestor is
 * resolved (a cache folder reached through a symlink into the project is still caught), the rest
 * appended.
 */
export function realPathOfNearest(target: string): string {
  const rest: string[] = []
  let current = path.resolve(target)
  for (;;) {
    try {
      return path.join(realpathSync.native(current), ...rest.reverse())
    } catch {
      const parent = path.dirname(current)
      if (parent === current) return path.resolve(target)
      rest.push(path.basename(current))
      current = parent
    }
  }
}
