import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { errorCode } from './backend-errors'
import type { IgnoreMatcher } from './ignore-rules'

/**
 * Folders under `root` that cannot be listed (EACCES, EPERM), skipping ignored folders. Both backends
 * pass over such a folder without a word (the native crawl skips it, chokidar drops the error), so
 * the watcher looks for them itself to say which folders it cannot see.
 */
export async function findUnreadableDirs(
  root: string,
  matcher: IgnoreMatcher,
  limit = 1000,
): Promise<string[]> {
  const found: string[] = []
  const queue: string[] = ['']
  for (let next = 0; next < queue.length && found.length < limit; next++) {
    const rel = queue[next] as string
    try {
      const entries = await readdir(path.join(root, rel), { withFileTypes: true })
      for (const entry of entries) {
        if (!entry.isDirectory()) continue
        const child = rel ? `${rel}/${entry.name}` : entry.name
        if (!matcher.ignores(child, true)) queue.push(child)
      }
    } catch (error) {
      const code = errorCode(error)
      if (code === 'EACCES' || code === 'EPERM') found.push(rel)
      // Anything else (gone meanwhile) is not ours to report
    }
  }
  return found
}
