import { describe, expect, it } from 'vitest'
import { checksHealth } from '../../../src/main/core/checks/health'
import { fixtureProject, tempDir } from './fixtures'

describe('checksHealth', () => {
  it('names the runner in use', () => {
    const health = checksHealth(fixtureProject('node-basic'), {
      testCommand: null,
      extraChecks: [],
    })
    expect(health.check.ok).toBe(true)
    expect(health.check.detail).toMatch(/^Tests: node's test runner/)
    expect(health.runner?.kind).toBe('node')
  })

  it('says why there is no test command', () => {
    const health = checksHealth(tempDir(), { testCommand: null, extraChecks: [] })
    expect(health).toMatchObject({ runner: null, check: { name: 'checks', ok: false } })
    expect(health.check.detail).toMatch(/No package\.json/)
  })

  it('flags an extra check that cannot run', () => {
    const health = checksHealth(fixtureProject('node-basic'), {
      testCommand: null,
      extraChecks: [{ name: 'lint', command: ['fixloop-no-linter'] }],
    })
    expect(health.check.ok).toBe(false)
    expect(health.check.detail).toContain('fixloop-no-linter')
  })
})
