/**
 * The `app://fixloop/` protocol's handler: serves the built renderer (`out/renderer`) read-only.
 * Regular files inside that folder only — nothing above it (also through symlinks), no dotfiles —
 * each with the renderer's security headers. Built on the Fetch API's Request/Response, which Node
 * has too, so it is tested without Electron.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import { APP_HOST, APP_SCHEME, RENDERER_HEADERS } from './security-logic'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
}

export interface RendererFile {
  path: string
  contentType: string
}

/**
 * The file an `app://fixloop/…` URL names inside `root`, or null when there is none, when the URL is
 * not ours, or when it would leave `root`.
 */
export async function resolveRendererFile(root: string, url: string): Promise<RendererFile | null> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null
  let decoded: string
  try {
    decoded = decodeURIComponent(parsed.pathname)
  } catch {
    return null
  }
  const parts = decoded.split(/[\\/]/)
  if (decoded.includes('\0') || parts.some((p) => p.startsWith('.'))) return null
  const base = resolve(root)
  const wanted = resolve(base, `.${decoded === '/' || decoded === '' ? '/index.html' : decoded}`)
  if (!wanted.startsWith(base + sep)) return null
  try {
    const [real, realBase] = await Promise.all([realpath(wanted), realpath(base)])
    if (!real.startsWith(realBase + sep)) return null
    if (!(await stat(real)).isFile()) return null
    return {
      path: real,
      contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    }
  } catch {
    return null
  }
}

/** A request handler for `protocol.handle('app', …)` serving `root`. */
export function createRendererHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method not allowed', { allow: 'GET, HEAD' })
    }
    const file = await resolveRendererFile(root, request.url)
    if (!file) return plain(404, 'Not found')
    let body: Buffer
    try {
      body = await readFile(file.path)
    } catch {
      return plain(404, 'Not found')
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        ...RENDERER_HEADERS,
        'content-type': file.contentType,
        'content-length': String(body.length),
        // The build has hashed asset names; index.html must always be fresh after an update.
        'cache-control': file.path.endsWith('.html') ? 'no-cache' : 'max-age=31536000, immutable',
      },
    })
  }
}

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { ...RENDERER_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...extra },
  })
}
