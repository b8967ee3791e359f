/**
 * The setup engine tests share: a fresh sample project and fake Messages API per test, and the
 * engine a test makes stopped after it. `h.engine = …` registers it for the stop.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { createClaudeClient } from '../../src/main/core/claude/client'
import { loadConfig } from '../../src/main/core/config/load-config'
import { Orchestrator } from '../../src/main/core/engine/orchestrator'
import { instantClock } from './fake-anthropic/instant-clock'
import { startFakeAnthropic } from './fake-anthropic'
import type { FakeAnthropic } from './fake-anthropic'
import { createSampleProject } from './sample-project'
import type { SampleProject } from './sample-project'

export const API_KEY = 'sk-ant-api03-test-key-0123456789'

export interface EngineHarness {
  project: SampleProject
  fake: FakeAnthropic
  engine: Orchestrator | null
}

export function useEngineHarness(): EngineHarness {
  const h = { engine: null } as EngineHarness
  beforeEach(async () => {
    h.project = createSampleProject()
    h.fake = await startFakeAnthropic()
  })
  afterEach(async () => {
    await h.engine?.stop()
    h.engine = null
    await h.fake.close()
    h.project.remove()
  })
  return h
}

/**
 * An engine on `root` (the harness's project by default) against the harness's fake API, its config
 * written first (no flaky re-runs, a 1 s batch window, then `settings`). The client's backoff waits
 * are recorded, not slept; the retries still reach the server.
 */
export function engineFor(
  h: EngineHarness,
  settings: Record<string, unknown> = {},
  root: string = h.project.root,
): Orchestrator {
  writeFileSync(
    join(root, 'fixloop.config.json'),
    JSON.stringify({ flakyReruns: 0, maxWaitSeconds: 1, ...settings }),
  )
  const client = createClaudeClient({
    apiKey: API_KEY,
    baseURL: h.fake.baseURL,
    clock: instantClock().clock,
    random: () => 0,
  })
  h.engine = new Orchestrator({
    config: loadConfig({
      dir: root,
      env: {
        ANTHROPIC_API_KEY: API_KEY,
        ANTHROPIC_BASE_URL: h.fake.baseURL,
        FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
      },
    }),
    claudeClient: client,
    random: () => 0,
  })
  return h.engine
}
