import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the built renderer is. In the bundled CLI (`out/cli/index.js`) it is the sibling
 * `out/renderer`; when running from source (tsx, tests) it is `out/renderer` at the package root.
 * Returns the first candidate holding an index.html, else the bundled location.
 */
export function builtRendererDir(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl))
  const candidates = [
    join(here, '..', 'renderer'),
    resolve(here, '..', '..', '..', '..', 'out', 'renderer'),
    join(process.cwd(), 'out', 'renderer'),
  ]
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? (candidates[0] as string)
}
