import { createHash } from 'node:crypto'
import { lstat, readFile, readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * A hash of a whole directory tree: every path, its type, permission bits and bytes (link targets for
 * symbolic links). Two trees hash the same only if they are byte-identical. `.fixloop` is left out,
 * since the journal lives there by design.
 */
export async function treeHash(root: string, skip = new Set(['.fixloop'])): Promise<string> {
  const hash = createHash('sha256')
  const walk = async (dir: string, rel: string) => {
    const names = (await readdir(dir)).sort()
    for (const name of names) {
      if (rel === '' && skip.has(name)) continue
      const abs = join(dir, name)
      const path = rel ? `${rel}/${name}` : name
      const st = await lstat(abs)
      if (st.isSymbolicLink()) hash.update(`L ${path} -> ${await readlink(abs)}\n`)
      else if (st.isDirectory()) {
        hash.update(`D ${path} ${(st.mode & 0o777).toString(8)}\n`)
        await walk(abs, path)
      } else {
        hash.update(`F ${path} ${(st.mode & 0o777).toString(8)} ${st.size}\n`)
        hash.update(await readFile(abs))
      }
    }
  }
  await walk(root, '')
  return hash.digest('hex')
}
