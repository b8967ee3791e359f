import { lstatSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import path from 'node:path'
import type { PoolContext } from './pool-context'
import { ShadowError, shadowIoError } from './shadow-error'
import { readMeta, SHADOW_VERSION } from './shadow-meta'

/**
 * Makes a shadow's folders (`<dir>/root`, `<dir>/tmp`) and returns the root's real path. A folder
 * whose meta.json names another project or version is cleared first; a root that is not a real
 * folder (a check without a sandbox could swap it for a link into the project) is replaced, so the
 * mirror is never written through it. Returns whether it was cleared.
 */
export function openShadowFolders(
  dir: string,
  ctx: PoolContext,
): { root: string; cleared: boolean } {
  const root = path.join(dir, 'root')
  const meta = readMeta(path.join(dir, 'meta.json'))
  const cleared =
    meta !== null && (meta.version !== SHADOW_VERSION || meta.projectRoot !== ctx.projectRoot)
  try {
    if (cleared) {
      ctx.log(
        'info',
        `Rebuilding the shadow workspace ${dir}: it was made for ${meta.projectRoot} (version ${meta.version})`,
      )
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 })
    } else if (lstatSync(root, { throwIfNoEntry: false })?.isDirectory() === false) {
      rmSync(root, { force: true })
    }
    mkdirSync(root, { recursive: true })
    mkdirSync(path.join(dir, 'tmp'), { recursive: true })
    return { root: realpathSync.native(root), cleared }
  } catch (error) {
    throw shadowIoError('Cannot create the shadow workspace', root, error)
  }
}

/** Whether the mirror's root is still the real folder it was (not replaced by a link, not gone). */
export function rootIntact(realRoot: string): boolean {
  try {
    return lstatSync(realRoot).isDirectory()
  } catch {
    return false
  }
}

/** Empties the check processes' temp folder, never following a link put in its place. */
export function emptyTmp(dir: string): void {
  try {
    const stat = lstatSync(dir, { throwIfNoEntry: false })
    if (!stat?.isDirectory()) {
      if (stat) rmSync(dir, { force: true })
      mkdirSync(dir, { recursive: true })
      return
    }
    for (const name of readdirSync(dir))
      rmSync(path.join(dir, name), { recursive: true, force: true, maxRetries: 2 })
  } catch (error) {
    throw new ShadowError(
      `Cannot empty the shadow's temp folder ${dir}: ${(error as Error).message}. A check process may still be running there.`,
      dir,
      undefined,
      { cause: error },
    )
  }
}
