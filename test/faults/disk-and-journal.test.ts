/**
 * Fault injection the other suites do not cover: a disk that is full when the state is written or
 * when a fix is undone (a small tmpfs, as root; skipped with the reason otherwise), and an undo
 * journal truncated or deleted after a kill. The promise each time: no crash, nothing lost or half
 * written, a clear message, and the work goes on once the fault is gone.
 */
import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { engineFor, useEngineHarness } from '../support/engine-harness'
import { finished } from '../support/engine-events'
import {
  BROKEN_MATH,
  GOOD_MATH,
  editReply,
  finishReply,
  planReply,
} from '../support/sample-project'
import { canMountTmpfs } from '../support/tmpfs'

const h = useEngineHarness()

const NO_MOUNT = 'needs root on Linux to mount a small tmpfs'

let mount: string | null = null
afterEach(() => {
  if (mount) execFileSync('umount', ['-l', mount], { stdio: 'ignore' })
  mount = null
})

const engineOn = (root: string) => engineFor(h, { maxRetries: 1, verifyFullSuite: false }, root)

/** A sample project on its own small tmpfs. */
function projectOnTmpfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'fixloop-fault-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', root])
  mount = root
  mkdirSync(join(root, 'src'))
  mkdirSync(join(root, 'test'))
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ type: 'module', scripts: { test: 'node --test' } }),
  )
  writeFileSync(join(root, 'src/math.js'), GOOD_MATH)
  writeFileSync(join(root, 'test/math.test.js'), h.project.read('test/math.test.js'))
  return root
}

/** Fills the file system of `root` (in .fixloop, which is never watched nor copied). */
function fill(root: string): string {
  const filler = join(root, '.fixloop', 'filler.bin')
  const { bavail, bsize } = statfsSync(root)
  writeFileSync(filler, Buffer.alloc(bavail * bsize))
  return filler
}

describe('a full disk', () => {
  it.skipIf(!canMountTmpfs)(
    `when the state is written: the write is refused, said, and nothing is lost (${canMountTmpfs ? 'tmpfs' : NO_MOUNT})`,
    async () => {
      const root = projectOnTmpfs()
      const e = engineOn(root)
      await e.start()
      const before = readFileSync(join(root, '.fixloop/state.json'), 'utf8')
      const filler = fill(root)
      const failedWrite = new Promise<string>((resolve) =>
        e.log.subscribe((entry) => {
          if (/ENOSPC|no space/i.test(entry.message)) resolve(entry.message)
        }),
      )
      writeFileSync(join(root, 'src/math.js'), `${GOOD_MATH}// x\n`)
      await failedWrite
      // The file on disk is the last good state, whole: never a truncated one. (Only the
      // heartbeat may have moved: it is overwritten in place, which needs no free block.)
      const heartbeatless = (text: string) => {
        const state = JSON.parse(text)
        delete state.processes.orchestrator.last_heartbeat
        return state
      }
      expect(heartbeatless(readFileSync(join(root, '.fixloop/state.json'), 'utf8'))).toEqual(
        heartbeatless(before),
      )
      expect(e.status).not.toBe('stopped')
      const health = await e.checkHealth()
      expect(health.checks.find((c) => c.name === 'state')?.ok).toBe(false)
      // Room again: the next change is handled and saved.
      rmSync(filler)
      const done = finished(e)
      writeFileSync(join(root, 'src/math.js'), `${GOOD_MATH}// y\n`)
      expect((await done).outcome).toBe('no_fix_needed')
      const saved = JSON.parse(readFileSync(join(root, '.fixloop/state.json'), 'utf8'))
      expect(saved.queues.completed.length).toBeGreaterThanOrEqual(1)
    },
  )

  it.skipIf(!canMountTmpfs)(
    `when a fix is undone: the undo is refused, the tree is as it was, and it works once there is room (${canMountTmpfs ? 'tmpfs' : NO_MOUNT})`,
    async () => {
      const root = projectOnTmpfs()
      const e = engineOn(root)
      await e.start()
      h.fake.enqueue(planReply(), editReply('a - b', 'a + b'), finishReply())
      const done = finished(e)
      writeFileSync(join(root, 'src/math.js'), BROKEN_MATH)
      const task = await done
      expect(task.outcome).toBe('fixed')
      expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toBe(GOOD_MATH)
      const filler = fill(root)
      await expect(e.undoTask(task.id)).rejects.toThrow(/ENOSPC|no space|full/i)
      expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toBe(GOOD_MATH)
      rmSync(filler)
      await e.undoTask(task.id)
      expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toBe(BROKEN_MATH)
    },
  )
})

describe('an undo journal damaged after a kill', () => {
  async function fixedTask() {
    const e = engineOn(h.project.root)
    await e.start()
    h.fake.enqueue(planReply(), editReply('a - b', 'a + b'), finishReply())
    const done = finished(e)
    h.project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('fixed')
    await e.stop()
    h.engine = null
    const dir = join(h.project.root, '.fixloop/journal')
    const file = readdirSync(dir).find((n) => n.includes(task.id))
    expect(file).toBeDefined()
    return { task, journal: join(dir, file!) }
  }

  it('truncated: the engine starts, the undo is refused saying why, the tree untouched', async () => {
    const { task, journal } = await fixedTask()
    const text = readFileSync(journal, 'utf8')
    writeFileSync(journal, text.slice(0, Math.floor(text.length / 2)))
    const e = engineOn(h.project.root)
    await e.start()
    expect(e.status).toBe('running')
    await expect(e.undoTask(task.id)).rejects.toThrow(
      /cannot be undone: the journal .* is unreadable/,
    )
    expect(h.project.read('src/math.js')).toBe(GOOD_MATH)
    // The next change still runs.
    const done = finished(e)
    h.project.write('src/math.js', `${GOOD_MATH}// after\n`)
    expect((await done).outcome).toBe('no_fix_needed')
  })

  it('deleted: the undo is refused saying there is nothing to undo with, the tree untouched', async () => {
    const { task, journal } = await fixedTask()
    rmSync(journal)
    const e = engineOn(h.project.root)
    await e.start()
    await expect(e.undoTask(task.id)).rejects.toThrow(
      /cannot be undone: its undo journal .* is gone\. Your files were not changed/,
    )
    expect(h.project.read('src/math.js')).toBe(GOOD_MATH)
  })
})
