import { describe, expect, it } from 'vitest'
import {
  COMMAND_NAMES,
  DEFAULT_SETTINGS,
  EVENT_NAMES,
  Settings,
  SettingsPatch,
  commands,
  events,
  ipcChannel,
} from '../../src/shared'

describe('the contract', () => {
  it('declares each command with argument and result schemas', () => {
    expect(COMMAND_NAMES.length).toBeGreaterThan(10)
    for (const name of COMMAND_NAMES) {
      expect(commands[name].args).toBeDefined()
      expect(commands[name].result).toBeDefined()
      expect(commands[name].doc.length).toBeGreaterThan(5)
    }
  })

  it('derives one distinct IPC channel per command and per event', () => {
    const channels = [
      ...COMMAND_NAMES.map(ipcChannel.command),
      ...EVENT_NAMES.map(ipcChannel.event),
    ]
    expect(new Set(channels).size).toBe(channels.length)
  })

  it('rejects unknown keys in command arguments', () => {
    expect(commands.getTask.args.safeParse({ id: 'task_1', extra: 1 }).success).toBe(false)
    expect(commands.getTask.args.safeParse({ id: 'task_1' }).success).toBe(true)
  })

  it('gives the seed defaults when nothing is set', () => {
    expect(DEFAULT_SETTINGS.maxRetries).toBe(5)
    expect(DEFAULT_SETTINGS.debounceSeconds).toBe(2)
    expect(DEFAULT_SETTINGS.breakerThreshold).toBe(3)
    expect(DEFAULT_SETTINGS.breakerWindowSeconds).toBe(3600)
    expect(DEFAULT_SETTINGS.autoFix).toBe(true)
    expect(DEFAULT_SETTINGS.budgets.dayUsd).toBeGreaterThan(0)
  })

  it('refuses a corrupt setting value with the field named', () => {
    const r = SettingsPatch.safeParse({ maxRetries: -1 })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.path).toEqual(['maxRetries'])
    expect(Settings.safeParse({ escalation: { githubRepo: 'not a repo' } }).success).toBe(false)
  })
})

describe('the channel list', () => {
  it('names exactly the commands and events the schemas declare', () => {
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(commands).sort())
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort())
  })
})

describe('SettingsPatch', () => {
  it('keeps only what was sent: no defaults fill a patch, even in nested groups', () => {
    expect(SettingsPatch.parse({ maxRetries: 3 })).toEqual({ maxRetries: 3 })
    expect(SettingsPatch.parse({ budgets: { dayUsd: 3 } })).toEqual({ budgets: { dayUsd: 3 } })
    expect(SettingsPatch.parse({})).toEqual({})
  })

  it('validates what was sent by the same rules, and refuses unknown keys', () => {
    expect(SettingsPatch.safeParse({ budgets: { dayUsd: -1 } }).success).toBe(false)
    expect(SettingsPatch.safeParse({ maxRetries: 0 }).success).toBe(false)
    expect(SettingsPatch.safeParse({ maxRetriez: 3 }).success).toBe(false)
  })
})
