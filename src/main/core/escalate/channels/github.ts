/**
 * GitHub issues over the REST API. A failure is found again by a hidden marker in the issue body
 * (`<!-- fixloop:fingerprint=… -->`) among the open issues labelled `fixloop`, read through the list
 * endpoint (the search API is rate-limited harder and lags behind writes). An open issue for the same
 * fingerprint gets a comment; otherwise a new issue is opened.
 *
 * Every status GitHub uses for "you cannot do this" gets its own message with what to do; rate limits
 * (primary: `x-ratelimit-remaining: 0`, secondary: `retry-after`) are retryable with the wait GitHub
 * asked for. The token only ever travels in the Authorization header, and only to `baseUrl`'s host.
 */
import { DeliveryError, hostOf, parseRetryAfter, send, snippet, type HttpResponse } from '../http'

export const GITHUB_API_VERSION = '2022-11-28'

export interface GithubOptions {
  token: string
  /** "owner/name". */
  repo: string
  /** @default 'https://api.github.com' (GitHub Enterprise: 'https://HOST/api/v3') */
  baseUrl?: string
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** @default 'fixloop' */
  userAgent?: string
  /** The label that marks Fixloop's issues. @default 'fixloop' */
  label?: string
  /** Pages of 100 open issues searched for the marker. @default 10 */
  maxPages?: number
  /** For `retry-after` and reset times. @default Date.now */
  now?: () => number
}

export interface GithubIssueRef {
  number: number
  url: string
}

export interface GithubIssue extends GithubIssueRef {
  state: string
  body: string
  pullRequest: boolean
}

export interface GithubIssues {
  readonly repo: string
  get(number: number, signal: AbortSignal): Promise<GithubIssue | null>
  findOpen(marker: string, signal: AbortSignal): Promise<GithubIssueRef | null>
  create(issue: { title: string; body: string }, signal: AbortSignal): Promise<GithubIssueRef>
  comment(number: number, body: string, signal: AbortSignal): Promise<{ url: string }>
  /** Reads the repository and one page of issues: the token works and can see issues. */
  checkAccess(signal: AbortSignal): Promise<string>
}

const REPO = /^[\w.-]+\/[\w.-]+$/

interface RawIssue {
  number?: unknown
  html_url?: unknown
  state?: unknown
  body?: unknown
  pull_request?: unknown
}

function toIssue(raw: RawIssue): GithubIssue {
  if (typeof raw.number !== 'number')
    throw new DeliveryError('GitHub sent an issue without a number.')
  return {
    number: raw.number,
    url: typeof raw.html_url === 'string' ? raw.html_url : '',
    state: typeof raw.state === 'string' ? raw.state : 'open',
    body: typeof raw.body === 'string' ? raw.body : '',
    pullRequest: raw.pull_request != null,
  }
}

function parseJson(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.body)
  } catch {
    throw new DeliveryError(`GitHub sent a reply that is not JSON (HTTP ${response.status}).`, {
      retryable: response.status >= 500,
    })
  }
}

/** `<url>; rel="next"` from a Link header. */
export function nextLink(link: string | null): string | null {
  const m = link?.match(/<([^>]+)>\s*;\s*rel="?next"?/)
  return m?.[1] ?? null
}

/** GitHub's own words from an error body: `message` and each `errors[].message|code`. */
function githubSays(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: unknown }
    const errors = Array.isArray(parsed.errors)
      ? parsed.errors
          .map((e: { message?: unknown; code?: unknown; field?: unknown }) =>
            [e.field, e.message ?? e.code].filter((x) => typeof x === 'string').join(' '),
          )
          .filter(Boolean)
      : []
    const message = typeof parsed.message === 'string' ? parsed.message : ''
    return [message, ...errors].filter(Boolean).join('; ')
  } catch {
    return snippet(body)
  }
}

/** The error for a non-2xx answer, with what to do about it. */
export function githubError(response: HttpResponse, repo: string, now: number): DeliveryError {
  const { status, headers } = response
  const says = githubSays(response.body)
  const label = `HTTP ${status}${says ? `: ${says}` : ''}`
  const limited = headers.get('x-ratelimit-remaining') === '0'
  const retryAfter = parseRetryAfter(headers, now)
  if ((status === 403 || status === 429) && (limited || retryAfter !== null || status === 429)) {
    const reset = Number(headers.get('x-ratelimit-reset'))
    const resetMs = limited && reset > 0 ? Math.max(0, reset * 1000 - now) : null
    const waitMs = retryAfter ?? resetMs
    const when =
      limited && reset > 0
        ? ` It resets at ${new Date(reset * 1000).toISOString()}.`
        : waitMs !== null
          ? ` Retry after ${Math.ceil(waitMs / 1000)} s.`
          : ''
    const kind = limited ? 'rate limit is used up' : 'secondary rate limit was hit'
    return new DeliveryError(`GitHub's ${kind} (${label}).${when}`, {
      retryable: true,
      status,
      retryAfterMs: waitMs,
    })
  }
  if (status === 401) {
    return new DeliveryError(
      `GitHub rejected the token (${label}). Check GITHUB_TOKEN: it may be mistyped, expired or revoked.`,
      { status },
    )
  }
  if (status === 403) {
    const sso = headers.get('x-github-sso')
      ? ' The token must also be authorised for the organisation’s SAML single sign-on.'
      : ''
    return new DeliveryError(
      `GitHub refused access to ${repo} (${label}). The token needs the "Issues: read and write" permission (fine-grained) or the "repo" scope (classic).${sso}`,
      { status },
    )
  }
  if (status === 404) {
    return new DeliveryError(
      `GitHub repository ${repo} was not found, or the token cannot see it (${label}). Check GITHUB_REPO and the token's repository access.`,
      { status },
    )
  }
  if (status === 410) {
    return new DeliveryError(
      `Issues are disabled on ${repo} (${label}). Enable them in the repository settings.`,
      {
        status,
      },
    )
  }
  if (status === 422) {
    return new DeliveryError(`GitHub rejected the request as invalid (${label}).`, { status })
  }
  return new DeliveryError(`GitHub answered ${label}.`, {
    status,
    retryable: status >= 500 || status === 408,
    retryAfterMs: retryAfter,
  })
}

export function createGithubIssues(options: GithubOptions): GithubIssues {
  const {
    token,
    repo,
    fetch = globalThis.fetch,
    userAgent = 'fixloop',
    label = 'fixloop',
    maxPages = 10,
    now = Date.now,
  } = options
  if (!REPO.test(repo))
    throw new DeliveryError(`GITHUB_REPO must look like owner/name, got "${repo}".`)
  const base = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '')
  const baseHost = hostOf(base)
  if (baseHost === null) throw new DeliveryError('The GitHub API base URL is not a valid URL.')
  const [owner = '', name = ''] = repo.split('/')
  const repoPath = `${base}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'x-github-api-version': GITHUB_API_VERSION,
    'user-agent': userAgent,
  }

  async function call(
    url: string,
    signal: AbortSignal,
    method: 'GET' | 'POST' = 'GET',
    json?: unknown,
  ): Promise<HttpResponse> {
    // The token goes to the configured host only, even if a Link header pointed elsewhere.
    if (hostOf(url) !== baseHost)
      throw new DeliveryError(`GitHub sent a link to another host (${hostOf(url)}).`)
    return send({ fetch, url, method, headers, json, signal, service: 'GitHub' })
  }

  const ok = (r: HttpResponse) => r.status >= 200 && r.status < 300

  return {
    repo,
    async get(number, signal) {
      const response = await call(`${repoPath}/issues/${number}`, signal)
      if (response.status === 404 || response.status === 410) return null
      if (!ok(response)) throw githubError(response, repo, now())
      return toIssue(parseJson(response) as RawIssue)
    },
    async findOpen(marker, signal) {
      const query = new URLSearchParams({ labels: label, state: 'open', per_page: '100' })
      let url: string | null = `${repoPath}/issues?${query}`
      for (let page = 0; url && page < maxPages; page++) {
        const response = await call(url, signal)
        if (!ok(response)) throw githubError(response, repo, now())
        const list = parseJson(response)
        if (!Array.isArray(list))
          throw new DeliveryError('GitHub sent an issue list that is not a list.')
        for (const raw of list as RawIssue[]) {
          const issue = toIssue(raw)
          if (!issue.pullRequest && issue.state === 'open' && issue.body.includes(marker)) {
            return { number: issue.number, url: issue.url }
          }
        }
        url = nextLink(response.headers.get('link'))
      }
      return null
    },
    async create({ title, body }, signal) {
      const response = await call(`${repoPath}/issues`, signal, 'POST', {
        title,
        body,
        labels: [label],
      })
      if (!ok(response)) throw githubError(response, repo, now())
      const issue = toIssue(parseJson(response) as RawIssue)
      return { number: issue.number, url: issue.url }
    },
    async comment(number, body, signal) {
      const response = await call(`${repoPath}/issues/${number}/comments`, signal, 'POST', { body })
      if (!ok(response)) throw githubError(response, repo, now())
      const parsed = parseJson(response) as { html_url?: unknown }
      return { url: typeof parsed.html_url === 'string' ? parsed.html_url : '' }
    },
    async checkAccess(signal) {
      const response = await call(repoPath, signal)
      if (!ok(response)) throw githubError(response, repo, now())
      const info = parseJson(response) as { has_issues?: unknown; full_name?: unknown }
      if (info.has_issues === false) {
        throw new DeliveryError(
          `Issues are disabled on ${repo}. Enable them in the repository settings.`,
        )
      }
      const query = new URLSearchParams({ labels: label, state: 'open', per_page: '1' })
      const issues = await call(`${repoPath}/issues?${query}`, signal)
      if (!ok(issues)) throw githubError(issues, repo, now())
      return `the token can read issues of ${typeof info.full_name === 'string' ? info.full_name : repo}`
    },
  }
}

export interface GithubReport {
  marker: string
  title: string
  body: string
  comment: string
  /** The issue this fingerprint was last reported in, from the escalation memory. */
  knownIssue: number | null
}

export interface GithubReportResult {
  action: 'opened' | 'commented'
  issue: GithubIssueRef
  /** The comment's URL when commented, the issue's when opened. */
  url: string
}

/**
 * Comments on the open issue for this fingerprint (the remembered one if still open, else one found
 * by its marker) or opens a new one. A retry after a timeout looks again first, so a create that
 * reached GitHub but whose answer was lost becomes a comment, not a twin.
 */
export async function reportToGithub(
  issues: GithubIssues,
  report: GithubReport,
  signal: AbortSignal,
): Promise<GithubReportResult> {
  let previous: GithubIssue | null = null
  if (report.knownIssue !== null) {
    previous = await issues.get(report.knownIssue, signal)
    if (previous && previous.state === 'open' && !previous.pullRequest) {
      const { url } = await issues.comment(previous.number, report.comment, signal)
      return { action: 'commented', issue: previous, url: url || previous.url }
    }
  }
  const open = await issues.findOpen(report.marker, signal)
  if (open) {
    const { url } = await issues.comment(open.number, report.comment, signal)
    return { action: 'commented', issue: open, url: url || open.url }
  }
  const body =
    previous && !previous.pullRequest
      ? report.body.replace(
          report.marker,
          `${report.marker}\n> Reported before in #${previous.number} (closed).\n`,
        )
      : report.body
  const created = await issues.create({ title: report.title, body }, signal)
  return { action: 'opened', issue: created, url: created.url }
}
