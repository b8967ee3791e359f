/**
 * The dashboard's guards. It listens on 127.0.0.1 only, but any local process and any web page the
 * user visits can reach a loopback port, so three checks stand between them and the engine:
 * a random token in the URL (only the user was shown it), the Host header (defeats DNS rebinding)
 * and, on the WebSocket upgrade, the Origin (a page elsewhere cannot drive the engine).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** 32 random bytes, base64url: unguessable and safe in a URL. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Constant-time comparison, so the token cannot be found a character at a time. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The Host values a browser sends for our own address: `127.0.0.1:port` or `localhost:port`. */
export function isAllowedHost(host: string | undefined, listenPort: number): boolean {
  if (!host) return false
  const h = host.toLowerCase()
  return h === `127.0.0.1:${listenPort}` || h === `localhost:${listenPort}`
}

/** Same origin only: the page that opens the WebSocket must have been served by us, on this Host. */
export function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false
  return origin.toLowerCase() === `http://${host.toLowerCase()}`
}

/** Headers on every response. The CSP repeats the page's own meta CSP and adds frame-ancestors. */
export function securityHeaders(listenPort: number): Record<string, string> {
  const ws = `ws://127.0.0.1:${listenPort} ws://localhost:${listenPort}`
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ${ws}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), clipboard-read=()',
  }
}
