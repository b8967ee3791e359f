import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CheckResult, Plan } from '../../../src/shared/domain'
import { createClaudeClient, type ClaudeClient } from '../../../src/main/core/claude/client'
import { ClaudeAuthError, pausesAutoFix } from '../../../src/main/core/claude/errors'
import { createSandboxedEditor } from '../../../src/main/core/fix/editor'
import type { EditorResult, EditorTool, EditorWrite } from '../../../src/main/core/fix/editor-types'
import {
  EDITOR_TOOL_NAME,
  runFixAttempt,
  type FixAttemptInput,
  type FixerOptions,
} from '../../../src/main/core/fix/fixer'
import { Journal } from '../../../src/main/core/fix/journal'
import { contentHash } from '../../../src/main/core/util/hash'
import {
  callTools,
  delayed,
  hang,
  message,
  say,
  startFakeAnthropic,
  text,
  toolUse,
  unauthorized,
  type FakeAnthropic,
  type LoggedMessageBody,
} from '../../support/fake-anthropic'
import { instantClock } from '../../support/fake-anthropic/instant-clock'

/**
 * A test double for the sandboxed editor (a collaborator with its own tests): view, create,
 * str_replace and insert on real files under a temp dir, with precise error results.
 */
class TempDirEditor implements EditorTool {
  private readonly done: EditorWrite[] = []
  readonly calls: unknown[] = []
  constructor(private readonly root: string) {}

  async execute(input: unknown): Promise<EditorResult> {
    this.calls.push(input)
    const { command, path, old_str, new_str, file_text, insert_line } = (input ?? {}) as Record<
      string,
      unknown
    >
    if (typeof path !== 'string' || path.includes('..') || path.startsWith('/')) {
      return { content: `Refused: ${String(path)} is outside the project.`, isError: true }
    }
    const abs = join(this.root, path)
    const current = await readFile(abs, 'utf8').catch(() => null)
    switch (command) {
      case 'view':
        return current === null
          ? { content: `No such file: ${path}`, isError: true }
          : { content: current, isError: false }
      case 'create':
        return this.write(path, abs, current, String(file_text))
      case 'str_replace': {
        if (current === null) return { content: `No such file: ${path}`, isError: true }
        const count = current.split(String(old_str)).length - 1
        if (count !== 1) {
          return {
            content: `old_str matches ${count} times in ${path}; it must match once.`,
            isError: true,
          }
        }
        return this.write(path, abs, current, current.replace(String(old_str), String(new_str)))
      }
      case 'insert': {
        if (current === null) return { content: `No such file: ${path}`, isError: true }
        const lines = current.split('\n')
        lines.splice(Number(insert_line), 0, String(new_str))
        return this.write(path, abs, current, lines.join('\n'))
      }
      default:
        return { content: `Unknown command: ${String(command)}`, isError: true }
    }
  }

  writes(): readonly EditorWrite[] {
    return this.done
  }

  private async write(path: string, abs: string, before: string | null, after: string) {
    await mkdir(dirname(abs), { recursive: true })
    await writeFile(abs, after)
    this.done.push({
      path,
      hashBefore: before === null ? null : contentHash(before),
      hashAfter: contentHash(after),
      contentBefore: before,
      contentAfter: after,
    })
    return { content: `Edited ${path}.`, isError: false }
  }
}

let api: FakeAnthropic
let root: string
let claude: ClaudeClient
let editor: TempDirEditor

const BROKEN = 'export function add(a: number, b: number) {\n  return a - b\n}\n'

beforeEach(async () => {
  api = await startFakeAnthropic()
  root = await mkdtemp(join(tmpdir(), 'fixloop-fixer-'))
  await mkdir(join(root, 'src'))
  await writeFile(join(root, 'src/math.ts'), BROKEN)
  claude = createClaudeClient({
    apiKey: 'sk-ant-test-key',
    baseURL: api.baseURL,
    clock: instantClock().clock,
    maxAttempts: 2,
  })
  editor = new TempDirEditor(root)
})
afterEach(async () => {
  await api.close()
  await rm(root, { recursive: true, force: true })
})

const failing: CheckResult = {
  name: 'related',
  command: ['npx', 'vitest', 'run', 'test/math.test.ts'],
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 700,
  output: 'FAIL test/math.test.ts > add\nAssertionError: expected -1 to be 3',
  failures: [],
}

const plan: Plan = {
  rootCause: 'add() subtracts.',
  files: ['src/math.ts'],
  steps: ['Use + in add().'],
  risk: 'low',
  testsLookWrong: false,
  source: 'claude',
}

const attempt = (overrides: Partial<FixAttemptInput> = {}): FixAttemptInput => ({
  files: ['src/math.ts'],
  checks: [failing],
  diff: null,
  sources: [{ path: 'src/math.ts', content: BROKEN }],
  plan,
  attempt: 1,
  maxAttempts: 3,
  feedback: [],
  ...overrides,
})

const run = (overrides: Partial<FixerOptions> = {}, input = attempt()) =>
  runFixAttempt(input, { client: claude, editor, ...overrides })

const view = (path = 'src/math.ts') => toolUse({ command: 'view', path })
const fix = (id?: string) =>
  toolUse(
    { command: 'str_replace', path: 'src/math.ts', old_str: 'a - b', new_str: 'a + b' },
    { id },
  )

/** The tool_result blocks of a logged request's last message. */
function toolResults(body: LoggedMessageBody | undefined) {
  const last = body?.messages.at(-1)?.content
  return (Array.isArray(last) ? last : []).filter((b) => b.type === 'tool_result') as Array<{
    tool_use_id: string
    content: string
    is_error?: boolean
  }>
}

describe('runFixAttempt', () => {
  it('carries out the tool calls through the editor until Claude ends its turn', async () => {
    api.enqueue(callTools(view()), callTools(fix()), say('Changed a - b to a + b in add().'))

    const result = await run()

    expect(result).toMatchObject({
      stopReason: 'end_turn',
      turns: 3,
      toolCalls: 2,
      summary: 'Changed a - b to a + b in add().',
    })
    expect(await readFile(join(root, 'src/math.ts'), 'utf8')).toContain('return a + b')
    expect(editor.writes()).toHaveLength(1)
    expect(result.usage.requests).toBe(3)
    const bodies = api.messageBodies()
    expect(toolResults(bodies[1])[0]?.content).toBe(BROKEN)
    expect(toolResults(bodies[2])[0]).toMatchObject({ content: 'Edited src/math.ts.' })
  })

  it('offers the text editor tool this SDK documents, and shows project-relative paths', async () => {
    api.enqueue(say('Nothing to do.'))

    await run()

    const [body] = api.messageBodies()
    expect(body?.tools).toEqual([
      { type: 'text_editor_20250728', name: EDITOR_TOOL_NAME, max_characters: 40_000 },
    ])
    const system = JSON.stringify(body?.system)
    expect(system).toContain('<file path=\\"src/math.ts\\">')
    expect(system).not.toContain(root)
  })

  it('runs several calls of one turn in order and answers them in the same order', async () => {
    api.enqueue(
      callTools(view(), toolUse({ command: 'view', path: 'src/missing.ts' }), fix()),
      say('Done.'),
    )

    await run()

    expect(editor.calls.map((c) => (c as { path: string }).path)).toEqual([
      'src/math.ts',
      'src/missing.ts',
      'src/math.ts',
    ])
    const [, second] = api.messageBodies()
    const assistant = second?.messages.at(-2)?.content as Array<{ type: string; id?: string }>
    const ids = assistant.filter((b) => b.type === 'tool_use').map((b) => b.id)
    expect(toolResults(second).map((r) => r.tool_use_id)).toEqual(ids)
    expect(toolResults(second).map((r) => r.is_error ?? false)).toEqual([false, true, false])
  })

  it('returns a refused call to Claude as an error result and keeps going', async () => {
    api.enqueue(
      callTools(
        toolUse({ command: 'str_replace', path: 'src/math.ts', old_str: 'nope', new_str: 'x' }),
      ),
      callTools(toolUse({ command: 'view', path: '../outside.txt' })),
      callTools(toolUse({ command: 'view', path: 'a' }, { name: 'bash' })),
      callTools(fix()),
      say('Fixed.'),
    )

    const result = await run()

    expect(result.stopReason).toBe('end_turn')
    const results = api
      .messageBodies()
      .slice(1, 4)
      .map((b) => toolResults(b)[0])
    expect(results.map((r) => r?.is_error)).toEqual([true, true, true])
    expect(results[0]?.content).toContain('matches 0 times')
    expect(results[1]?.content).toContain('outside the project')
    expect(results[2]?.content).toContain('Unknown tool "bash"')
    expect(await readFile(join(root, 'src/math.ts'), 'utf8')).toContain('a + b')
  })

  it('answers with an error result when the editor throws, instead of failing the attempt', async () => {
    const throwing: EditorTool = {
      execute: async () => {
        throw new Error('disk on fire')
      },
      writes: () => [],
    }
    api.enqueue(callTools(view()), say('Gave up.'))

    const result = await run({ editor: throwing })

    expect(result.stopReason).toBe('end_turn')
    expect(toolResults(api.messageBodies()[1])[0]).toMatchObject({
      is_error: true,
      content: 'The editor failed: disk on fire',
    })
  })

  it('stops at the turn limit', async () => {
    api.respondWith(() => callTools(view()))

    const result = await run({ maxTurns: 3 })

    expect(result).toMatchObject({ stopReason: 'max_turns', turns: 3, toolCalls: 3 })
    expect(api.messageRequests()).toHaveLength(3)
  })

  it('stops at the token cap of the attempt', async () => {
    api.respondWith(() => message([view()], { usage: { input_tokens: 4000, output_tokens: 1000 } }))

    const result = await run({ maxTokens: 12_000 })

    expect(result.stopReason).toBe('max_tokens')
    expect(result.turns).toBe(3)
    expect(result.detail).toContain('of 12000 tokens')
  })

  it('stops before the next request when onUsage says the budget is spent', async () => {
    api.respondWith(() => callTools(view()))
    const seen: number[] = []

    const result = await run({
      onUsage: (request, total) => {
        seen.push(total.requests)
        return total.requests >= 2 ? { stop: 'task budget of $2.00 reached' } : 'continue'
      },
    })

    expect(result).toMatchObject({ stopReason: 'budget', detail: 'task budget of $2.00 reached' })
    expect(seen).toEqual([1, 2])
    expect(api.messageRequests()).toHaveLength(2)
    expect(result.toolCalls).toBe(2) // the paid-for calls of the last reply were still carried out
  })

  it('honours an abort while waiting for Claude', async () => {
    api.enqueue(callTools(view()), hang())
    const controller = new AbortController()

    const pending = run({
      signal: controller.signal,
      onToolCall: () => setTimeout(() => controller.abort(), 30),
    })
    const result = await pending

    expect(result.stopReason).toBe('aborted')
    expect(result.turns).toBe(1)
  })

  it('makes no request when aborted before it starts', async () => {
    const controller = new AbortController()
    controller.abort()

    const result = await run({ signal: controller.signal })

    expect(result.stopReason).toBe('aborted')
    expect(api.requests).toHaveLength(0)
  })

  it('ends with the typed error when the API rejects the key', async () => {
    api.enqueue(callTools(view()), unauthorized())

    const result = await run()

    expect(result.stopReason).toBe('error')
    expect(result.error).toBeInstanceOf(ClaudeAuthError)
    expect(pausesAutoFix(result.error)).toBe(true)
    expect(result.usage.requests).toBe(1)
  })

  it('feeds the previous attempts’ failures into the next attempt', async () => {
    api.enqueue(say('Tried again.'))
    const stillFailing = { ...failing, output: 'AssertionError: expected 2 to be 3 (attempt 1)' }

    await run(
      {},
      attempt({
        attempt: 2,
        feedback: [{ attempt: 1, checks: [stillFailing], edited: ['src/math.ts'] }],
      }),
    )

    const first = JSON.stringify(api.messageBodies()[0]?.messages[0])
    expect(first).toContain('This is attempt 2 of 3')
    expect(first).toContain('Attempt 1 did not fix it')
    expect(first).toContain('It edited: src/math.ts')
    expect(first).toContain('expected 2 to be 3 (attempt 1)')
  })

  it('marks the stable prefix for caching so a later attempt reads it from the cache', async () => {
    api.enqueue(callTools(view()), say('one'), say('two'))

    const first = await run()
    const second = await run(
      {},
      attempt({ attempt: 2, feedback: [{ attempt: 1, checks: [failing] }] }),
    )

    for (const body of api.messageBodies()) {
      const system = body.system as Array<{ cache_control?: unknown }>
      expect(system.map((b) => b.cache_control)).toEqual([
        { type: 'ephemeral' },
        { type: 'ephemeral' },
      ])
      expect(JSON.stringify(body).match(/cache_control/g)?.length).toBe(3)
      const lastBlock = (body.messages.at(-1)?.content as Array<{ cache_control?: unknown }>).at(-1)
      expect(lastBlock?.cache_control).toEqual({ type: 'ephemeral' })
    }
    // The fake API simulates the cache from these markers: attempt 1's first request writes the
    // prefix, its second turn and attempt 2 read it back.
    expect(first.usage.cacheReadInputTokens).toBeGreaterThan(0)
    expect(second.usage.cacheReadInputTokens).toBeGreaterThan(second.usage.cacheCreationInputTokens)
  })

  it('continues after a reply cut off by max_tokens and after a paused turn', async () => {
    api.enqueue(
      message([text('Let me think about')], { stopReason: 'max_tokens' }),
      message([text('Working…')], { stopReason: 'pause_turn' }),
      delayed(1, say('Done.')),
    )

    const result = await run()

    expect(result).toMatchObject({ stopReason: 'end_turn', turns: 3 })
    const third = api.messageBodies()[2]
    expect(third?.messages.at(-1)?.role).toBe('assistant')
  })

  it('sends thinking blocks back unchanged with the tool results', async () => {
    const thinking = { type: 'thinking' as const, thinking: 'add() uses -', signature: 'sig-123' }
    api.enqueue(message([thinking, fix()], { stopReason: 'tool_use' }), say('Done.'))

    await run()

    const assistant = api.messageBodies()[1]?.messages.at(-2)
    expect(assistant?.role).toBe('assistant')
    expect((assistant?.content as unknown[])[0]).toEqual(thinking)
  })

  it('reports a refusal', async () => {
    api.enqueue(message([text('I cannot help with that.')], { stopReason: 'refusal' }))

    const result = await run()

    expect(result).toMatchObject({ stopReason: 'refusal', detail: 'I cannot help with that.' })
  })

  it('applies the fix for real through the sandboxed editor, refusing protected paths, and rolls back', async () => {
    await mkdir(join(root, '.git'))
    await writeFile(join(root, '.git/config'), '[core]\n')
    const journal = await Journal.open(root, 'task_fixer_it')
    const sandboxed = createSandboxedEditor({ root, journal })
    api.enqueue(
      callTools(toolUse({ command: 'create', path: '.git/config', file_text: 'pwned' })),
      callTools(fix()),
      say('Fixed add().'),
    )

    const result = await run({ editor: sandboxed })

    expect(result.stopReason).toBe('end_turn')
    const refused = toolResults(api.messageBodies()[1])[0]
    expect(refused?.is_error).toBe(true)
    expect(await readFile(join(root, '.git/config'), 'utf8')).toBe('[core]\n')
    expect(await readFile(join(root, 'src/math.ts'), 'utf8')).toContain('return a + b')
    expect(sandboxed.writes().map((w) => w.path)).toEqual(['src/math.ts'])

    const report = await journal.rollback()
    expect(report.ok).toBe(true)
    expect(await readFile(join(root, 'src/math.ts'), 'utf8')).toBe(BROKEN)
  })
})
