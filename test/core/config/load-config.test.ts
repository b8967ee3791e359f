import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../src/main/core/config/load-config'
import { parseEnvFile } from '../../../src/main/core/config/env-file'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fixloop-config-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function problemsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (e) {
    if (e instanceof ConfigError) return e.problems
    throw e
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('gives the documented defaults with no configuration at all', () => {
    const c = loadConfig({ dir, env: {} })
    expect(c.projectRoot).toBe(dir)
    expect(c.settings.maxRetries).toBe(5)
    expect(c.settings.autoFix).toBe(true)
    expect(c.settings.debounceSeconds).toBe(2)
    expect(c.secrets).toEqual({})
  })

  it("reads the seed's environment variables", () => {
    const c = loadConfig({
      dir,
      env: {
        MAX_RETRIES: '3',
        AUTO_FIX_ENABLED: 'false',
        FILE_WATCH_DEBOUNCE_SECONDS: '0.5',
        CIRCUIT_BREAKER_THRESHOLD: '4',
        CIRCUIT_BREAKER_WINDOW: '600',
        CLAUDE_MODEL: 'claude-opus-5',
        GITHUB_REPO: 'acme/app',
        WATCH_EXTENSIONS: 'ts, .js',
        ANTHROPIC_API_KEY: 'sk-ant-test-123456',
        STATE_FILE: 'var/state.json',
      },
    })
    expect(c.settings).toMatchObject({
      maxRetries: 3,
      autoFix: false,
      debounceSeconds: 0.5,
      breakerThreshold: 4,
      breakerWindowSeconds: 600,
      model: 'claude-opus-5',
      watchExtensions: ['ts', 'js'],
    })
    expect(c.settings.escalation.githubRepo).toBe('acme/app')
    expect(c.secrets.anthropicApiKey).toBe('sk-ant-test-123456')
    expect(c.stateFile).toBe(join(dir, 'var/state.json'))
  })

  it('rejects invalid values naming the variable and what is allowed, all at once', () => {
    const problems = problemsOf(() =>
      loadConfig({ dir, env: { MAX_RETRIES: 'lots', AUTO_FIX_ENABLED: 'maybe' } }),
    )
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(
      /^MAX_RETRIES="lots" is not allowed: use a whole number from 1 to 20/,
    )
    expect(problems[1]).toMatch(/^AUTO_FIX_ENABLED="maybe" is not allowed: use true or false/)
  })

  it('reads the check window from FIXLOOP_CHECK_DEBOUNCE_SECONDS (0.3 s by default)', () => {
    expect(loadConfig({ dir, env: {} }).settings.checkDebounceSeconds).toBe(0.3)
    const c = loadConfig({ dir, env: { FIXLOOP_CHECK_DEBOUNCE_SECONDS: '0.05' } })
    expect(c.settings.checkDebounceSeconds).toBe(0.05)
    for (const raw of ['soon', '-1', '601']) {
      expect(
        problemsOf(() => loadConfig({ dir, env: { FIXLOOP_CHECK_DEBOUNCE_SECONDS: raw } })),
      ).toEqual([
        `FIXLOOP_CHECK_DEBOUNCE_SECONDS=${JSON.stringify(raw)} is not allowed: use a number of seconds from 0 to 600`,
      ])
    }
    writeFileSync(join(dir, 'fixloop.config.json'), JSON.stringify({ checkDebounceSeconds: -0.1 }))
    expect(problemsOf(() => loadConfig({ dir, env: {} }))[0]).toMatch(
      /^fixloop\.config\.json: checkDebounceSeconds: /,
    )
  })

  it('lets the environment win over .env, and .env over fixloop.config.json', () => {
    writeFileSync(
      join(dir, 'fixloop.config.json'),
      JSON.stringify({ maxRetries: 2, debounceSeconds: 7 }),
    )
    writeFileSync(
      join(dir, '.env'),
      'MAX_RETRIES=4\nexport CLAUDE_MODEL="m-from-dotenv" # comment\n',
    )
    const c = loadConfig({ dir, env: { CLAUDE_MODEL: 'm-from-env' } })
    expect(c.settings.maxRetries).toBe(4)
    expect(c.settings.debounceSeconds).toBe(7)
    expect(c.settings.model).toBe('m-from-env')
    expect(c.sources).toEqual(['defaults', '.env', 'fixloop.config.json', 'environment'])
  })

  it('refuses a broken or secret-bearing fixloop.config.json with the field named', () => {
    writeFileSync(join(dir, 'fixloop.config.json'), '{"maxRetries": 0, "apiKey": "x"}')
    const problems = problemsOf(() => loadConfig({ dir, env: {} }))
    expect(problems.some((p) => p.includes('"apiKey" looks like a secret'))).toBe(true)
    expect(problems.some((p) => p.startsWith('fixloop.config.json: maxRetries:'))).toBe(true)
    writeFileSync(join(dir, 'fixloop.config.json'), '{ not json')
    expect(problemsOf(() => loadConfig({ dir, env: {} }))[0]).toMatch(/not valid JSON/)
  })

  it('says so when the project folder does not exist', () => {
    expect(problemsOf(() => loadConfig({ dir: join(dir, 'nope'), env: {} }))[0]).toMatch(
      /is not a folder that exists/,
    )
  })
})

describe('parseEnvFile', () => {
  it('reads quotes, comments and export', () => {
    expect(
      parseEnvFile(
        '# c\nA=1\nexport B="two words"\nC=\'x # y\'\nD=plain # trailing\nE="line\\nnext"\nbad line\n',
      ),
    ).toEqual({ A: '1', B: 'two words', C: 'x # y', D: 'plain', E: 'line\nnext' })
  })
})
