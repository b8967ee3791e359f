import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Controller } from '../../src/main/core/engine/controller'
import { loadConfig } from '../../src/main/core/config/load-config'
import { Orchestrator } from '../../src/main/core/engine/orchestrator'
import type { Secrets } from '../../src/main/core/config/load-config'
import { createAppLog } from '../../src/main/app/app-log-logic'
import { createSampleProject } from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

const KEY = 'sk-ant-api03-very-secret-value-987654321'
const HOOK = 'https://hooks.example.com/incoming/abcdef123456'

let dir: string
let project: SampleProject

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fixloop-logs-'))
  project = createSampleProject('fixloop-log-project-')
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
  project.remove()
})

describe('createAppLog', () => {
  it('writes the shell lines and the engine lines to one file, secrets redacted', async () => {
    const secrets: Secrets = { anthropicApiKey: KEY }
    const log = createAppLog({ dir, secrets: () => secrets })
    const controller = new Controller({
      createEngine: (root) =>
        new Orchestrator({
          config: { ...loadConfig({ dir: root, env: { AUTO_FIX_ENABLED: 'false' } }), secrets },
        }),
    })
    const detach = log.attach(controller)
    await controller.setProject(project.root)
    controller.engine?.log.info(`engine saw ${KEY}`)
    log.logger.warn(`shell saw ${KEY}`)
    // A secret added later is redacted once the redactor is refreshed.
    secrets.emailWebhookUrl = HOOK
    log.refreshRedaction()
    log.logger.info(`posting to ${HOOK}`)
    await controller.stop()
    detach()

    const text = readFileSync(log.file, 'utf8')
    expect(text).toMatch(/INFO {2}Watching /)
    expect(text).toMatch(/WARN {2}\[app\] shell saw \[redacted\]/)
    expect(text).toContain('engine saw [redacted]')
    expect(text).toContain('posting to [redacted]')
    expect(text).not.toContain(KEY)
    expect(text).not.toContain('abcdef123456')
  })

  it('rotates by size', () => {
    const log = createAppLog({ dir, secrets: () => ({}), maxBytes: 2000, keep: 2 })
    for (let i = 0; i < 100; i++) log.logger.info(`line ${i} ${'x'.repeat(50)}`)
    expect(readdirSync(dir).sort()).toEqual(['fixloop.log', 'fixloop.log.1', 'fixloop.log.2'])
    expect(readFileSync(log.file, 'utf8')).toContain('line 99')
  })
})
