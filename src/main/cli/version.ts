import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Fixloop's version, read from our own package.json (found by walking up from this module). */
export function fixloopVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'fixloop' && pkg.version) return pkg.version
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir)
  }
  return 'unknown'
}
