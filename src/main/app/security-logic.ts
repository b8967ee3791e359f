/**
 * The security decisions of the shell, as plain values and functions so a test can check each one
 * without an Electron binary: where the renderer comes from, its Content-Security-Policy, which
 * links may leave the app, and what a web page may ask for (nothing).
 */
import type { CustomScheme } from 'electron'

/** The renderer is served from `app://fixloop/`: a custom, privileged scheme, never `file://`. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'fixloop'
export const RENDERER_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const RENDERER_ENTRY = `${RENDERER_ORIGIN}/index.html`

/**
 * `standard` gives the scheme real origins and relative URLs, `secure` makes it a secure context like
 * https, `supportFetchAPI` and `corsEnabled` let the renderer load its ES modules from it (VS Code
 * registers its `vscode-file` scheme the same way). No `bypassCSP`, no service workers.
 */
export const APP_SCHEME_REGISTRATION: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    corsEnabled: true,
    bypassCSP: false,
    allowServiceWorkers: false,
    stream: false,
  },
}

/**
 * The policy sent with every renderer response. The window talks to the engine only through the
 * preload bridge, so it may connect nowhere; styles allow 'unsafe-inline' because Svelte sets
 * style attributes at run time (no script ever runs inline).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "media-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

/** Headers on every response of the `app://` protocol. */
export const RENDERER_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
}

/** True for a URL of our own renderer: the app scheme, or the dev server in `electron-vite dev`. */
export function isRendererUrl(url: string, devServerUrl?: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true
  if (!devServerUrl) return false
  try {
    return parsed.origin === new URL(devServerUrl).origin
  } catch {
    return false
  }
}

/** An http(s) URL with a host and no credentials in it. */
export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') &&
      u.hostname !== '' &&
      u.username === '' &&
      u.password === ''
    )
  } catch {
    return false
  }
}

/**
 * The links the shell itself handed to the UI (escalation records: the GitHub issue it opened, a
 * comment), which are the only ones `shell.openExternal` may open. A page cannot talk the app into
 * opening an arbitrary URL, a `file:` path or a custom-scheme handler on the machine.
 */
export class ExternalLinks {
  readonly #allowed = new Set<string>()
  readonly #max: number

  /** @param max links remembered, oldest forgotten first. @default 500 */
  constructor(max = 500) {
    this.#max = max
  }

  /** Remembers a link we built; ignores anything that is not a clean http(s) URL. */
  allow(url: string | undefined | null): void {
    if (!url || !isHttpUrl(url)) return
    const key = new URL(url).href
    this.#allowed.delete(key)
    this.#allowed.add(key)
    while (this.#allowed.size > this.#max) {
      const oldest = this.#allowed.values().next().value
      if (oldest === undefined) break
      this.#allowed.delete(oldest)
    }
  }

  isAllowed(url: string): boolean {
    return isHttpUrl(url) && this.#allowed.has(new URL(url).href)
  }
}

/** What the window-open handler does with a request: never a new window; maybe the browser. */
export function windowOpenDecision(
  url: string,
  links: ExternalLinks,
): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: links.isAllowed(url) }
}

/**
 * Navigation of our window away from the page it was given is never allowed: the app is one page
 * with hash routes, and hash changes are not navigations Electron asks about.
 */
export function navigationAllowed(_url: string): boolean {
  return false
}

/** Permissions a page may have (camera, notifications, clipboard, …): none. */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set()

export function permissionAllowed(permission: string): boolean {
  return GRANTED_PERMISSIONS.has(permission)
}

/** The links in an escalation record, an escalation event or a task, for `ExternalLinks.allow`. */
export function escalationLinks(payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null) return []
  const p = payload as {
    record?: { url?: unknown }
    escalations?: unknown
    url?: unknown
    fingerprint?: unknown
  }
  const urls: unknown[] = []
  // An EscalationRecord itself (the result of testEscalation).
  if (typeof p.fingerprint === 'string') urls.push(p.url)
  if (p.record) urls.push(p.record.url)
  if (Array.isArray(p.escalations))
    for (const r of p.escalations) urls.push((r as { url?: unknown })?.url)
  return urls.filter((u): u is string => typeof u === 'string')
}
