import { realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { systemClock } from '../util/clock'
import type { Clock } from '../util/clock'
import type { IgnoreMatcher } from '../watch/ignore-rules'
import { cachedMatcher } from './cached-matcher'
import {
  assertOutsideProject,
  poolDirFor,
  realPathOfNearest,
  resolveCacheDir,
} from './cache-location'
import { FileCopier } from './file-copy'
import type { PoolContext } from './pool-context'
import { ShadowError, shadowIoError } from './shadow-error'
import type { ShadowLog } from './types'

/**
 * Folders linked into a shadow entry by entry, never copied: npm/yarn/pnpm (`node_modules`, at any
 * depth), Bower, jspm, Yarn Berry's cache and releases, a Python virtualenv.
 */
export const DEFAULT_DEPENDENCY_DIRS: readonly string[] = [
  'node_modules',
  'bower_components',
  'jspm_packages',
  '.yarn',
  '.venv',
]

/** Tool caches kept inside a dependency folder: real, empty folders of each shadow's own. */
export const DEFAULT_DEPENDENCY_CACHE_DIRS: readonly string[] = [
  '.cache',
  '.vite',
  '.vite-temp',
  '.vitest',
  '.tmp',
]

export interface ShadowPoolOptions {
  /** The project root, absolute. */
  projectRoot: string
  /** What is not mirrored (gitignore semantics over project-relative paths). */
  ignore: IgnoreMatcher
  /**
   * Where shadows live: `<cacheDir>/shadows/<name>-<hash>/w<n>`. Refused when it lies inside the
   * project and the matcher does not ignore it.
   * @default FIXLOOP_CACHE_DIR, else the OS cache folder + `fixloop` (see `resolveCacheDir`)
   */
  cacheDir?: string
  /** Folder names linked entry by entry wherever they appear, never copied. @default DEFAULT_DEPENDENCY_DIRS */
  dependencyDirs?: readonly string[]
  /** Entries of a dependency folder that are tool caches (real, empty folders in a shadow). @default DEFAULT_DEPENDENCY_CACHE_DIRS */
  dependencyCacheDirs?: readonly string[]
  /** Shadows made at most; a lease beyond waits for a release. @default 8 (the highest `concurrency`) */
  maxShadows?: number
  /** @default systemClock */
  clock?: Clock
  /** @default no logging */
  log?: ShadowLog
}

/** Warnings kept for "once per path": past this many, new ones are logged again. */
const WARN_MEMORY = 1000

/**
 * Validates the options up front, with errors that say which one is wrong, and resolves their
 * defaults: the pool folder (refused where the project would mirror it) and the shared context.
 */
export function resolvePoolOptions(options: ShadowPoolOptions): {
  dir: string
  ctx: PoolContext
  maxShadows: number
} {
  if (!path.isAbsolute(options.projectRoot))
    throw new ShadowError(
      `The project root must be absolute: ${options.projectRoot}`,
      options.projectRoot,
    )
  const projectRoot = realProjectRoot(options.projectRoot)
  if (realPathOfNearest(options.ignore.root) !== projectRoot)
    throw new RangeError(
      `The ignore matcher is for ${options.ignore.root}, not for the project ${options.projectRoot}`,
    )
  const maxShadows = options.maxShadows ?? 8
  if (!Number.isInteger(maxShadows) || maxShadows < 1)
    throw new RangeError(`maxShadows must be a positive integer, got ${maxShadows}`)
  const cacheDir = path.resolve(options.cacheDir ?? resolveCacheDir())
  const dir = poolDirFor(cacheDir, projectRoot)
  assertOutsideProject(dir, projectRoot, options.ignore)
  const log = options.log ?? (() => {})
  const warned = new Set<string>()
  const ctx: PoolContext = {
    projectRoot,
    cacheRoot: realPathOfNearest(cacheDir),
    ignore: cachedMatcher(options.ignore),
    dependencyDirs: names(options.dependencyDirs ?? DEFAULT_DEPENDENCY_DIRS, 'dependencyDirs'),
    cacheDirs: names(
      options.dependencyCacheDirs ?? DEFAULT_DEPENDENCY_CACHE_DIRS,
      'dependencyCacheDirs',
    ),
    copier: new FileCopier(dir),
    clock: options.clock ?? systemClock,
    log,
    warnOnce: (key, message) => {
      if (warned.has(key)) return
      if (warned.size >= WARN_MEMORY) warned.clear()
      warned.add(key)
      log('warn', message)
    },
    platform: process.platform,
  }
  return { dir, ctx, maxShadows }
}

function realProjectRoot(root: string): string {
  let real: string
  try {
    real = realpathSync.native(root)
  } catch (error) {
    throw shadowIoError('Cannot open the project folder', root, error)
  }
  if (!statSync(real).isDirectory())
    throw new ShadowError(`The project root is not a folder: ${root}`, root)
  return real
}

function names(list: readonly string[], option: string): ReadonlySet<string> {
  for (const name of list)
    if (!name || name.includes('/') || name.includes('\\') || name === '.' || name === '..')
      throw new RangeError(`${option} holds folder names, not paths: ${JSON.stringify(name)}`)
  return new Set(list)
}
