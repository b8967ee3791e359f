import { createHash } from 'node:crypto'

/** sha256 of content, hex. Used for own-write detection, the journal and undo checks. */
export function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}
