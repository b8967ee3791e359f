/**
 * The setup engine tests share: a fresh sample project and fake Messages API per test, and the
 * engine a test makes stopped after it. `h.engine = …` registers it for the stop.
 */
import { afterEach, beforeEach } from 'vitest'
import type { Orchestrator } from '../../src/main/core/engine/orchestrator'
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
