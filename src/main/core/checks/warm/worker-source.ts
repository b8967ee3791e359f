/**
 * The warm runners' scripts, as text. A script runs under the project's `node` in the check
 * sandbox, never in Fixloop's process, and is handed over with `--eval`: inside an Electron
 * app.asar there is no file an outside `node` could open, but Fixloop itself can read it there.
 *
 * Where the file is: beside this module when running from source (tsx, tests); in a `warm/` folder
 * beside the bundle the builds write (`out/cli/warm`, `out/main/warm`: scripts/build-cli.mjs and
 * electron.vite.config.ts copy the scripts there), or one level up from a bundle's chunk folder.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The scripts the builds ship, as named in this folder. */
export type WorkerScript = 'vitest-worker.mjs' | 'jest-worker.mjs'

const texts = new Map<string, string>()

/** The script's text. @throws Error naming the places looked in when it is in none of them. */
export function workerSource(name: WorkerScript, moduleUrl: string = import.meta.url): string {
  const here = path.dirname(fileURLToPath(moduleUrl))
  const candidates = [
    path.join(here, name),
    path.join(here, 'warm', name),
    path.join(here, '..', 'warm', name),
  ]
  for (const file of candidates) {
    const known = texts.get(file)
    if (known !== undefined) return known
    try {
      const text = readFileSync(file, 'utf8')
      texts.set(file, text)
      return text
    } catch {
      // not here; the next place
    }
  }
  throw new Error(`the warm runner script ${name} is not in ${candidates.join(', ')}`)
}
