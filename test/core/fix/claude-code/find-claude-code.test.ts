import { chmodSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  claudeCodeHealth,
  clearClaudeCodeCache,
  findClaudeCode,
} from '../../../../src/main/core/fix/claude-code'
import { FAKE_CLAUDE, FAKE_CLAUDE_DIR, tempDir } from '../../../support/fake-claude'

const withFake = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: `${FAKE_CLAUDE_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
  ...extra,
})

beforeEach(() => clearClaudeCodeCache())

describe('findClaudeCode', () => {
  it('finds claude on PATH and reads its version', async () => {
    const found = await findClaudeCode({ env: withFake() })
    expect(found).toEqual({
      usable: true,
      path: FAKE_CLAUDE,
      command: [FAKE_CLAUDE],
      version: '2.1.80',
    })
  })

  it('says what to do when claude is not on PATH', async () => {
    const empty = tempDir()
    const found = await findClaudeCode({ env: { PATH: empty } })
    expect(found).toEqual({
      usable: false,
      reason: 'not found on PATH: install it or set fixer to api',
    })
  })

  it('uses the path from settings instead of PATH', async () => {
    // PATH has node (the fake's interpreter) but no claude.
    const nodeOnly = { PATH: path.dirname(process.execPath) }
    const found = await findClaudeCode({ env: nodeOnly, pathOverride: FAKE_CLAUDE })
    expect(found).toMatchObject({ usable: true, path: FAKE_CLAUDE })
    const missing = await findClaudeCode({ env: {}, pathOverride: '/nowhere/claude' })
    expect(missing).toMatchObject({ usable: false, reason: expect.stringMatching(/\/nowhere/) })
  })

  it('refuses a Claude Code older than the flags it is driven with', async () => {
    const found = await findClaudeCode({ env: withFake({ FAKE_CLAUDE_VERSION: '1.0.44' }) })
    expect(found).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/1\.0\.44.*update/),
    })
  })

  it('reports a claude that does not answer --version', async () => {
    const found = await findClaudeCode({ env: withFake({ FAKE_CLAUDE_VERSION_FAIL: '1' }) })
    expect(found).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/did not answer --version \(fake claude: --version failed/),
    })
  })

  it('reports a program that answers --version without a version', async () => {
    const dir = tempDir()
    const impostor = path.join(dir, 'claude')
    writeFileSync(impostor, '#!/bin/sh\necho hello\n')
    chmodSync(impostor, 0o755)
    const found = await findClaudeCode({ env: { PATH: dir } })
    expect(found).toMatchObject({ usable: false, reason: expect.stringMatching(/no version/) })
  })

  it('caches the answer for the process until asked to refresh', async () => {
    const first = await findClaudeCode({ env: withFake() })
    const cached = await findClaudeCode({ env: withFake({ FAKE_CLAUDE_VERSION: '2.2.0' }) })
    expect(cached).toBe(first)
    const fresh = await findClaudeCode({
      env: withFake({ FAKE_CLAUDE_VERSION: '2.2.0' }),
      refresh: true,
    })
    expect(fresh).toMatchObject({ usable: true, version: '2.2.0' })
  })

  it('rejects with the reason when aborted, and does not cache that', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(findClaudeCode({ env: withFake(), signal: controller.signal })).rejects.toThrow(
      'stop',
    )
    await expect(findClaudeCode({ env: withFake() })).resolves.toMatchObject({ usable: true })
  })
})

describe('claudeCodeHealth', () => {
  it('names the version and path, and says login is Claude Code’s own', async () => {
    const line = claudeCodeHealth(await findClaudeCode({ env: withFake() }))
    expect(line).toMatch(new RegExp(`^Claude Code 2\\.1\\.80 at ${FAKE_CLAUDE} \\(login`))
    expect(line).toMatch(/login is Claude Code's own/)
  })

  it('says Claude Code is missing and what to do', () => {
    expect(
      claudeCodeHealth({
        usable: false,
        reason: 'not found on PATH: install it or set fixer to api',
      }),
    ).toBe('Claude Code not found on PATH: install it or set fixer to api')
  })
})
