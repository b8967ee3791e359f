/**
 * Secret redaction for everything that leaves the engine: log lines, error messages, escalation
 * payloads and records. Two layers: the exact secrets we hold (API key, GitHub token, webhook URLs),
 * and patterns for secrets we do not hold but that may appear in test output or diffs (someone's key
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

function variants(secret: string): string[] {
  // A URL secret can appear encoded (in a query string) or JSON-escaped (in a logged payload).
  const out = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH)
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
 * ignored) becomes `[redacted]`, then the generic patterns run.
 */
export function createRedactor(secrets: ReadonlyArray<string | null | undefined>): Redactor {
  const values = [
    ...new Set(
      secrets
        .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
        .flatMap(variants),
    ),
  ]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return redactPatterns(out)
  }
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
