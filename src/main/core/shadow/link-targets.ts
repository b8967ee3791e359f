import { readlinkSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { isInside } from './cache-location'
import type { Mirror } from './mirror'

/** What the shadow should hold for one of the project's symlinks. */
export type LinkPlan =
  | {
      kind: 'link'
      target: string
      /** Whether it points at a folder (Windows makes those junctions). */
      isDir: boolean
      /** The real path it reaches outside the project, if it does. */
      outside?: string
    }
  | { kind: 'refuse'; reason: string }

/**
 * A user's symlink at `rel` (not in a dependency folder), re-planned for the shadow:
 * - pointing into the project at something the shadow has: the same place in the shadow, relative;
 * - pointing outside the project: the same absolute target, so it reads what it read before;
 * - refused when following it could reach the user's tree or our cache: the project itself or a
 *   folder holding it (a walk would loop and a write would land in the project), a path inside the
 *   project that the shadow leaves out (ignored: the only copy is the user's), or the cache.
 */
export function planUserLink(mirror: Mirror, rel: string): LinkPlan {
  const at = mirror.project(rel)
  const raw = readlinkSync(at)
  const lexical = path.resolve(path.dirname(at), raw)
  const real = realOrNull(lexical)
  const reached = real ?? lexical
  const isDir = real !== null && isDirectory(real)
  const root = mirror.projectRoot
  if (reached === root || isInside(root, reached))
    return { kind: 'refuse', reason: 'it points at the project or a folder that holds it' }
  if (reached === mirror.cacheRoot || isInside(reached, mirror.cacheRoot))
    return { kind: 'refuse', reason: "it points into Fixloop's cache" }
  if (isInside(reached, root)) {
    const targetRel = toRel(root, reached)
    if (!mirror.inShadow(targetRel, real !== null ? isDir : undefined))
      return {
        kind: 'refuse',
        reason: `it points at ${targetRel}, which is ignored and so only exists in the project`,
      }
    return { kind: 'link', target: shadowRelative(mirror, rel, targetRel), isDir }
  }
  return { kind: 'link', target: path.isAbsolute(raw) ? raw : lexical, isDir, outside: reached }
}

/**
 * The link for one entry of a dependency folder (`node_modules/<name>`, or `@scope/<name>`): the
 * project's own entry, absolute, so node resolves the package (and, through realpath, its own
 * dependencies) where it is installed. Except a workspace link, an entry that is itself a symlink
 * to a folder of the project outside every dependency folder (`@demo/b -> ../../packages/b`): it
 * points at the shadow's copy, so the monorepo's siblings are the shadow's.
 */
export function planDependencyLink(mirror: Mirror, entryRel: string, isSymlink: boolean): string {
  const at = mirror.project(entryRel)
  if (!isSymlink) return at
  const lexical = path.resolve(path.dirname(at), readlinkSync(at))
  const reached = realOrNull(lexical) ?? lexical
  const root = mirror.projectRoot
  if (!isInside(reached, root)) {
    // A package linked from outside (npm link, a shared install): checks read it through the
    // project's link, so the sandbox must show where it leads. Its folder, not each package: one
    // mount for a node_modules whose entries all point into another install.
    mirror.outside.add(path.dirname(reached))
    return at
  }
  const targetRel = toRel(root, reached)
  return mirror.classify(targetRel, true).kind === 'mirrored'
    ? shadowRelative(mirror, entryRel, targetRel)
    : at
}

/** From the shadow's `linkRel` to the shadow's `targetRel`, as a relative link. */
function shadowRelative(mirror: Mirror, linkRel: string, targetRel: string): string {
  const from = path.dirname(mirror.shadow(linkRel))
  return path.relative(from, mirror.shadow(targetRel)) || '.'
}

function toRel(root: string, target: string): string {
  return path.relative(root, target).split(path.sep).join('/')
}

function realOrNull(target: string): string | null {
  try {
    return realpathSync.native(target)
  } catch {
    return null
  }
}

function isDirectory(real: string): boolean {
  return statSync(real, { throwIfNoEntry: false })?.isDirectory() ?? false
}
