/**
 * The IPC layer without Electron: the sender check, the handlers over a real Controller (fuzzed with
 * random payloads from trusted and foreign senders), and event forwarding.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMAND_NAMES, EVENT_NAMES, ipcChannel } from '../../src/shared/channels'
import type { CommandName } from '../../src/shared/channels'
import { BridgeError, commands } from '../../src/shared/contract'
import type { CommandHandlers, CommandOutcome } from '../../src/shared/contract'
import type { ControllerPort } from '../../src/main/core/bridge/controller-port'
import { Controller } from '../../src/main/core/engine/controller'
import { EngineError } from '../../src/main/core/engine/engine-error'
import type { FrameLike, SenderLike, TrustedWindow } from '../../src/main/app/ipc-logic'
import {
  FORBIDDEN,
  commandHandlers,
  createCommandHandler,
  forwardEvents,
  isTrustedSender,
} from '../../src/main/app/ipc-logic'
import { isRendererUrl } from '../../src/main/app/security-logic'
import { createSampleProject } from '../support/sample-project'
import type { SampleProject } from '../support/sample-project'

const webContents = { id: 1 }
const mainFrame: FrameLike = { url: 'app://fixloop/index.html#/queue', processId: 7, routingId: 3 }
const ourWindow: TrustedWindow = { webContents, mainFrame }
const ours = (url: string) => isRendererUrl(url)
const trustedEvent: SenderLike = { sender: webContents, senderFrame: { ...mainFrame } }

describe('isTrustedSender', () => {
  it('accepts the main frame of our window showing our renderer', () => {
    expect(isTrustedSender(trustedEvent, ourWindow, ours)).toBe(true)
  })

  it.each<[string, SenderLike, TrustedWindow | null]>([
    ['no window', trustedEvent, null],
    ['a window without a main frame', trustedEvent, { webContents, mainFrame: null }],
    ['a gone frame', { sender: webContents, senderFrame: null }, ourWindow],
    ['another webContents', { sender: { id: 2 }, senderFrame: { ...mainFrame } }, ourWindow],
    ['a subframe', { sender: webContents, senderFrame: { ...mainFrame, routingId: 4 } }, ourWindow],
    [
      'another process',
      { sender: webContents, senderFrame: { ...mainFrame, processId: 8 } },
      ourWindow,
    ],
    [
      'a foreign page in our frame',
      { sender: webContents, senderFrame: { ...mainFrame, url: 'https://evil.example/' } },
      ourWindow,
    ],
    [
      'a file: page in our frame',
      { sender: webContents, senderFrame: { ...mainFrame, url: 'file:///tmp/x.html' } },
      ourWindow,
    ],
  ])('refuses %s', (_what, event, window) => {
    expect(isTrustedSender(event, window, ours)).toBe(false)
  })
})

/** Counts the calls that reach the engine's handlers (wrapping, not replacing, the real port). */
function counting(port: ControllerPort): { port: ControllerPort; calls: CommandName[] } {
  const calls: CommandName[] = []
  const handlers = Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      (args: never) => {
        calls.push(name)
        return (port.handlers[name] as (a: never) => Promise<unknown>)(args)
      },
    ]),
  ) as unknown as CommandHandlers
  return { port: { handlers, on: (e, l) => port.on(e, l) }, calls }
}

/** A controller with no project whose engine factory refuses: nothing touches the disk. */
function idleController(): Controller {
  return new Controller({
    createEngine: () => {
      throw new EngineError('unavailable', 'not in this test')
    },
  })
}

const outcomeShape = (o: CommandOutcome<CommandName>) =>
  o.ok === true || (o.ok === false && BridgeError.safeParse(o.error).success)

/** Payloads of every shape: junk, and objects that look like each command's arguments. */
const payload = (name: CommandName) =>
  fc.oneof(
    fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
    }),
    fc.constant(undefined),
    fc.constant({}),
    fc.record(
      {
        id: fc.oneof(fc.string(), fc.constantFrom('task_abc', '', 'x'.repeat(300)), fc.integer()),
        path: fc.oneof(fc.string(), fc.constant('')),
        file: fc.string(),
        name: fc.oneof(fc.constantFrom('anthropicApiKey', 'githubToken', 'nope'), fc.string()),
        value: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
        channel: fc.oneof(fc.constantFrom('log', 'desktop', 'github', 'fax'), fc.string()),
        patch: fc.oneof(
          fc.record({ maxRetries: fc.integer({ min: -5, max: 30 }) }, { requiredKeys: [] }),
          fc.dictionary(fc.string(), fc.anything()),
        ),
        afterSeq: fc.oneof(fc.integer(), fc.double()),
        limit: fc.integer(),
        level: fc.constantFrom('debug', 'info', 'warn', 'error', 'loud'),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    ),
    fc.constant(name),
  )

describe('command handlers', () => {
  it('registers one handler per contract command, on the contract channel', () => {
    const map = commandHandlers({ port: idleController(), trusted: () => true })
    expect([...map.keys()].sort()).toEqual(COMMAND_NAMES.map((n) => ipcChannel.command(n)).sort())
  })

  it('refuses a foreign sender before anything reaches the engine', async () => {
    const { port, calls } = counting(idleController())
    const refused: CommandName[] = []
    const handler = createCommandHandler<SenderLike>('pause', {
      port,
      trusted: (e) => isTrustedSender(e, ourWindow, ours),
      onRefused: (name) => refused.push(name),
    })
    const foreign = { sender: { id: 99 }, senderFrame: { ...mainFrame } }
    expect(await handler(foreign, {})).toEqual(FORBIDDEN)
    expect(calls).toEqual([])
    expect(refused).toEqual(['pause'])
  })

  it('treats a throwing sender check as a refusal', async () => {
    const handler = createCommandHandler('getSnapshot', {
      port: idleController(),
      trusted: () => {
        throw new Error('frame gone')
      },
    })
    expect(await handler({}, {})).toEqual(FORBIDDEN)
  })

  it('refuses extra arguments', async () => {
    const handler = createCommandHandler('getSnapshot', {
      port: idleController(),
      trusted: () => true,
    })
    const outcome = await handler(trustedEvent, {}, {})
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
  })

  it('runs a valid command and shows the result to the observer', async () => {
    const seen: unknown[] = []
    const handler = createCommandHandler('getSnapshot', {
      port: idleController(),
      trusted: () => true,
      onResult: (_n, v) => seen.push(v),
    })
    const outcome = await handler(trustedEvent, {})
    expect(outcome).toMatchObject({ ok: true, value: { status: 'stopped', projectRoot: null } })
    expect(seen).toHaveLength(1)
  })

  it('turns engine errors into typed results', async () => {
    const handler = createCommandHandler('pause', { port: idleController(), trusted: () => true })
    expect(await handler(trustedEvent, {})).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'No project is open: choose a project folder first.' },
    })
  })

  describe('fuzzed with 1,000 random payloads per command', () => {
    for (const name of COMMAND_NAMES) {
      it(`${name}: every payload is handled or rejected, never thrown`, async () => {
        const { port, calls } = counting(idleController())
        const trusted = createCommandHandler(name, { port, trusted: () => true })
        const foreign = createCommandHandler<SenderLike>(name, {
          port,
          trusted: (e) => isTrustedSender(e, ourWindow, ours),
        })
        let valid = 0
        await fc.assert(
          fc.asyncProperty(payload(name), async (args) => {
            const before = calls.length
            const outcome = await trusted(trustedEvent, args)
            expect(outcomeShape(outcome)).toBe(true)
            const schemaOk = commands[name].args.safeParse(args ?? {}).success
            if (schemaOk) {
              valid++
              expect(calls.length).toBe(before + 1)
              if (!outcome.ok) expect(outcome.error.code).not.toBe('invalid_args')
            } else {
              expect(calls.length).toBe(before)
              expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
            }
            // The same payload from a foreign frame is refused and never reaches the engine.
            const foreignFrame = {
              sender: webContents,
              senderFrame: { ...mainFrame, url: 'https://x.example/' },
            }
            expect(await foreign(foreignFrame, args)).toEqual(FORBIDDEN)
            expect(calls.length).toBe(before + (schemaOk ? 1 : 0))
          }),
          { numRuns: 1000 },
        )
        // The generators reach the engine too, not only the validator.
        if (['getSnapshot', 'start', 'pause', 'resume', 'getSettings'].includes(name))
          expect(valid).toBeGreaterThan(0)
      })
    }
  })
})

describe('forwardEvents', () => {
  let project: SampleProject
  let controller: Controller

  beforeAll(() => {
    project = createSampleProject('fixloop-ipc-')
  })
  afterAll(async () => {
    await controller?.stop()
    project.remove()
  })

  it('sends contract events on their channels, survives a failed delivery, stops when unsubscribed', async () => {
    const { loadConfig } = await import('../../src/main/core/config/load-config')
    const { Orchestrator } = await import('../../src/main/core/engine/orchestrator')
    controller = new Controller({
      createEngine: (dir) =>
        new Orchestrator({ config: loadConfig({ dir, env: { AUTO_FIX_ENABLED: 'false' } }) }),
    })
    const sent: [string, string][] = []
    let first = true
    const stop = forwardEvents(controller, (channel, event) => {
      sent.push([channel, event])
      // A window that went away mid-send must not stop the next events.
      if (first) {
        first = false
        throw new Error('window gone')
      }
    })
    await controller.setProject(project.root)
    await controller.handlers.pause({})
    await new Promise((r) => setTimeout(r, 20))
    expect(sent.some(([c, e]) => e === 'snapshot' && c === ipcChannel.event('snapshot'))).toBe(true)
    expect(sent.some(([, e]) => e === 'log')).toBe(true)
    const count = sent.length
    stop()
    await controller.handlers.resume({})
    await new Promise((r) => setTimeout(r, 20))
    expect(sent.length).toBe(count)
    expect(new Set(sent.map(([, e]) => e)).size).toBeGreaterThan(1)
    expect(
      sent.every(
        ([c, e]) =>
          (EVENT_NAMES as readonly string[]).includes(e) && c === ipcChannel.event(e as never),
      ),
    ).toBe(true)
  })
})
