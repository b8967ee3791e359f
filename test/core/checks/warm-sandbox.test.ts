/**
 * The warm runner as the engine uses it: in a shadow workspace lease, wrapped in the OS sandbox the
 * way a cold check is (ringIn), kept across leases of the same shadow.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { planRelatedChecks } from '../../../src/main/core/checks/plan-checks'
import { rebaseRunner } from '../../../src/main/core/checks/rebase-runner'
import { executeCheck } from '../../../src/main/core/checks/run-check'
import type { PlannedCheck } from '../../../src/main/core/checks/types'
import { ringIn } from '../../../src/main/core/engine/pipeline/ring'
import type { CheckSandbox } from '../../../src/main/core/engine/pipeline/ports'
import { ShadowPool } from '../../../src/main/core/shadow'
import { createIgnoreMatcher } from '../../../src/main/core/watch/ignore-rules'
import { bwrapReady, bwrapSuite, hostSandbox } from '../sandbox/support'
import { tempDir } from './fixtures'
import { BROKEN_MONEY, vitestProject, warmRunners } from './warm-support'

function shadowPool(root: string): ShadowPool {
  const pool = ShadowPool.open({
    projectRoot: root,
    ignore: createIgnoreMatcher({ root }),
    cacheDir: tempDir('fixloop-warm-cache-'),
  })
  onTestFinished(() => pool.dispose())
  return pool
}

/** As isolation.ts wraps it: the project stays readable (the shadow's links point into it). */
const sandboxFor = (root: string): CheckSandbox => ({
  wrap: (argv, spec) =>
    hostSandbox.wrap(argv, { ...spec, readable: [...(spec.readable ?? []), root] }),
})

describe.skipIf(!bwrapReady)(bwrapSuite, () => {
  it('runs the warm worker inside bubblewrap, in the shadow, across leases', async () => {
    const project = vitestProject({
      'src/escape.test.js': `import { writeFileSync } from 'node:fs'
import { expect, test } from 'vitest'
test('cannot write the project', () => {
  expect(() => writeFileSync(process.env.PROJECT_FILE, 'x')).toThrow(/EROFS|EACCES/)
})
`,
    })
    const pool = shadowPool(project.root)
    const { warm, logs } = warmRunners()
    const sandbox = sandboxFor(project.root)
    const env = { ...process.env, PROJECT_FILE: path.join(project.root, 'escaped.txt') }

    let shadowRoot = ''
    const check = async (changed: string) => {
      const lease = await pool.lease([changed])
      shadowRoot = lease.root
      try {
        const runner = rebaseRunner(project.runner, lease.root)
        const planned = planRelatedChecks(lease.root, runner, [changed]).checks[0] as PlannedCheck
        return await executeCheck(planned, ringIn(lease, sandbox, env, undefined, warm))
      } finally {
        await lease.release()
      }
    }

    const green = await check('src/money.js')
    expect(green.result.passed).toBe(true)
    const pid = warm.pid(shadowRoot) as number
    expect(pid).toBeDefined()
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toMatch(/bwrap$/)

    project.write('src/money.js', BROKEN_MONEY)
    const red = await check('src/money.js')
    expect(red.result.failures.map((f) => f.name)).toEqual(['cart > totals items'])
    // The same worker, through a second lease of the same shadow.
    expect(warm.pid(shadowRoot)).toBe(pid)

    const escape = await check('src/escape.test.js')
    expect(escape.result.passed).toBe(true)
    expect(() => readFileSync(path.join(project.root, 'escaped.txt'))).toThrow(/ENOENT/)
    expect(logs.filter((l) => l.level !== 'debug')).toEqual([])
  })
})
