import { lstat } from 'node:fs/promises'
import path from 'node:path'
import { errorCode } from './backend-errors'
import { fileState } from './reported-files'

const CONCURRENCY = 256

/**
 * Each path's state under `root` (see `fileState`; `gone` when it does not exist), or undefined
 * where it cannot be looked at (EACCES): such an event always counts.
 */
export async function pathStates(root: string, rels: string[]): Promise<(string | undefined)[]> {
  const states: (string | undefined)[] = []
  for (let start = 0; start < rels.length; start += CONCURRENCY) {
    const chunk = rels.slice(start, start + CONCURRENCY)
    const looked = await Promise.all(
      chunk.map((rel) =>
        lstat(path.join(root, rel)).then(fileState, (error: unknown) => {
          const code = errorCode(error)
          return code === 'ENOENT' || code === 'ENOTDIR' ? fileState(null) : undefined
        }),
      ),
    )
    states.push(...looked)
  }
  return states
}
