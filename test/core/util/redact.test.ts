import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRedactor, redactDeep, redactPatterns } from '../../../src/main/core/util/redact'

const SLACK = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx'

describe('createRedactor', () => {
  it('replaces every occurrence of each secret', () => {
    const redact = createRedactor(['s3cr3t-value', 'another-one'])
    expect(redact('a s3cr3t-value b s3cr3t-value c another-one')).toBe(
      'a [redacted] b [redacted] c [redacted]',
    )
  })

  it('ignores secrets shorter than 6 characters and empty entries', () => {
    const redact = createRedactor(['abc', '', null, undefined])
    expect(redact('abc is fine')).toBe('abc is fine')
  })

  it('replaces a secret that contains another one whole', () => {
    const redact = createRedactor(['secret', 'secret-longer'])
    expect(redact('x secret-longer y')).toBe('x [redacted] y')
  })

  it('replaces URL-encoded and JSON-escaped forms of a secret', () => {
    const redact = createRedactor(['https://mail.example/hook?id=a b"c'])
    expect(redact(`q=${encodeURIComponent('https://mail.example/hook?id=a b"c')}`)).toBe(
      'q=[redacted]',
    )
    expect(redact(JSON.stringify({ u: 'https://mail.example/hook?id=a b"c' }))).toBe(
      '{"u":"[redacted]"}',
    )
  })

  it('is idempotent', () => {
    const redact = createRedactor(['ghp_0123456789abcdefghijABCDEFGHIJ'])
    const once = redact('Authorization: Bearer ghp_0123456789abcdefghijABCDEFGHIJ and ' + SLACK)
    expect(redact(once)).toBe(once)
  })
})

describe('redactPatterns', () => {
  it.each([
    ['sk-ant-api03-AbCdEfGhIjKlMnOp_qrstu-vwx', '[redacted]'],
    ['ghp_0123456789abcdefghijABCDEFGHIJ', '[redacted]'],
    ['gho_0123456789abcdefghijABCDEFGHIJ', '[redacted]'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', '[redacted]'],
    [SLACK, 'https://hooks.slack.com/[redacted]'],
    ['xoxb-123456789012-abcdefABCDEF', '[redacted]'],
    ['Bearer abc.def.ghi-123456', 'Bearer [redacted]'],
    ['Authorization: token 0123456789abcdef', 'Authorization: token [redacted]'],
    ['"authorization":"Basic dXNlcjpwYXNz"', '"authorization":"Basic [redacted]"'],
    ['https://bob:hunter22@git.example.com/x.git', 'https://[redacted]@git.example.com/x.git'],
    ['https://x.example/cb?token=abc123&page=2', 'https://x.example/cb?token=[redacted]&page=2'],
    ['https://x.example/?api_key=zzz#frag', 'https://x.example/?api_key=[redacted]#frag'],
    ['AKIAIOSFODNN7EXAMPLE', '[redacted]'],
  ])('redacts %s', (input, expected) => {
    expect(redactPatterns(`before ${input} after`)).toBe(`before ${expected} after`)
  })

  it('leaves ordinary text, URLs and diffs alone', () => {
    const text =
      'AssertionError: expected 3 to be 4 at https://github.com/acme/widgets/issues/12?page=2\n-  return a - b\n+  return a + b'
    expect(redactPatterns(text)).toBe(text)
  })

  it('never lets a known secret through, wherever it sits in the text (property)', () => {
    const secret = 'Zq9-Secret-Value-42'
    const redact = createRedactor([secret])
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        expect(redact(before + secret + after)).not.toContain(secret)
      }),
    )
  })
})

describe('redactDeep', () => {
  it('redacts strings at every depth and values under sensitive keys', () => {
    const redact = createRedactor(['my-webhook-secret'])
    const input = {
      text: 'posting to my-webhook-secret',
      nested: [{ note: 'ghp_0123456789abcdefghijABCDEFGHIJ', n: 3, ok: true, nothing: null }],
      headers: { Authorization: 'whatever-it-is', 'x-other': 'fine' },
      password: 'short',
    }
    expect(redactDeep(input, redact)).toEqual({
      text: 'posting to [redacted]',
      nested: [{ note: '[redacted]', n: 3, ok: true, nothing: null }],
      headers: { Authorization: '[redacted]', 'x-other': 'fine' },
      password: '[redacted]',
    })
    expect(input.text).toBe('posting to my-webhook-secret')
  })

  it('honours toJSON and survives cycles', () => {
    const a: Record<string, unknown> = { when: new Date(0) }
    a.self = a
    expect(redactDeep(a)).toEqual({ when: '1970-01-01T00:00:00.000Z', self: '[circular]' })
  })

  it('copies a shared (non-cyclic) reference twice', () => {
    const shared = { v: 'x' }
    expect(redactDeep({ a: shared, b: shared })).toEqual({ a: { v: 'x' }, b: { v: 'x' } })
  })
})
