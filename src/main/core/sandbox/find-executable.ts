import { accessSync, constants, statSync } from 'node:fs'
import path from 'node:path'

/** Looks a command up the way a POSIX shell would; a seam so tests can hide an installed tool. */
export type FindExecutable = (name: string) => string | null

/** The first executable file called `name` in the directories of `pathVar`, or null. POSIX only. */
export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    // An empty PATH entry means the current directory; never trust that for a sandbox tool.
    if (!path.isAbsolute(dir)) continue
    const full = path.join(dir, name)
    if (isExecutableFile(full)) return full
  }
  return null
}

export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}
