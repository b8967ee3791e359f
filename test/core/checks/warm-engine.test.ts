/**
 * The warm runner in the real engine: a save's related checks run in a warm vitest kept across
 * tasks (in the shadow, in the sandbox where there is one), which the engine's stop ends.
 */
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { finished } from '../../support/engine-events'
import { isAlive, waitFor } from '../../support/processes'
import { GOOD_MONEY, vitestProject } from './warm-support'

/** The first line of vitest-worker.mjs, which the worker's command line carries (`--eval`). */
const MARKER = "Fixloop's warm vitest runner"

/** Pids of warm vitest workers whose working folder is a shadow of the project `root`. */
function warmWorkers(root: string): number[] {
  const name = path.basename(root)
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        // Under bubblewrap its command line carries the marker too: the worker is the node inside.
        const bwrap = /(^|\/)bwrap\0/.test(cmdline)
        return (
          cmdline.includes(MARKER) &&
          !bwrap &&
          readlinkSync(`/proc/${pid}/cwd`).includes(`/shadows/${name}-`)
        )
      } catch {
        return false // gone meanwhile, or not ours to read
      }
    })
    .map(Number)
}

let engine: Orchestrator | null = null
afterEach(async () => {
  await engine?.stop()
  engine = null
})

describe.skipIf(process.platform !== 'linux')('warm runner in the engine', () => {
  it('serves the related checks of successive tasks from one worker, ended by stop', async () => {
    const project = vitestProject({ '.gitignore': 'node_modules/\n.vitest-cache/\n' })
    writeFileSync(
      path.join(project.root, 'fixloop.config.json'),
      JSON.stringify({ flakyReruns: 0, maxWaitSeconds: 1 }),
    )
    engine = new Orchestrator({
      config: loadConfig({ dir: project.root, env: { FILE_WATCH_DEBOUNCE_SECONDS: '0.1' } }),
      random: () => 0,
    })
    await engine.start()

    let done = finished(engine)
    project.write('src/money.js', `${GOOD_MONEY}// 1\n`)
    expect((await done).outcome).toBe('no_fix_needed')
    const workers = warmWorkers(project.root)
    expect(workers).toHaveLength(1)

    done = finished(engine)
    project.write('src/money.js', `${GOOD_MONEY}// 2\n`)
    expect((await done).outcome).toBe('no_fix_needed')
    expect(warmWorkers(project.root)).toEqual(workers)

    await engine.stop()
    engine = null
    expect(await waitFor(() => !isAlive(workers[0] as number))).toBe(true)
  })
})
