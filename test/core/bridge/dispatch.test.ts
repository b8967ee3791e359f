import { tmpdir } from 'node:os'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { dispatchCommand } from '../../../src/main/core/bridge/dispatch'
import type { ControllerPort } from '../../../src/main/core/bridge/controller-port'
import { BridgeError, COMMAND_NAMES, commands } from '../../../src/shared'
import type { CommandHandlers, CommandName } from '../../../src/shared'
import { MemoryControllerPort, coded } from '../../e2e/web/support/memory-port'

/** A port whose one handler is replaced, to see how dispatch treats what it throws. */
function portWith<K extends CommandName>(name: K, handler: CommandHandlers[K]): ControllerPort {
  const base = new MemoryControllerPort()
  return { handlers: { ...base.handlers, [name]: handler }, on: base.on.bind(base) }
}

describe('dispatchCommand', () => {
  it('runs a valid command and returns its value', async () => {
    const port = new MemoryControllerPort()
    const outcome = await dispatchCommand(port, 'getTask', { id: 'task_cart_total' })
    expect(outcome.ok).toBe(true)
    expect(outcome.ok && (outcome.value as { id: string }).id).toBe('task_cart_total')
  })

  it('accepts missing arguments for a command that takes none', async () => {
    const outcome = await dispatchCommand(new MemoryControllerPort(), 'getSnapshot', undefined)
    expect(outcome.ok).toBe(true)
  })

  it('refuses an unknown command by name, without calling anything', async () => {
    const port = new MemoryControllerPort()
    for (const name of ['nope', 'constructor', '__proto__', 'toString', 42, null]) {
      const outcome = await dispatchCommand(port, name, {})
      expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
      expect(!outcome.ok && outcome.error.message).toMatch(/Unknown command/)
    }
    expect(port.calls).toEqual([])
  })

  it('refuses invalid arguments with a message naming the field', async () => {
    const port = new MemoryControllerPort()
    const outcome = await dispatchCommand(port, 'updateSettings', { patch: { maxRetries: -1 } })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
    expect(!outcome.ok && outcome.error.message).toMatch(/patch\.maxRetries: Too small/)
    const extra = await dispatchCommand(port, 'getTask', { id: 'task_x', sneaky: true })
    expect(!extra.ok && extra.error.message).toMatch(/sneaky/)
    expect(port.calls).toEqual([])
  })

  it('hands updateSettings only the settings the caller sent, not the defaults of the rest', async () => {
    const port = new MemoryControllerPort()
    const outcome = await dispatchCommand(port, 'updateSettings', { patch: { maxRetries: 3 } })
    expect(outcome.ok).toBe(true)
    expect(port.calls).toEqual([{ name: 'updateSettings', args: { patch: { maxRetries: 3 } } }])
  })

  it.each(['not_found', 'conflict', 'unavailable', 'forbidden', 'invalid_args'] as const)(
    'passes a %s error through with its message',
    async (code) => {
      const port = portWith('cancelTask', async () => {
        throw coded(code, 'Only a pending task can be cancelled.')
      })
      const outcome = await dispatchCommand(port, 'cancelTask', { id: 'task_a' })
      expect(outcome).toEqual({
        ok: false,
        error: { code, message: 'Only a pending task can be cancelled.' },
      })
    },
  )

  it('reports anything else as internal, hiding its message and telling the logger', async () => {
    const seen: unknown[] = []
    const port = portWith('getSnapshot', async () => {
      throw new Error('EACCES /home/me/.secret-key sk-ant-123')
    })
    const outcome = await dispatchCommand(
      port,
      'getSnapshot',
      {},
      {
        onInternalError: (_name, error) => seen.push(error),
      },
    )
    expect(outcome).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(!outcome.ok && outcome.error.message).not.toMatch(/secret|sk-ant/)
    expect(seen).toHaveLength(1)
  })

  it('survives handlers that throw non-errors, throw synchronously or whose logger throws', async () => {
    const weird: unknown[] = [
      'a string',
      null,
      undefined,
      42,
      { code: 'made_up' },
      Object.defineProperty({}, 'code', {
        get() {
          throw new Error('getter')
        },
      }),
    ]
    for (const thrown of weird) {
      const port = portWith('pause', (() => {
        throw thrown
      }) as CommandHandlers['pause'])
      const outcome = await dispatchCommand(
        port,
        'pause',
        {},
        {
          onInternalError: () => {
            throw new Error('logger down')
          },
        },
      )
      expect(outcome).toMatchObject({ ok: false, error: { code: 'internal' } })
    }
  })

  it('says unavailable when the port has no handler for the command', async () => {
    const base = new MemoryControllerPort()
    const handlers = { ...base.handlers } as Partial<CommandHandlers>
    delete handlers.resume
    const port = { handlers: handlers as CommandHandlers, on: base.on.bind(base) }
    const outcome = await dispatchCommand(port, 'resume', {})
    expect(outcome).toMatchObject({ ok: false, error: { code: 'unavailable' } })
  })

  it('turns a ZodError from updateSettings into invalid_args, but from elsewhere into internal', async () => {
    const zodError = z
      .object({ maxWaitSeconds: z.number().max(1) })
      .safeParse({ maxWaitSeconds: 9 }).error
    const settings = portWith('updateSettings', async () => {
      throw zodError
    })
    const refused = await dispatchCommand(settings, 'updateSettings', {
      patch: { maxWaitSeconds: 9 },
    })
    expect(!refused.ok && refused.error).toMatchObject({ code: 'invalid_args' })
    expect(!refused.ok && refused.error.message).toMatch(/maxWaitSeconds/)
    const other = portWith('getSnapshot', async () => {
      throw zodError
    })
    expect(await dispatchCommand(other, 'getSnapshot', {})).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    })
  })
})

const ids = ['task_cart_total', 'task_cart_test', 'task_discount', 'task_routes', 'task_nope', '']
const keys = [
  'id',
  'path',
  'file',
  'patch',
  'name',
  'value',
  'channel',
  'afterSeq',
  'limit',
  'level',
  'taskId',
  '__proto__',
  'constructor',
]
const settingsPatch = fc.record(
  {
    maxRetries: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.string()),
    model: fc.string({ maxLength: 30 }),
    autoFix: fc.oneof(fc.boolean(), fc.constant('yes')),
    debounceSeconds: fc.double({ noNaN: false }),
    budgets: fc.record({ dayUsd: fc.oneof(fc.nat(), fc.double()) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
)
const value = fc.oneof(
  fc.constantFrom(...ids),
  fc.constantFrom(
    '/tmp',
    '/no/such/dir',
    'src/pricing/discount.ts',
    'github',
    'log',
    'anthropicApiKey',
    'warn',
  ),
  fc.string({ maxLength: 300 }),
  fc.integer({ min: -3, max: 20_000 }),
  fc.constant(null),
  settingsPatch,
  fc.jsonValue({ maxDepth: 2 }),
)
const shaped = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 3 })
const byId = fc.record({ id: fc.constantFrom(...ids) })
/** Payloads of the right shape, so that every command is also exercised past validation. */
const wellFormed: Record<CommandName, fc.Arbitrary<unknown>> = {
  getSnapshot: fc.constant({}),
  getTask: byId,
  getLog: fc.record(
    {
      afterSeq: fc.integer({ min: -1, max: 50 }),
      limit: fc.integer({ min: 0, max: 20_000 }),
      level: fc.constantFrom('debug', 'info', 'warn', 'error', 'fatal'),
      taskId: fc.constantFrom(...ids),
    },
    { requiredKeys: [] },
  ),
  start: fc.constant({}),
  pause: fc.constant({}),
  resume: fc.constant({}),
  setProject: fc.record({ path: fc.constantFrom(tmpdir(), '/no/such/dir', '') }),
  chooseProjectFolder: fc.constant({}),
  retryTask: byId,
  cancelTask: byId,
  undoTask: byId,
  approveTask: byId,
  rejectTask: byId,
  resetBreaker: fc.record({ file: fc.constantFrom('src/pricing/discount.ts', 'x.ts', '') }),
  getSettings: fc.constant({}),
  updateSettings: fc.record({ patch: settingsPatch }),
  setSecret: fc.record({
    name: fc.constantFrom('anthropicApiKey', 'githubToken', 'slackWebhookUrl', 'nope'),
    value: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(null)),
  }),
  testEscalation: fc.record({ channel: fc.constantFrom('log', 'github', 'slack', 'pager') }),
  checkHealth: fc.constant({}),
}
const payloadFor = (name: CommandName) =>
  fc.oneof(
    { arbitrary: shaped, weight: 5 },
    { arbitrary: fc.anything({ maxDepth: 2 }), weight: 2 },
    { arbitrary: fc.constantFrom(undefined, null, {}, [], 'getTask', 0), weight: 1 },
    { arbitrary: wellFormed[name], weight: 2 },
  )

describe('dispatchCommand under random payloads', () => {
  it('refuses 1,000 random command names cleanly', async () => {
    const port = new MemoryControllerPort()
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.anything()),
        payloadFor('getSnapshot'),
        async (name, args) => {
          fc.pre(!(COMMAND_NAMES as readonly unknown[]).includes(name))
          const outcome = await dispatchCommand(port, name, args)
          expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
        },
      ),
      { numRuns: 1000 },
    )
    expect(port.calls).toEqual([])
  })

  it.each(COMMAND_NAMES)(
    '%s: 1,000 payloads are each either refused cleanly or handled with a valid result',
    async (name) => {
      const port = new MemoryControllerPort({ now: () => Date.parse('2025-06-01T12:00:00Z') })
      let handled = 0
      let refused = 0
      await fc.assert(
        fc.asyncProperty(payloadFor(name), async (args) => {
          const outcome = await dispatchCommand(port, name, args)
          if (outcome.ok) {
            handled++
            expect(commands[name].result.safeParse(outcome.value).success).toBe(true)
          } else {
            refused++
            expect(BridgeError.safeParse(outcome.error).success).toBe(true)
            expect(outcome.error.message.length).toBeGreaterThan(0)
            expect(outcome.error.code).not.toBe('internal')
          }
        }),
        { numRuns: 1000 },
      )
      expect(handled + refused).toBe(1000)
      expect(refused).toBeGreaterThan(0)
      expect(handled).toBeGreaterThan(0)
    },
  )
})
