/**
 * Applying a fix survives the worst: a kill -9 in the middle of writing the user's tree, and a disk
 * that fills up while it writes. The next start puts back what was half written and holds the fix
 * for review (never re-runs it blindly); Approve then applies it whole.
 */
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/shared/domain'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { Journal } from '../../../src/main/core/fix/journal'
import { callTools, say, startFakeAnthropic, toolUse } from '../../support/fake-anthropic'
import type { FakeAnthropic } from '../../support/fake-anthropic'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createSampleProject,
  planReply,
} from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'
import { killStartedChildren, startChild } from '../state/child'
import { canMountTmpfs } from '../../support/tmpfs'

const API_KEY = 'sk-ant-api03-recovery-key-0123456789'
const MANY = 400

let project: SampleProject
let fake: FakeAnthropic
let engine: Orchestrator | null = null

beforeEach(async () => {
  project = createSampleProject()
  fake = await startFakeAnthropic()
})

afterEach(async () => {
  killStartedChildren()
  await engine?.stop()
  engine = null
  await fake.close()
  project.remove()
})

const env = () => ({
  ANTHROPIC_API_KEY: API_KEY,
  ANTHROPIC_BASE_URL: fake.baseURL,
  FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
})

function writeConfig(root: string) {
  writeFileSync(
    join(root, 'fixloop.config.json'),
    JSON.stringify({ flakyReruns: 0, maxRetries: 1, maxWaitSeconds: 1, verifyFullSuite: false }),
  )
}

/** A fix of add() that also touches MANY other files, so applying it takes a while. */
function bigFix() {
  const calls = [
    toolUse({ command: 'str_replace', path: 'src/math.js', old_str: 'a - b', new_str: 'a + b' }),
    ...Array.from({ length: MANY }, (_, i) =>
      toolUse({
        command: 'str_replace',
        path: `src/gen/f${i}.js`,
        old_str: `export const v${i} = 0`,
        new_str: `export const v${i} = 1`,
      }),
    ),
  ]
  fake.enqueue(planReply(), callTools(...calls), say('Fixed add() and bumped the constants.'))
}

function startEngine(root: string) {
  engine = new Orchestrator({ config: loadConfig({ dir: root, env: env() }), random: () => 0 })
  return engine
}

describe('kill -9 while a fix is being applied', () => {
  it('the next start puts back what was half written and holds the fix; Approve applies it', async () => {
    for (let i = 0; i < MANY; i++) project.write(`src/gen/f${i}.js`, `export const v${i} = 0\n`)
    writeConfig(project.root)
    bigFix()
    const child = startChild('../engine/engine-child.ts', [project.root], { env: env() })
    await child.waitFor((l) => l.type === 'ready')
    project.write('src/math.js', BROKEN_MATH)
    const broken = project.treeHash()
    const applying = (await child.waitFor((l) => l.type === 'task' && l.phase === 'apply', 60_000))
      .id as string
    // Kill once the whole fix is journalled and its first files are written, before all of them are.
    const journal = join(project.root, '.fixloop', 'journal', `${applying}.json`)
    const gen = Array.from({ length: MANY }, (_, i) => join(project.root, `src/gen/f${i}.js`))
    for (;;) {
      if (existsSync(journal) && gen.some((f) => readFileSync(f, 'utf8').includes('= 1'))) break
      await new Promise((r) => setImmediate(r))
    }
    child.proc.kill('SIGKILL')
    await child.exited
    const written = JSON.parse(readFileSync(journal, 'utf8')) as {
      status: string
      files: unknown[]
    }
    expect(written.status).toBe('open')
    expect(project.treeHash()).not.toBe(broken)
    expect(gen.some((f) => readFileSync(f, 'utf8').includes('= 0'))).toBe(true)

    const e = startEngine(project.root)
    await e.start()
    expect(project.treeHash()).toBe(broken)
    const held = e.getTask(applying) as Task
    expect(held.outcome).toBe('needs_review')
    expect(held.failureReason).toMatch(/stopped while applying this fix.*put back/)
    await e.approveTask(applying)
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
    expect(project.read(`src/gen/f${MANY - 1}.js`)).toContain('= 1')
  }, 120_000)
})

describe('a rollback that a full disk stopped', () => {
  it('is finished at the next start, whatever queue its task is in', async () => {
    // An apply's journal left open with one file written (as a failed rollback leaves it).
    const journal = await Journal.begin(project.root, 'task_halfdone')
    await journal.record({
      path: 'src/math.js',
      before: Buffer.from(GOOD_MATH),
      after: BROKEN_MATH,
    })
    project.write('src/math.js', BROKEN_MATH)
    writeConfig(project.root)
    const e = startEngine(project.root)
    await e.start()
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
    expect(await Journal.listOpen(project.root)).toEqual([])
  })
})

describe('a disk that fills up while a fix is applied', () => {
  let mount: string | null = null
  afterEach(() => {
    if (mount) execFileSync('umount', ['-l', mount], { stdio: 'ignore' })
    mount = null
  })

  it.skipIf(!canMountTmpfs)(
    '(a small tmpfs, as root) leaves the tree as it was; the next start holds the fix, Approve applies it',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'fixloop-full-'))
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', root])
      mount = root
      const write = (p: string, text: string) => {
        mkdirSync(join(root, p, '..'), { recursive: true })
        writeFileSync(join(root, p), text)
      }
      write('package.json', JSON.stringify({ type: 'module', scripts: { test: 'node --test' } }))
      write('src/math.js', GOOD_MATH)
      write('test/math.test.js', project.read('test/math.test.js'))
      writeConfig(root)
      // A large fix: its journal record (the new content, and its diff) cannot fit once full.
      const big = `// ${'x'.repeat(300_000)}\n`
      fake.enqueue(
        planReply(),
        callTools(toolUse({ command: 'create', path: 'src/math.js', file_text: big + GOOD_MATH })),
        say('Fixed.'),
      )
      const e = startEngine(root)
      await e.start()
      const hitTheWall = new Promise<void>((resolve) =>
        e.log.subscribe((entry) => {
          if (/ENOSPC/.test(entry.message)) resolve()
        }),
      )
      // The moment the apply begins (fix staged, phase stored), the disk fills up.
      e.on('task_updated', (t) => {
        if (t.phase !== 'apply') return
        const { bavail, bsize } = statfsSync(root)
        writeFileSync(join(root, 'filler.log'), Buffer.alloc(Math.max(0, bavail * bsize - 20_000)))
      })
      write('src/math.js', BROKEN_MATH)
      await hitTheWall
      await e.stop()
      engine = null
      expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toBe(BROKEN_MATH)

      rmSync(join(root, 'filler.log'))
      const again = startEngine(root)
      await again.start()
      expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toBe(BROKEN_MATH)
      const held = again.snapshot().queues.completed.find((t) => t.outcome === 'needs_review')
      expect(held?.failureReason).toMatch(/stopped (before|while) applying this fix/)
      await again.approveTask(held!.id)
      expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toBe(big + GOOD_MATH)
      await again.stop()
      engine = null
    },
    60_000,
  )
})
