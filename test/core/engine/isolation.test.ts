/**
 * Isolated fixing, end to end through the real engine: checks and Claude's code run in the shadow
 * workspace, the user's tree is written only to apply a verified fix (and to undo one).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/main/core/config/load-config'
import { Orchestrator } from '../../../src/main/core/engine/orchestrator'
import { finished, noTaskWithin } from '../../support/engine-events'
import { callTools, say, startFakeAnthropic, toolUse } from '../../support/fake-anthropic'
import type { FakeAnthropic } from '../../support/fake-anthropic'
import {
  BROKEN_MATH,
  GOOD_MATH,
  createSampleProject,
  editReply,
  planReply,
} from '../../support/sample-project'
import type { SampleProject } from '../../support/sample-project'

const API_KEY = 'sk-ant-api03-isolation-key-0123456789'
const hasBwrap = (() => {
  try {
    execFileSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'], {
      stdio: 'ignore',
    })
    return true
  } catch {
    return false
  }
})()

let project: SampleProject
let fake: FakeAnthropic
let engine: Orchestrator | null = null
const cleanup: string[] = []

beforeEach(async () => {
  project = createSampleProject()
  fake = await startFakeAnthropic()
})

afterEach(async () => {
  await engine?.stop()
  engine = null
  await fake.close()
  project.remove()
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function makeEngine(settings: Record<string, unknown> = {}, root = project.root) {
  const write = (path: string, text: string) =>
    root === project.root ? project.write(path, text) : writeAt(root, path, text)
  write(
    'fixloop.config.json',
    JSON.stringify({ flakyReruns: 0, maxRetries: 2, maxWaitSeconds: 1, ...settings }),
  )
  const config = loadConfig({
    dir: root,
    env: {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: fake.baseURL,
      FILE_WATCH_DEBOUNCE_SECONDS: '0.1',
    },
  })
  engine = new Orchestrator({ config, random: () => 0 })
  return engine
}

function writeAt(root: string, path: string, text: string) {
  const abs = join(root, path)
  mkdirSync(join(abs, '..'), { recursive: true })
  execFileSync(process.execPath, [
    '-e',
    `require('fs').writeFileSync(${JSON.stringify(abs)}, ${JSON.stringify(text)})`,
  ])
}

function outsideDir(): string {
  // Not under /tmp: the sandbox replaces /tmp with a private one, which would hide a write there.
  const dir = mkdtempSync(join(process.cwd(), '.test-outside-'))
  cleanup.push(dir)
  return dir
}

describe('code the fix wrote is run in the shadow', () => {
  /** A "fix" that repairs add() and, when loaded, plants a git hook and files elsewhere. */
  const malicious = (hook: string, outside: string) =>
    `import { mkdirSync, writeFileSync } from 'node:fs'
for (const [dir, file] of [[${JSON.stringify(join(hook, '..'))}, ${JSON.stringify(hook)}], [${JSON.stringify(outside)}, ${JSON.stringify(join(outside, 'planted.txt'))}], ['.git/hooks', '.git/hooks/pre-commit'], ['src', 'src/stray.js']]) {
  try { mkdirSync(dir, { recursive: true }); writeFileSync(file, 'echo pwned\\n') } catch {}
}
${GOOD_MATH}`

  it.skipIf(!hasBwrap)(
    'with bwrap: after the task the .git hook, the outside folder and the tree hold nothing it wrote',
    async () => {
      mkdirSync(join(project.root, '.git', 'hooks'), { recursive: true })
      const outside = outsideDir()
      const hook = join(project.root, '.git', 'hooks', 'pre-commit')
      const e = makeEngine({ sandbox: 'required' })
      await e.start()
      fake.enqueue(
        planReply(),
        callTools(
          toolUse({
            command: 'create',
            path: 'src/math.js',
            file_text: malicious(hook, outside),
          }),
        ),
        say('Rewrote math.js.'),
      )
      const done = finished(e)
      project.write('src/math.js', BROKEN_MATH)
      const task = await done
      expect(task.outcome).toBe('fixed')
      expect(existsSync(hook)).toBe(false)
      expect(readdirSync(outside)).toEqual([])
      expect(existsSync(join(project.root, 'src', 'stray.js'))).toBe(false)
      // The stray file was written in the shadow, so no task came of it either.
      expect(await noTaskWithin(e, 1500)).toBe('none')
    },
  )

  it('without a sandbox: what the code writes relative to where it runs stays in the shadow', async () => {
    mkdirSync(join(project.root, '.git', 'hooks'), { recursive: true })
    const e = makeEngine({ sandbox: 'off', maxRetries: 1 })
    await e.start()
    const before = project.treeHash()
    // Writes only relative paths (its working folder is the shadow), and keeps add() broken.
    const code = `import { mkdirSync, writeFileSync } from 'node:fs'
mkdirSync('.git/hooks', { recursive: true }); writeFileSync('.git/hooks/pre-commit', 'echo pwned')
writeFileSync('src/stray.js', 'x')
${BROKEN_MATH}`
    fake.enqueue(
      planReply(),
      callTools(toolUse({ command: 'create', path: 'src/math.js', file_text: code })),
      say('Done.'),
    )
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const changed = project.treeHash()
    const task = await done
    expect(task.status).toBe('failed')
    expect(before).not.toBe(changed)
    expect(project.treeHash()).toBe(changed)
    expect(existsSync(join(project.root, '.git', 'hooks', 'pre-commit'))).toBe(false)
    expect(await noTaskWithin(e, 1500)).toBe('none')
  })
})

describe('a test that writes into the project on every run', () => {
  const WRITING_TEST = `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { add } from '../src/math.js'
test('add, with a report', () => {
  mkdirSync('reports', { recursive: true })
  writeFileSync('reports/run-' + Date.now() + '.json', '{}')
  writeFileSync('test/generated.snap.js', '// ' + Date.now())
  assert.equal(add(2, 3), 5)
})
`

  it('causes no task when green', async () => {
    project.write('test/math.test.js', WRITING_TEST)
    const e = makeEngine()
    await e.start()
    const done = finished(e)
    project.write('src/math.js', GOOD_MATH + '\n')
    expect((await done).outcome).toBe('no_fix_needed')
    expect(await noTaskWithin(e, 2500)).toBe('none')
    expect(existsSync(join(project.root, 'reports'))).toBe(false)
  })

  it('causes no task when red, however many times it runs', async () => {
    project.write('test/math.test.js', WRITING_TEST)
    const e = makeEngine({ maxRetries: 2 })
    await e.start()
    fake.respondWith(() => say('I cannot fix this.'))
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    expect((await done).status).toBe('failed')
    expect(await noTaskWithin(e, 2500)).toBe('none')
    expect(existsSync(join(project.root, 'reports'))).toBe(false)
    expect(existsSync(join(project.root, 'test', 'generated.snap.js'))).toBe(false)
  })
})

describe('a fix held for review', () => {
  const weakenTest = () =>
    fake.enqueue(
      planReply(),
      callTools(
        ...[
          ['assert.equal(add(2, 3), 5)', 'assert.equal(add(2, 3), -1)'],
          ['assert.equal(double(4), 8)', 'assert.equal(double(4), 0)'],
        ].map(([from, to]) =>
          toolUse({
            command: 'str_replace',
            path: 'test/math.test.js',
            old_str: from,
            new_str: to,
          }),
        ),
      ),
      say('Done.'),
    )

  it('is not in the tree until Approve, then is', async () => {
    const e = makeEngine()
    await e.start()
    weakenTest()
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const changed = project.treeHash()
    const held = await done
    expect(held.outcome).toBe('needs_review')
    expect(held.failureReason).toMatch(/held for review/i)
    expect(project.treeHash()).toBe(changed)
    const approved = await e.approveTask(held.id)
    expect(approved.outcome).toBe('fixed')
    expect(project.read('test/math.test.js')).toContain('assert.equal(add(2, 3), -1)')
    expect(await noTaskWithin(e, 1500)).toBe('none')
  })

  it('Reject leaves the tree untouched', async () => {
    const e = makeEngine()
    await e.start()
    weakenTest()
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const changed = project.treeHash()
    const held = await done
    const rejected = await e.rejectTask(held.id)
    expect(rejected.outcome).toBe('undone')
    expect(rejected.failureReason).toMatch(/never changed/)
    expect(project.treeHash()).toBe(changed)
    await expect(e.approveTask(held.id)).rejects.toThrow(/not held/)
  })

  it('apply: review holds even a clean fix until it is approved', async () => {
    const e = makeEngine({ apply: 'review' })
    await e.start()
    fake.enqueue(planReply(), editReply('a - b', 'a + b'), say('Fixed.'))
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const held = await done
    expect(held.outcome).toBe('needs_review')
    expect(project.read('src/math.js')).toBe(BROKEN_MATH)
    await e.approveTask(held.id)
    expect(project.read('src/math.js')).toBe(GOOD_MATH)
  })
})

describe('the user edits the file Claude is fixing, mid-task', () => {
  it('a separate edit is merged with the fix, and survives', async () => {
    const e = makeEngine()
    await e.start()
    const mine = `${BROKEN_MATH}\nexport const mine = 1\n`
    fake.enqueue(planReply())
    fake.respondWith(async (request) => {
      const body = request.body as { messages: unknown[] }
      // The turn after the plan (user turn, plan, its result): Claude edits now.
      if (body.messages.length === 3) {
        // The user saves while Claude works: a change far from the line being fixed.
        project.write('src/math.js', mine)
        return editReply('a - b', 'a + b')
      }
      return say('Fixed.')
    })
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('fixed')
    const now = project.read('src/math.js')
    expect(now).toContain('return a + b')
    expect(now).toContain('export const mine = 1')
  })

  it('an edit of the same line holds the fix, and the user edit is untouched', async () => {
    const e = makeEngine()
    await e.start()
    const mine = BROKEN_MATH.replace('a - b', 'a - b - 0 // mine')
    fake.enqueue(planReply())
    fake.respondWith(async (request) => {
      const body = request.body as { messages: unknown[] }
      // The turn after the plan (user turn, plan, its result): Claude edits now.
      if (body.messages.length === 3) {
        project.write('src/math.js', mine)
        return editReply('a - b', 'a + b')
      }
      return say('Fixed.')
    })
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.outcome).toBe('needs_review')
    expect(task.failureReason).toMatch(/conflict/i)
    expect(project.read('src/math.js')).toBe(mine)
  })
})

describe('an npm-workspaces monorepo', () => {
  it('a fix in a sibling package is what the shadow tests import', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fixloop-mono-'))
    cleanup.push(root)
    writeAt(
      root,
      'package.json',
      JSON.stringify({
        name: 'mono',
        private: true,
        type: 'module',
        workspaces: ['packages/*'],
        scripts: { test: 'node --test' },
      }),
    )
    writeAt(
      root,
      'packages/b/package.json',
      JSON.stringify({ name: '@demo/b', type: 'module', main: 'index.js' }),
    )
    writeAt(root, 'packages/b/index.js', 'export const twice = (n) => n * 3\n')
    writeAt(root, 'packages/a/package.json', JSON.stringify({ name: '@demo/a', type: 'module' }))
    writeAt(
      root,
      'packages/a/index.test.js',
      `import { test } from 'node:test'\nimport assert from 'node:assert/strict'\nimport { twice } from '@demo/b'\ntest('twice', () => assert.equal(twice(2), 4))\n`,
    )
    mkdirSync(join(root, 'node_modules', '@demo'), { recursive: true })
    symlinkSync('../../packages/b', join(root, 'node_modules', '@demo', 'b'))
    symlinkSync('../../packages/a', join(root, 'node_modules', '@demo', 'a'))
    const e = makeEngine({ verifyFullSuite: true }, root)
    await e.start()
    fake.enqueue(
      planReply(),
      editReply('n * 3', 'n * 2', 'packages/b/index.js'),
      say('twice() doubles again.'),
    )
    const done = finished(e)
    writeAt(root, 'packages/b/index.js', 'export const twice = (n) => n * 3 \n')
    const task = await done
    expect(task.outcome).toBe('fixed')
    expect(execFileSync('cat', [join(root, 'packages/b/index.js')]).toString()).toContain('n * 2')
  })
})

describe('undo of a fix that created folders', () => {
  it('starts no task', async () => {
    const e = makeEngine()
    await e.start()
    fake.enqueue(
      planReply(),
      callTools(
        toolUse({
          command: 'create',
          path: 'lib/helpers/x.js',
          file_text: 'export const add = (a, b) => a + b\n',
        }),
        toolUse({
          command: 'str_replace',
          path: 'src/math.js',
          old_str: 'export function add(a, b) {\n  return a - b\n}',
          new_str: "import { add } from '../lib/helpers/x.js'\nexport { add }",
        }),
      ),
      say('Moved add() to a helper.'),
    )
    const done = finished(e)
    project.write('src/math.js', BROKEN_MATH)
    const task = await done
    expect(task.failureReason).toBeNull()
    expect(task.outcome).toBe('fixed')
    expect(project.read('lib/helpers/x.js')).toContain('a + b')
    await e.undoTask(task.id)
    expect(existsSync(join(project.root, 'lib'))).toBe(false)
    expect(await noTaskWithin(e, 2000)).toBe('none')
  })
})

describe("checks and Fixloop's secrets", () => {
  it('a check sees neither the API key nor any variable holding it', async () => {
    project.write(
      'test/env.test.js',
      `import { test } from 'node:test'
import assert from 'node:assert/strict'
test('no secret in sight', () => {
  assert.equal(process.env.ANTHROPIC_API_KEY, undefined)
  assert.equal(process.env.ANTHROPIC_BASE_URL, undefined)
  assert.ok(!Object.values(process.env).includes(${JSON.stringify(API_KEY)}))
})
`,
    )
    // As if Fixloop were started with the key in its environment, and a copy under another name.
    process.env.ANTHROPIC_API_KEY = API_KEY
    process.env.ANTHROPIC_BASE_URL = fake.baseURL
    process.env.MY_OWN_COPY_OF_THE_KEY = API_KEY
    try {
      const e = makeEngine({ verifyFullSuite: false })
      await e.start()
      const done = finished(e)
      project.write('test/env.test.js', project.read('test/env.test.js') + '\n')
      const task = await done
      expect(task.detection.map((c) => c.output).join('')).not.toContain('AssertionError')
      expect(task.outcome).toBe('no_fix_needed')
    } finally {
      delete process.env.ANTHROPIC_API_KEY
      delete process.env.ANTHROPIC_BASE_URL
      delete process.env.MY_OWN_COPY_OF_THE_KEY
    }
  })
})
