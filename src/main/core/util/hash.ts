import { createHash } from 'node:crypto'

/** sha256 of content, hex. Used for own-write detection, the journal and undo checks. */
export function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}

/**
 * The "hash" of a file that does not exist. A rollback that deletes a file a fix created registers it,
 * so the watcher knows that deletion is Fixloop's own.
 */
export const ABSENT_FILE_HASH = 'absent'
