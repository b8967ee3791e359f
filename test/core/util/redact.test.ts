import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createRedactor,
  derivedForms,
  redactDeep,
  redactPatterns,
} from '../../../src/main/core/util/redact'

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

describe('derived forms of a secret', () => {
  const KEY = 'sk-ant-api03-Zq9xY8wV7uT6sR5qP4oN3mL2kJ1iH0gF_eDcBa-987654321AA'
  const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJklmn'
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const b64url = (s: string) => Buffer.from(s).toString('base64url')
  const hex = (s: string) => Buffer.from(s).toString('hex')
  const redact = createRedactor([KEY, TOKEN, SLACK])

  it.each([
    ['the key without sk-ant-', KEY.slice('sk-ant-'.length)],
    ['the key without sk-ant-api03-', KEY.slice('sk-ant-api03-'.length)],
    ['the key in base64', b64(KEY)],
    ['the key in base64url', b64url(KEY)],
    ['the key in hex', hex(KEY)],
    ['the key in upper-case hex', hex(KEY).toUpperCase()],
    ['the key URL-encoded', encodeURIComponent(KEY)],
    ['the token without ghp_', TOKEN.slice(4)],
    ['the token in base64', b64(TOKEN)],
    ['the token in hex', hex(TOKEN)],
    ['the prefixless token in base64', b64(TOKEN.slice(4))],
    ['the webhook URL-encoded', encodeURIComponent(SLACK)],
    ['the webhook with lower-case escapes', encodeURIComponent(SLACK).toLowerCase()],
    ['the webhook in base64', b64(SLACK)],
    ['the webhook path without its host', new URL(SLACK).pathname.slice(1)],
  ])('redacts %s', (_name, form) => {
    const out = redact(`printed: ${form} (end)`)
    expect(out).not.toContain(form)
    expect(out).toMatch(/^printed: \S*\[redacted\]\S* \(end\)$/)
  })

  it('redacts a secret base64-encoded inside a longer text (Basic auth)', () => {
    // 15 bytes of prefix are 20 characters: what follows encodes the token alone.
    const encoded = b64(`x-access-token:${TOKEN}`)
    const out = createRedactor([TOKEN])(`echo ${encoded}`)
    expect(out.startsWith(`echo ${encoded.slice(0, 20)}[redacted]`)).toBe(true)
    expect(out).not.toContain(encoded.slice(20, 40))
  })

  it('leaves no six base64 characters that encode the secret alone, wherever it sits (property)', () => {
    const secret = 'Zq9-Secret-Value-42-xyz'
    const only = createRedactor([secret])
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), (a, b) => {
        const bytes = Buffer.concat([Buffer.from(a), Buffer.from(secret), Buffer.from(b)])
        const encoded = bytes.toString('base64')
        const [from, to] = [a.length, a.length + secret.length]
        // Character i holds bits 6i..6i+5: it encodes the secret alone when both its bytes do.
        const pure = (i: number) =>
          Math.floor((6 * i) / 8) >= from && Math.floor((6 * i + 5) / 8) < to
        const out = only(encoded)
        for (let i = 0; i + 6 <= encoded.length; i++) {
          if ([0, 1, 2, 3, 4, 5].every((k) => pure(i + k))) {
            expect(out).not.toContain(encoded.slice(i, i + 6))
          }
        }
      }),
    )
  })

  it('reaches every redacted copy, redactDeep included (state, payloads)', () => {
    const payload = { text: `env: ${b64(KEY)}`, blocks: [{ text: TOKEN.slice(4) }] }
    expect(JSON.stringify(redactDeep(payload, redact))).not.toMatch(
      new RegExp(`${b64(KEY).slice(0, 20)}|${TOKEN.slice(4)}`),
    )
  })

  it('derives nothing from secrets under 8 characters beyond the secret itself', () => {
    expect(derivedForms('abc1234')).toEqual(['abc1234'])
  })

  it('leaves ordinary text alone', () => {
    const text =
      'AssertionError: expected 3 to be 4\n  at src/math.ts:2:3 api/send services 0123abcd'
    expect(redact(text)).toBe(text)
  })

  it('stays idempotent with derived forms', () => {
    const once = redact(`${b64(KEY)} ${hex(TOKEN)} ${KEY.slice(7)} ${encodeURIComponent(SLACK)}`)
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
