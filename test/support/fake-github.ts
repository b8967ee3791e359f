/**
 * A local fake of the few GitHub REST endpoints Fixloop uses, over an in-memory issue list:
 *
 *   GET  /repos/:owner/:repo                       repository (has_issues)
 *   GET  /repos/:owner/:repo/issues                list, filtered by labels/state, paginated with Link
 *   GET  /repos/:owner/:repo/issues/:n             one issue
 *   POST /repos/:owner/:repo/issues                create
 *   POST /repos/:owner/:repo/issues/:n/comments    comment
 *
 * It checks what GitHub checks (token, User-Agent, repository) and answers like GitHub does
 * (401 Bad credentials, 404 Not Found, 422 Validation Failed), and can be told to fail the next N
 * requests with any status and headers (rate limits), or to hang. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeComment {
  id: number
  body: string
}

export interface FakeIssue {
  number: number
  title: string
  body: string
  labels: string[]
  state: 'open' | 'closed'
  comments: FakeComment[]
  /** Set for pull requests, which the issues endpoints also list. */
  pullRequest?: boolean
}

export interface FakeGithubRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  json: unknown
}

export interface FakeGithubFailure {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

export interface FakeGithubOptions {
  /** @default 'ghp_testtoken0123456789abcdefghijklmnop' */
  token?: string
  /** @default 'acme/widgets' */
  repo?: string
  /** Largest page the list endpoint serves, to exercise pagination. @default 100 */
  maxPerPage?: number
  /** Issues to start with. @default [] */
  issues?: Array<Omit<FakeIssue, 'comments'> & { comments?: FakeComment[] }>
  /** Whether the repository has issues enabled. @default true */
  hasIssues?: boolean
  /** Origin written into Link headers, to play a server that points elsewhere. @default its own */
  linkOrigin?: string
}

export interface FakeGithub {
  /** The API base URL, e.g. `http://127.0.0.1:PORT/api/v3`. */
  readonly baseUrl: string
  readonly token: string
  readonly repo: string
  readonly issues: FakeIssue[]
  readonly requests: FakeGithubRequest[]
  /** The next `count` requests get this answer instead. */
  failNext(count: number, failure: FakeGithubFailure): void
  /** The next `count` requests are accepted and never answered. */
  hangNext(count: number): void
  /** Requests other than reads of the repository. */
  writes(): FakeGithubRequest[]
  close(): Promise<void>
}

export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const token = options.token ?? 'ghp_testtoken0123456789abcdefghijklmnop'
  const repo = options.repo ?? 'acme/widgets'
  const maxPerPage = options.maxPerPage ?? 100
  const hasIssues = options.hasIssues ?? true
  const issues: FakeIssue[] = (options.issues ?? []).map((i) => ({ comments: [], ...i }))
  const requests: FakeGithubRequest[] = []
  const failures: Array<FakeGithubFailure | 'hang'> = []
  const hanging = new Set<ServerResponse>()
  let nextCommentId = 1000
  let origin = ''
  // A prefix like GitHub Enterprise's, so clients that drop the base URL's path are caught.
  const prefix = '/api/v3'

  const htmlUrl = (n: number) => `https://github.example/${repo}/issues/${n}`
  const view = (i: FakeIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name) => ({ name })),
    html_url: htmlUrl(i.number),
    comments: i.comments.length,
    ...(i.pullRequest ? { pull_request: { url: 'x' } } : {}),
  })

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = raw ? JSON.parse(raw) : undefined
      } catch {
        json = undefined
      }
      const url = new URL(req.url ?? '/', origin)
      const method = req.method ?? 'GET'
      requests.push({ method, path: url.pathname + url.search, headers: req.headers, json })
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        res
          .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
          .end(JSON.stringify(body))

      const failure = failures.shift()
      if (failure === 'hang') return void hanging.add(res)
      if (failure)
        return send(failure.status, failure.body ?? { message: 'injected' }, failure.headers)
      if (!req.headers['user-agent']) {
        return send(403, {
          message:
            'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
        })
      }
      const auth = req.headers.authorization ?? ''
      if (auth !== `Bearer ${token}` && auth !== `token ${token}`) {
        return send(401, { message: 'Bad credentials', status: '401' })
      }
      const repoPath = `${prefix}/repos/${repo}`
      if (!url.pathname.startsWith(repoPath)) return send(404, { message: 'Not Found' })
      const rest = url.pathname.slice(repoPath.length)

      if (method === 'GET' && rest === '') {
        return send(200, { full_name: repo, has_issues: hasIssues })
      }
      if (!hasIssues && rest.startsWith('/issues'))
        return send(410, { message: 'Issues are disabled for this repo' })

      if (method === 'GET' && rest === '/issues') {
        const state = url.searchParams.get('state') ?? 'open'
        const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean)
        const perPage = Math.min(maxPerPage, Number(url.searchParams.get('per_page') ?? 30))
        const page = Number(url.searchParams.get('page') ?? 1)
        const matching = issues
          .filter((i) => state === 'all' || i.state === state)
          .filter((i) => labels.every((l) => i.labels.includes(l)))
          .sort((a, b) => b.number - a.number)
        const slice = matching.slice((page - 1) * perPage, page * perPage)
        const headers: Record<string, string> = {}
        if (page * perPage < matching.length) {
          const next = new URL(url.pathname + url.search, options.linkOrigin ?? origin)
          next.searchParams.set('page', String(page + 1))
          headers.link = `<${next.href}>; rel="next"`
        }
        return send(200, slice.map(view), headers)
      }
      const one = /^\/issues\/(\d+)$/.exec(rest)
      if (method === 'GET' && one) {
        const issue = issues.find((i) => i.number === Number(one[1]))
        return issue ? send(200, view(issue)) : send(404, { message: 'Not Found' })
      }
      if (method === 'POST' && rest === '/issues') {
        const body = json as { title?: unknown; body?: unknown; labels?: unknown }
        if (typeof body?.title !== 'string' || body.title === '') {
          return send(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
          })
        }
        const issue: FakeIssue = {
          number: issues.reduce((n, i) => Math.max(n, i.number), 0) + 1,
          title: body.title,
          body: typeof body.body === 'string' ? body.body : '',
          labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
          state: 'open',
          comments: [],
        }
        issues.push(issue)
        return send(201, view(issue))
      }
      const comments = /^\/issues\/(\d+)\/comments$/.exec(rest)
      if (method === 'POST' && comments) {
        const issue = issues.find((i) => i.number === Number(comments[1]))
        if (!issue) return send(404, { message: 'Not Found' })
        const comment = {
          id: nextCommentId++,
          body: String((json as { body?: unknown })?.body ?? ''),
        }
        issue.comments.push(comment)
        return send(201, {
          id: comment.id,
          body: comment.body,
          html_url: `${htmlUrl(issue.number)}#issuecomment-${comment.id}`,
        })
      }
      return send(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`

  return {
    baseUrl: `${origin}${prefix}`,
    token,
    repo,
    issues,
    requests,
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure)
    },
    hangNext(count) {
      for (let i = 0; i < count; i++) failures.push('hang')
    },
    writes: () => requests.filter((r) => r.method !== 'GET'),
    async close() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
