/**
 * Secret redaction for everything that leaves the engine: log lines, error messages, escalation
 * payloads and records. Two layers: the exact secrets we hold (API key, GitHub token, webhook URLs),
 * in every form a test can print them (without their prefix, in base64, hex, URL-encoded), and patterns for secrets we do not hold but that may appear in test output or diffs (someone's key
 * pasted in a fixture, a token in a URL). Redaction is idempotent: redacting twice changes nothing.
 */

export type Redactor = (text: string) => string

export const REDACTED = '[redacted]'

/** Shorter secrets are not replaced by value: "abc" would shred ordinary text. */
export const MIN_SECRET_LENGTH = 6

interface Pattern {
  re: RegExp
  replace: string | ((match: string, ...groups: string[]) => string)
}

/**
 * Shapes of credentials, most specific first. Each keeps enough context (scheme, host, parameter
 * name) that a redacted error message still says what was wrong.
 */
const PATTERNS: readonly Pattern[] = [
  // Anthropic API and admin keys.
  { re: /sk-ant-[A-Za-z0-9_-]{8,}/g, replace: REDACTED },
  // GitHub: classic personal (ghp_), OAuth (gho_), user-to-server (ghu_), server (ghs_), refresh (ghr_).
  { re: /\bgh[pousr]_[A-Za-z0-9]{16,}/g, replace: REDACTED },
  { re: /\bgithub_pat_[A-Za-z0-9_]{16,}/g, replace: REDACTED },
  // Slack incoming webhooks and workflow triggers: the path is the secret.
  {
    re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
    replace: `https://hooks.slack.com/${REDACTED}`,
  },
  // Slack API tokens.
  { re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: REDACTED },
  // AWS access key ids.
  { re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: REDACTED },
  // Authorization headers as printed by HTTP clients: `Authorization: token abc`, `"authorization":"…"`.
  {
    re: /(authorization["']?\s*[:=]\s*["']?)((?:bearer|basic|token)\s+)?([^\s"',;]+)/gi,
    replace: (match, prefix = '', scheme = '', credential = '') =>
      credential.startsWith(REDACTED) ? match : `${prefix}${scheme}${REDACTED}`,
  },
  // Bearer / Basic credentials anywhere else.
  { re: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, replace: `$1 ${REDACTED}` },
  // user:password@ in URLs (https://user:pass@host, postgres://u:p@db).
  {
    re: /\b([a-z][a-z0-9+.-]*:\/\/)(?!\[redacted\]@)[^/\s:@]+(?::[^/\s@]*)?@/gi,
    replace: `$1${REDACTED}@`,
  },
  // Credentials in query strings.
  {
    re: /([?&](?:access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|secret|client_secret|password|passwd|pwd|sig|signature|auth|code)=)(?!\[redacted\])[^&\s#"'<>]+/gi,
    replace: `$1${REDACTED}`,
  },
]

/** Object keys whose string values are secrets whatever they look like. */
const SENSITIVE_KEY =
  /^(?:authorization|cookie|set-cookie|x-api-key|api[-_]?key|access[-_]?token|refresh[-_]?token|token|secret|client[-_]?secret|password|passwd|private[-_]?key|webhook[-_]?url|github[-_]?token|anthropic[-_]?api[-_]?key|slack[-_]?webhook[-_]?url|email[-_]?webhook[-_]?url)$/i

/** Secrets at least this long are also redacted in their derived forms (see `derivedForms`). */
export const MIN_DERIVED_SECRET_LENGTH = 8

/**
 * Public prefixes of the credentials we hold. What follows one is the secret part, and a test that
 * prints `key.slice(7)` prints it without the prefix the patterns know.
 */
const KNOWN_PREFIX =
  /^(?:sk-ant-(?:[a-z]+\d*-)?|sk-(?:proj-)?|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|npm_|pypi-)/

/** A URL's path (or last path segment) counts as a secret part from this length on. */
const MIN_URL_PART_LENGTH = 16

/**
 * The secret parts of a secret: itself, and without a known prefix. For a URL also what follows
 * the host (the path of a webhook is its secret) and its last path segment (Slack's token), when
 * long enough not to be an ordinary path such as `api/send`.
 */
function cores(secret: string): string[] {
  const out = [secret, secret.replace(KNOWN_PREFIX, '')]
  const rest = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+[/?#](.+)$/i.exec(secret)?.[1]
  if (rest) {
    const last = rest.split(/[?#]/)[0]!.split('/').at(-1) ?? ''
    out.push(...[rest, last].filter((part) => part.length >= MIN_URL_PART_LENGTH))
  }
  return out.filter((s) => s.length >= MIN_DERIVED_SECRET_LENGTH)
}

const toBase64Url = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_')
const unpadded = (b64: string) => b64.replace(/=+$/, '')

/**
 * The stretches of base64 that encode `bytes` wherever they sit in a longer text: base64 works in
 * groups of 3 bytes, so the secret's encoding depends on its offset modulo 3. For each offset, the
 * characters that depend on the secret's bytes alone are kept (the ones shared with the bytes
 * around it are not), so `base64("Authorization: token " + secret)` is caught too, minus at most
 * three characters at either end.
 */
function base64Stretches(bytes: Buffer): string[] {
  const out: string[] = []
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64')
    // The first characters that do not depend on the filler, and the end of the last whole group.
    const from = [0, 2, 3][offset]!
    const to = Math.floor((bytes.length + offset) / 3) * 4
    out.push(encoded.slice(from, to))
  }
  return out
}

/**
 * Every form a secret can take in text: itself, URL-encoded (upper- and lower-case escapes, `+`
 * for spaces) and JSON-escaped; and, from 8 characters on, each of its secret parts (`cores`)
 * plain, in hex (either case) and in base64 and base64url, whole or inside a longer encoded text.
 * Forms shorter than `MIN_SECRET_LENGTH` are left out.
 */
export function derivedForms(secret: string): string[] {
  const out = new Set([secret, ...urlEncodings(secret), JSON.stringify(secret).slice(1, -1)])
  if (secret.length >= MIN_DERIVED_SECRET_LENGTH) {
    const bytes = Buffer.from(secret, 'utf8')
    const whole = unpadded(bytes.toString('base64'))
    for (const form of [whole, toBase64Url(whole)]) out.add(form)
    for (const core of cores(secret)) {
      const coreBytes = Buffer.from(core, 'utf8')
      out.add(core)
      for (const form of urlEncodings(core)) out.add(form)
      const hex = coreBytes.toString('hex')
      out.add(hex)
      out.add(hex.toUpperCase())
      for (const stretch of base64Stretches(coreBytes)) {
        out.add(stretch)
        out.add(toBase64Url(stretch))
        // Standard base64 in a query string: + / = escaped.
        out.add(encodeURIComponent(stretch))
      }
    }
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH)
}

function urlEncodings(text: string): string[] {
  const encoded = encodeURIComponent(text)
  return [
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    encoded.replace(/%20/g, '+'),
  ]
}

/** Only the generic patterns; for text where no secret values are known. */
export const redactPatterns: Redactor = (text) => {
  let out = text
  for (const { re, replace } of PATTERNS) {
    // Two calls because TypeScript's overloads of `replace` do not accept the union.
    out = typeof replace === 'string' ? out.replace(re, replace) : out.replace(re, replace)
  }
  return out
}

/**
 * A redactor for the given secrets: every occurrence of each (length ≥ 6; empty and null entries are
 * ignored) and of its derived forms (`derivedForms`: prefixless, hex, base64, URL-encoded; from 8
 * characters) becomes `[redacted]`, then the generic patterns run. The cost is one substring search
 * of the text per form, so linear in the text's length (a few dozen forms for four secrets).
 */
export function createRedactor(secrets: ReadonlyArray<string | null | undefined>): Redactor {
  const values = [
    ...new Set(
      secrets
        .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
        .flatMap(derivedForms),
    ),
  ]
  return (text) => redactPatterns(replaceAll(text, values))
}

/**
 * Replaces every occurrence of every value with one `[redacted]`, overlapping occurrences (a secret
 * inside another, a base64 stretch inside the whole encoding) as one. One search per value, then
 * one rebuild of the text: replacing value by value would copy a megabyte of output per value found.
 */
function replaceAll(text: string, values: readonly string[]): string {
  const spans: [number, number][] = []
  for (const value of values) {
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
      spans.push([at, at + value.length])
    }
  }
  if (spans.length === 0) return text
  spans.sort((a, b) => a[0] - b[0])
  let out = ''
  let copied = 0
  let end = -1
  for (const [from, to] of spans) {
    if (from >= end) {
      // A new span: what lies between the last one and this is kept.
      if (end !== -1) out += REDACTED
      out += text.slice(copied, from)
      end = to
    } else if (to > end) end = to
    copied = end
  }
  return out + REDACTED + text.slice(copied)
}

/**
 * A redacted deep copy of a JSON-like value: strings pass through `redact`, values under sensitive
 * keys (`token`, `password`, `authorization`, …) are replaced whole, `toJSON` is honoured, cycles
 * become `[circular]`. Non-plain objects other than those with `toJSON` are copied by own keys.
 */
export function redactDeep<T>(value: T, redact: Redactor = redactPatterns): T {
  const seen = new WeakSet<object>()
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === 'string') {
      return key !== null && SENSITIVE_KEY.test(key) && v !== '' ? REDACTED : redact(v)
    }
    if (v === null || typeof v !== 'object') return v
    const json = (v as { toJSON?: unknown }).toJSON
    if (typeof json === 'function') return walk(json.call(v), key)
    if (seen.has(v)) return '[circular]'
    seen.add(v)
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, null))
      const out: Record<string, unknown> = {}
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, k)
      return out
    } finally {
      // A value seen twice without a cycle (shared reference) is copied twice, not marked circular.
      seen.delete(v)
    }
  }
  return walk(value, null) as T
}
