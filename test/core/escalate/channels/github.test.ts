import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createGithubIssues,
  GITHUB_API_VERSION,
  githubError,
  nextLink,
  reportToGithub,
  type GithubIssues,
} from '../../../../src/main/core/escalate/channels/github'
import { DeliveryError } from '../../../../src/main/core/escalate/http'
import { startFakeGithub, type FakeGithub } from '../../../support/fake-github'

const marker = (fp: string) => `<!-- fixloop:fingerprint=${fp} -->`
const signal = () => AbortSignal.timeout(5000)
const report = (fp: string, knownIssue: number | null = null) => ({
  marker: marker(fp),
  title: `fails ${fp}`,
  body: `${marker(fp)}\nbody of ${fp}`,
  comment: `again ${fp}`,
  knownIssue,
})

let gh: FakeGithub
let issues: GithubIssues

beforeEach(async () => {
  gh = await startFakeGithub()
  issues = createGithubIssues({ token: gh.token, repo: gh.repo, baseUrl: gh.baseUrl })
})
afterEach(() => gh.close())

describe('reportToGithub', () => {
  it('opens an issue labelled fixloop for a new fingerprint', async () => {
    const result = await reportToGithub(issues, report('aaa'), signal())
    expect(result).toMatchObject({ action: 'opened', issue: { number: 1 } })
    expect(result.url).toBe('https://github.example/acme/widgets/issues/1')
    expect(gh.issues).toHaveLength(1)
    expect(gh.issues[0]).toMatchObject({ title: 'fails aaa', labels: ['fixloop'], state: 'open' })
  })

  it('comments on the open issue with the same marker instead of opening a twin', async () => {
    await reportToGithub(issues, report('aaa'), signal())
    const second = await reportToGithub(issues, report('aaa'), signal())
    expect(second.action).toBe('commented')
    expect(second.url).toMatch(/issues\/1#issuecomment-\d+$/)
    expect(gh.issues).toHaveLength(1)
    expect(gh.issues[0]!.comments.map((c) => c.body)).toEqual(['again aaa'])
  })

  it('opens a new issue for a different fingerprint', async () => {
    await reportToGithub(issues, report('aaa'), signal())
    const other = await reportToGithub(issues, report('bbb'), signal())
    expect(other).toMatchObject({ action: 'opened', issue: { number: 2 } })
  })

  it('opens a new issue, pointing at the old one, when the old one was closed', async () => {
    await reportToGithub(issues, report('aaa'), signal())
    gh.issues[0]!.state = 'closed'
    const again = await reportToGithub(issues, report('aaa', 1), signal())
    expect(again).toMatchObject({ action: 'opened', issue: { number: 2 } })
    expect(gh.issues[1]!.body).toContain('Reported before in #1 (closed).')
  })

  it('comments on the remembered issue even when it lost its label', async () => {
    await reportToGithub(issues, report('aaa'), signal())
    gh.issues[0]!.labels = []
    const again = await reportToGithub(issues, report('aaa', 1), signal())
    expect(again.action).toBe('commented')
    expect(gh.issues).toHaveLength(1)
  })

  it('finds the marker beyond the first page and skips pull requests', async () => {
    await gh.close()
    gh = await startFakeGithub({
      maxPerPage: 2,
      issues: [
        { number: 1, title: 'old', body: marker('deep'), labels: ['fixloop'], state: 'open' },
        { number: 2, title: 'x', body: '', labels: ['fixloop'], state: 'open' },
        { number: 3, title: 'y', body: '', labels: ['fixloop'], state: 'open' },
        {
          number: 4,
          title: 'pr',
          body: marker('deep'),
          labels: ['fixloop'],
          state: 'open',
          pullRequest: true,
        },
      ],
    })
    issues = createGithubIssues({ token: gh.token, repo: gh.repo, baseUrl: gh.baseUrl })
    const found = await issues.findOpen(marker('deep'), signal())
    expect(found?.number).toBe(1)
    expect(gh.requests.filter((r) => r.path.includes('/issues?'))).toHaveLength(2)
  })
})

describe('createGithubIssues', () => {
  it('sends the headers GitHub asks for', async () => {
    await issues.findOpen(marker('x'), signal())
    const { headers, path } = gh.requests[0]!
    expect(headers.accept).toBe('application/vnd.github+json')
    expect(headers['x-github-api-version']).toBe(GITHUB_API_VERSION)
    expect(headers['user-agent']).toBe('fixloop')
    expect(headers.authorization).toBe(`Bearer ${gh.token}`)
    expect(path).toBe('/api/v3/repos/acme/widgets/issues?labels=fixloop&state=open&per_page=100')
  })

  it('rejects a repository that does not look like owner/name', () => {
    expect(() => createGithubIssues({ token: 't', repo: 'widgets' })).toThrow(/owner\/name/)
  })

  it('says the token was rejected on 401, without the token', async () => {
    const bad = createGithubIssues({
      token: 'ghp_wrongtoken0123456789abcdefghijkl',
      repo: gh.repo,
      baseUrl: gh.baseUrl,
    })
    const error = await bad.create({ title: 't', body: 'b' }, signal()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeliveryError)
    expect((error as DeliveryError).message).toBe(
      'GitHub rejected the token (HTTP 401: Bad credentials). Check GITHUB_TOKEN: it may be mistyped, expired or revoked.',
    )
    expect((error as DeliveryError).retryable).toBe(false)
  })

  it('says the repository is missing or invisible on 404', async () => {
    const other = createGithubIssues({ token: gh.token, repo: 'acme/nope', baseUrl: gh.baseUrl })
    await expect(other.findOpen(marker('x'), signal())).rejects.toThrow(
      /GitHub repository acme\/nope was not found, or the token cannot see it \(HTTP 404: Not Found\)/,
    )
  })

  it('reports GitHub validation errors on 422', async () => {
    await expect(issues.create({ title: '', body: 'b' }, signal())).rejects.toThrow(
      'GitHub rejected the request as invalid (HTTP 422: Validation Failed; title missing_field).',
    )
  })

  it('says issues are disabled on 410', async () => {
    await gh.close()
    gh = await startFakeGithub({ hasIssues: false })
    issues = createGithubIssues({ token: gh.token, repo: gh.repo, baseUrl: gh.baseUrl })
    await expect(issues.create({ title: 't', body: 'b' }, signal())).rejects.toThrow(
      /Issues are disabled on acme\/widgets/,
    )
    await expect(issues.checkAccess(signal())).rejects.toThrow(/Issues are disabled/)
  })

  it('checks access without writing anything', async () => {
    expect(await issues.checkAccess(signal())).toBe('the token can read issues of acme/widgets')
    expect(gh.writes()).toEqual([])
  })

  it('refuses to send the token to another host named in a Link header', async () => {
    await gh.close()
    gh = await startFakeGithub({
      maxPerPage: 1,
      linkOrigin: 'https://elsewhere.example',
      issues: [
        { number: 1, title: 'a', body: '', labels: ['fixloop'], state: 'open' },
        { number: 2, title: 'b', body: '', labels: ['fixloop'], state: 'open' },
      ],
    })
    issues = createGithubIssues({ token: gh.token, repo: gh.repo, baseUrl: gh.baseUrl })
    await expect(issues.findOpen(marker('x'), signal())).rejects.toThrow(
      'GitHub sent a link to another host (elsewhere.example).',
    )
    expect(gh.requests).toHaveLength(1)
  })
})

describe('githubError', () => {
  const response = (status: number, headers: Record<string, string>, body = '{"message":"x"}') => ({
    status,
    headers: new Headers(headers),
    body,
  })
  const now = Date.parse('2026-03-01T10:00:00Z')

  it('reads a used-up primary rate limit with its reset time', () => {
    const reset = String(now / 1000 + 120)
    const e = githubError(
      response(
        403,
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
        '{"message":"API rate limit exceeded"}',
      ),
      'acme/widgets',
      now,
    )
    expect(e.retryable).toBe(true)
    expect(e.retryAfterMs).toBe(120_000)
    expect(e.message).toBe(
      "GitHub's rate limit is used up (HTTP 403: API rate limit exceeded). It resets at 2026-03-01T10:02:00.000Z.",
    )
  })

  it('reads a secondary rate limit from retry-after', () => {
    const e = githubError(response(429, { 'retry-after': '30' }), 'acme/widgets', now)
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 30_000, status: 429 })
    expect(e.message).toContain('secondary rate limit')
  })

  it('tells a 403 without rate-limit headers as a permission problem', () => {
    const e = githubError(
      response(403, {}, '{"message":"Resource not accessible by personal access token"}'),
      'acme/widgets',
      now,
    )
    expect(e.retryable).toBe(false)
    expect(e.message).toContain('GitHub refused access to acme/widgets')
    expect(e.message).toContain('"Issues: read and write"')
  })

  it('retries server errors', () => {
    expect(githubError(response(502, {}, 'bad gateway'), 'acme/widgets', now).retryable).toBe(true)
  })
})

describe('nextLink', () => {
  it('finds rel="next" among other links', () => {
    const link =
      '<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"'
    expect(nextLink(link)).toBe('https://api.github.com/x?page=3')
    expect(nextLink(null)).toBeNull()
  })
})
