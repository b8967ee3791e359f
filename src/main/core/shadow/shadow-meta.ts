import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { shadowIoError } from './shadow-error'

/**
 * Bumped whenever a shadow's layout or the meaning of its mtimes changes: a shadow of another
 * version is rebuilt from nothing, never reconciled.
 */
export const SHADOW_VERSION = 1

/** `<shadow>/meta.json`: whose shadow this is, so a stale or foreign folder is told apart. */
export interface ShadowMeta {
  version: number
  /** Real path of the project it mirrors. */
  projectRoot: string
  createdAt: string
  /** When a full sync last completed. */
  syncedAt: string
}

/** The meta file, or null when it is missing or not ours (unreadable, not JSON, wrong shape). */
export function readMeta(file: string): ShadowMeta | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null) return null
  const meta = parsed as Partial<ShadowMeta>
  return typeof meta.version === 'number' &&
    typeof meta.projectRoot === 'string' &&
    typeof meta.createdAt === 'string' &&
    typeof meta.syncedAt === 'string'
    ? (meta as ShadowMeta)
    : null
}

/** Writes it whole (temp file, rename), so a crash leaves the old one or the new one. */
export function writeMeta(file: string, meta: ShadowMeta): void {
  const temp = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(temp, `${JSON.stringify(meta, null, 2)}\n`)
    renameSync(temp, file)
  } catch (error) {
    throw shadowIoError('Cannot write', file, error)
  }
}
