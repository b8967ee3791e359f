import { readdirSync } from 'node:fs'
import type { Dirent } from 'node:fs'
import { asReplace, existingOf, shadowEntries, syncFile, syncUserLink } from './entry-sync'
import type { CompareMode } from './entry-sync'
import type { Mirror } from './mirror'
import type { Pacer } from './pacer'
import { reconcileTree } from './reconcile-tree'
import type { TreeState } from './reconcile-tree'
import { childRel, parentRel } from './rel-path'
import { isMissing, shadowIoError } from './shadow-error'

/**
 * Makes one path of the shadow match the project: a file copied or removed, a link re-made, a
 * folder reconciled whole. Where the folders above it differ (the project removed a folder, a
 * check replaced one with a link) the first folder that differs is synced instead, so a write never
 * goes through anything but real folders of the shadow.
 */
export async function syncPath(
  mirror: Mirror,
  state: TreeState,
  rel: string,
  mode: CompareMode,
  pacer: Pacer,
): Promise<void> {
  const parent = parentRel(rel)
  if (parent !== '') {
    // A dependency folder or an ignored one above decides for everything under it
    const above = mirror.classify(parent, true)
    if (above.kind === 'dependency') return syncPath(mirror, state, above.dir, 'stat', pacer)
    if (above.kind === 'ignored') return syncPath(mirror, state, above.rel, 'stat', pacer)
    const projectSide = mirror.divergence('project', parent)
    if (projectSide) return syncPath(mirror, state, projectSide.rel, 'stat', pacer)
    const shadowSide = mirror.divergence('shadow', parent)
    if (shadowSide) return syncPath(mirror, state, shadowSide.rel, 'stat', pacer)
  }
  const stat = mirror.lstat(mirror.project(rel))
  const existing = existingOf(mirror.lstat(mirror.shadow(rel)))
  if (!stat) {
    if (existing !== 'none') mirror.remove(rel)
    return
  }
  const kind = mirror.classify(rel, stat.isDirectory())
  if (kind.kind === 'ignored') {
    if (existing !== 'none') mirror.remove(rel)
  } else if (kind.kind === 'dependency' && stat.isDirectory()) {
    state.links.sync(mirror, rel, existing)
  } else if (stat.isFile()) {
    syncFile(mirror, rel, stat, existing, mode)
  } else if (stat.isSymbolicLink()) {
    syncUserLink(mirror, rel, existing)
  } else if (stat.isDirectory()) {
    await reconcileTree(mirror, state, rel, asReplace(existing), pacer)
  } else if (existing !== 'none') {
    mirror.remove(rel)
  }
}

/**
 * Compares the entries of the shadow folder `rel` with the project's, one level deep: what only one
 * side has, or has as another kind of thing, is synced. Contents of entries both sides have are
 * left alone (their own stamps cover them). For folders whose stamp changed.
 */
export async function syncEntries(
  mirror: Mirror,
  state: TreeState,
  rel: string,
  pacer: Pacer,
): Promise<void> {
  if (rel !== '') {
    // The folder itself may be what changed: no longer mirrored, gone, or replaced by a link
    const off =
      mirror.classify(rel, true).kind !== 'mirrored'
        ? { rel }
        : (mirror.divergence('project', rel) ?? mirror.divergence('shadow', rel))
    if (off) return syncPath(mirror, state, off.rel, 'stat', pacer)
  }
  const project = projectEntries(mirror, rel)
  if (!project) return rel === '' ? undefined : syncPath(mirror, state, rel, 'stat', pacer)
  const shadow = shadowEntries(mirror, rel)
  const names = new Set([...project.keys(), ...shadow.keys()])
  for (const name of names) {
    const mine = project.get(name)
    const theirs = shadow.get(name)
    const child = childRel(rel, name)
    // Both have it, as the same kind of thing, and the shadow should: its content is not our business here
    const same = mine && theirs && existingOf(mine) === existingOf(theirs)
    if (same && mirror.classify(child, mine.isDirectory()).kind !== 'ignored') continue
    await syncPath(mirror, state, child, 'stat', pacer)
  }
}

function projectEntries(mirror: Mirror, rel: string): Map<string, Dirent> | null {
  const dir = mirror.project(rel)
  try {
    return new Map(readdirSync(dir, { withFileTypes: true }).map((entry) => [entry.name, entry]))
  } catch (error) {
    if (isMissing(error)) return null
    throw shadowIoError('Cannot read the folder', dir, error)
  }
}
