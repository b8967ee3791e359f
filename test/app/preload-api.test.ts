/**
 * The preload's API (src/preload/api.ts) over an in-memory IPC with the shape of ipcRenderer.
 */
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES, EVENT_NAMES, ipcChannel } from '../../src/shared/channels'
import type { IpcRendererLike } from '../../src/preload/api'
import { createFixloopApi } from '../../src/preload/api'

function memoryIpc(
  answer: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: null }),
) {
  const bus = new EventEmitter()
  const invoked: [string, unknown[]][] = []
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, args])
      // Like Electron, arguments are structured-cloned: functions cannot be sent.
      structuredClone(args)
      return answer(channel, args)
    },
    on: (channel, listener) => bus.on(channel, listener),
    removeListener: (channel, listener) => bus.off(channel, listener),
  }
  const emit = (channel: string, payload: unknown) =>
    bus.emit(channel, { sender: 'ipcRenderer' }, payload)
  return { ipc, invoked, emit, bus }
}

describe('createFixloopApi', () => {
  it('has exactly one function per command, plus on', () => {
    const api = createFixloopApi(memoryIpc().ipc)
    expect(Object.keys(api).sort()).toEqual([...COMMAND_NAMES, 'on'].sort())
    expect(Object.isFrozen(api)).toBe(true)
    expect('invoke' in api || 'send' in api || 'ipcRenderer' in api).toBe(false)
  })

  it('invokes each command on its channel with one argument object', async () => {
    const m = memoryIpc((channel) => ({ ok: true, value: channel }))
    const api = createFixloopApi(m.ipc)
    expect(await api.pause({})).toEqual({ ok: true, value: ipcChannel.command('pause') })
    await api.getTask({ id: 'task_1' })
    await (api.getSnapshot as (a?: unknown) => Promise<unknown>)()
    expect(m.invoked).toEqual([
      [ipcChannel.command('pause'), [{}]],
      [ipcChannel.command('getTask'), [{ id: 'task_1' }]],
      [ipcChannel.command('getSnapshot'), [{}]],
    ])
  })

  it('turns arguments that cannot be sent into a typed error', async () => {
    const api = createFixloopApi(memoryIpc().ipc)
    const outcome = await api.getTask({ id: (() => 'x') as unknown as string })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_args' } })
  })

  it('delivers only the payload of events, and unsubscribes', () => {
    const m = memoryIpc()
    const api = createFixloopApi(m.ipc)
    const got: unknown[][] = []
    const off = api.on('notice', (...args: unknown[]) => got.push(args))
    m.emit(ipcChannel.event('notice'), { title: 't' })
    m.emit(ipcChannel.event('log'), { message: 'not subscribed' })
    off()
    off()
    m.emit(ipcChannel.event('notice'), { title: 'after' })
    expect(got).toEqual([[{ title: 't' }]])
    expect(m.bus.listenerCount(ipcChannel.event('notice'))).toBe(0)
  })

  it('refuses unknown events and listeners that are not functions', () => {
    const api = createFixloopApi(memoryIpc().ipc)
    expect(() => api.on('secrets' as never, () => undefined)).toThrow(/Unknown Fixloop event/)
    expect(() => api.on('log', 'x' as never)).toThrow(/must be a function/)
    expect(EVENT_NAMES).toContain('log')
  })
})
