/**
 * Serves the built renderer (`out/renderer`) read-only: regular files inside the folder, nothing
 * above it, no dotfiles, no directory listings.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

export interface StaticFile {
  body: Buffer
  contentType: string
}

/**
 * The file a URL path names inside `root`, or null when there is none (or it would leave `root`).
 * `pathname` is the raw, still percent-encoded path of the request URL.
 */
export async function readStaticFile(root: string, pathname: string): Promise<StaticFile | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.'))) return null
  const base = resolve(root)
  const wanted = resolve(base, `.${decoded === '/' ? '/index.html' : decoded}`)
  if (!wanted.startsWith(base + sep)) return null
  try {
    // Resolve symlinks too: a link inside the build must not lead out of it.
    const real = await realpath(wanted)
    const realBase = await realpath(base)
    if (!real.startsWith(realBase + sep)) return null
    if (!(await stat(real)).isFile()) return null
    return {
      body: await readFile(real),
      contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    }
  } catch {
    return null
  }
}

/** True when `root` holds a built renderer. */
export async function hasRenderer(root: string): Promise<boolean> {
  try {
    return (await stat(join(root, 'index.html'))).isFile()
  } catch {
    return false
  }
}
