import { describe, expect, it } from 'vitest'
import { fingerprint } from '../../../src/main/core/escalate/fingerprint'
import { code, escapeSlack, fenced, formatEscalation } from '../../../src/main/core/escalate/format'
import { failedTask } from './task-fixture'

const format = (task = failedTask(), issueUrl: string | null = null) =>
  formatEscalation(task, { fingerprint: fingerprint(task), project: 'widgets', issueUrl })

describe('formatEscalation', () => {
  it('starts the issue body with the hidden fingerprint marker', () => {
    const task = failedTask()
    const m = format(task)
    expect(m.markdown.startsWith(`<!-- fixloop:fingerprint=${fingerprint(task)} -->\n`)).toBe(true)
    expect(m.fingerprint).toBe(fingerprint(task))
    expect(m.taskId).toBe('task_abc123')
  })

  it('says what failed: files, failing tests with their errors, the error class', () => {
    const m = format()
    expect(m.title).toBe(
      '[widgets] Fixloop could not fix AssertionError in test/math.test.ts › adds two numbers',
    )
    expect(m.markdown).toContain('`src/math.ts`')
    expect(m.markdown).toContain('`test/math.test.ts › adds two numbers`')
    expect(m.markdown).toContain('AssertionError: expected 3 to be 4')
    expect(m.markdown).toContain('All 2 attempts failed')
  })

  it('lists every attempt with its error, trimmed', () => {
    const long = `Error: ${'x'.repeat(5000)}`
    const m = format(failedTask({ attempts: 3, attemptError: long }))
    expect(m.markdown).toContain('## Attempts (3)')
    for (const n of [1, 2, 3]) expect(m.markdown).toContain(`${n}. **failed** at`)
    expect(m.markdown).toContain('more characters)')
    expect(m.markdown).not.toContain('x'.repeat(700))
  })

  it('includes the plan and the last diff in a diff block', () => {
    const m = format()
    expect(m.markdown).toContain('**Root cause:** add() subtracts instead of adding')
    expect(m.markdown).toContain('1. Change the operator in add()')
    expect(m.markdown).toMatch(/## Last diff \(rolled back\)\n\n```diff\n--- a\/src\/math.ts/)
    expect(m.text).toContain('+  return a + b + 1')
  })

  it('gives next steps: undo, retry, breaker', () => {
    const m = format()
    expect(m.markdown).toContain('## Next steps')
    expect(m.markdown).toContain('Nothing to undo')
    expect(m.markdown).toContain('Retry')
    expect(m.markdown).toContain('reset the breaker')
    expect(m.markdown).toContain('`fixloop check . src/math.ts`')
  })

  it('keeps a diff that contains backticks inside its block', () => {
    const diff = '--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-```js\n+````ts\n'
    const m = format(failedTask({ diff }))
    expect(m.markdown).toContain('`````diff\n--- a/README.md')
  })

  it('neutralises mentions and HTML from outside text', () => {
    const m = format(failedTask({ rootCause: 'ask @octocat <img src=x>' }))
    expect(m.markdown).toContain('ask \\@octocat \\<img src=x\\>')
    const slack = format(
      failedTask({
        failures: [{ name: '<!channel> ping', file: 't.test.ts', message: 'Error: x' }],
      }),
    ).slack
    expect(slack).toContain('&lt;!channel&gt; ping')
    expect(slack).not.toContain('<!channel>')
  })

  it('links the GitHub issue in Slack and email when there is one', () => {
    const m = format(failedTask(), 'https://github.com/acme/widgets/issues/7')
    expect(m.slack).toContain(
      '<https://github.com/acme/widgets/issues/7|github.com/acme/widgets/issues/7>',
    )
    expect(m.text).toContain('Issue: https://github.com/acme/widgets/issues/7')
  })

  it('keeps the comment shorter than the issue body', () => {
    const diff = `--- a/x\n+++ b/x\n${'+line\n'.repeat(2000)}`
    const m = format(failedTask({ diff }))
    expect(m.comment.length).toBeLessThan(m.markdown.length)
    expect(m.comment).toContain('## Failed again at 2026-03-01T10:05:00.000Z')
  })

  it('caps the number of failing tests listed', () => {
    const failures = Array.from({ length: 30 }, (_, i) => ({
      name: `case ${String(i).padStart(2, '0')}`,
      file: 't.test.ts',
      message: 'AssertionError: no',
    }))
    const m = format(failedTask({ failures }))
    expect(m.markdown).toContain('### Failing tests (30)')
    expect(m.markdown).toContain('…and 10 more.')
    expect(m.title).toMatch(/\(\+29 more\)$/)
  })
})

describe('markdown helpers', () => {
  it('fences with more backticks than the content holds', () => {
    expect(fenced('a ``` b', 'diff')).toBe('````diff\na ``` b\n````')
    expect(code('a`b')).toBe('``a`b``')
  })

  it('escapes Slack control characters', () => {
    expect(escapeSlack('a & <b>')).toBe('a &amp; &lt;b&gt;')
  })
})
