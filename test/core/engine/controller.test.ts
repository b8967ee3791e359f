import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dispatchCommand } from '../../../src/main/core/bridge/dispatch'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Controller } from '../../../src/main/core/engine/controller'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { createSampleProject } from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'

let project: SampleProject
const controllers: Controller[] = []

function controller(projectRoot: string | null = null): Controller {
  const c = new Controller({
    createEngine: (dir) =>
      new Orchestrator({ config: loadConfig({ dir, env: { AUTO_FIX_ENABLED: 'false' } }) }),
    projectRoot,
  })
  controllers.push(c)
  return c
}

beforeEach(() => {
  project = createSampleProject('fixloop-controller-')
})
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop()
  project.remove()
})

describe('Controller', () => {
  it('says plainly that another Fixloop holds the project, through the bridge', async () => {
    const first = controller(project.root)
    await first.handlers.start({})
    const second = controller()
    const outcome = await dispatchCommand(second, 'setProject', { path: project.root })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'conflict' } })
    expect(!outcome.ok && outcome.error.message).toMatch(
      new RegExp(`already running on .* \\(pid ${process.pid}\\)`),
    )
  })

  it('refuses a folder that does not exist with the reason', async () => {
    const outcome = await dispatchCommand(controller(), 'setProject', {
      path: join(project.root, 'nope'),
    })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'conflict' } })
    expect(!outcome.ok && outcome.error.message).toMatch(/is not a folder that exists/)
  })

  it('needs a project before engine commands, and says so', async () => {
    const outcome = await dispatchCommand(controller(), 'pause', {})
    expect(outcome).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    expect(!outcome.ok && outcome.error.message).toMatch(/choose a project folder/)
  })
})
