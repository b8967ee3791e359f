import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import {
  PLAIN_TEXT_REFUSAL,
  SecretStorageError,
  SecretVault,
  UNAVAILABLE_REFUSAL,
} from '../../src/main/app/secrets-logic'
import { createTestSafeStorage } from './support/safe-storage'
import type { TestSafeStorage } from './support/safe-storage'
import { createTestStore } from './support/store'
import type { TestStore } from './support/store'

const KEY = 'sk-ant-api03-secret-value-0123456789'

let store: TestStore
let safe: TestSafeStorage

beforeEach(() => {
  store = createTestStore()
  safe = createTestSafeStorage()
})
afterEach(() => store.remove())

const vault = (platform: NodeJS.Platform = 'linux') =>
  new SecretVault({ safeStorage: safe, prefs: store.prefs, platform })

describe('SecretVault', () => {
  it('stores secrets encrypted and reads them back after a restart', async () => {
    await vault().set('anthropicApiKey', KEY)
    await vault().set('slackWebhookUrl', 'https://hooks.slack.com/services/T0/B0/xyz')
    expect(store.raw()).not.toContain(KEY)
    expect(store.raw()).not.toContain('hooks.slack.com')
    const again = new SecretVault({ safeStorage: safe, prefs: store.reopen(), platform: 'linux' })
    expect(await again.loadAll()).toEqual({
      secrets: {
        anthropicApiKey: KEY,
        slackWebhookUrl: 'https://hooks.slack.com/services/T0/B0/xyz',
      },
      problems: [],
    })
  })

  it('removes a secret with null', async () => {
    await vault().set('githubToken', 'ghp_abcdefghijklmnopqrstuvwxyz0123')
    await vault().set('githubToken', null)
    expect(store.prefs.secretBlob('githubToken')).toBeNull()
    expect((await vault().loadAll()).secrets).toEqual({})
  })

  it('refuses to store on Linux with only the plain-text backend, and says why', async () => {
    safe.backend = 'basic_text'
    const v = vault('linux')
    expect(await v.refusal()).toBe(PLAIN_TEXT_REFUSAL)
    const error = await v.set('anthropicApiKey', KEY).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SecretStorageError)
    expect(error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/keyring/) })
    expect(store.prefs.secretBlob('anthropicApiKey')).toBeNull()
    // Removing needs no encryption, so it is still allowed.
    await expect(v.set('anthropicApiKey', null)).resolves.toBeUndefined()
  })

  it('does not apply the Linux backend rule elsewhere', async () => {
    safe.backend = 'basic_text'
    expect(await vault('darwin').refusal()).toBeNull()
  })

  it('refuses when the OS cannot encrypt at all', async () => {
    safe.available = false
    expect(await vault('win32').refusal()).toBe(UNAVAILABLE_REFUSAL)
    await expect(vault('win32').set('githubToken', 'x')).rejects.toBeInstanceOf(SecretStorageError)
  })

  it('names a secret it cannot decrypt, keeps it, and still loads the others', async () => {
    await vault().set('anthropicApiKey', KEY)
    await vault().set('githubToken', 'ghp_abcdefghijklmnopqrstuvwxyz0123')
    store.prefs.setSecretBlob('anthropicApiKey', randomBytes(40).toString('base64'))
    const { secrets, problems } = await vault().loadAll()
    expect(secrets).toEqual({ githubToken: 'ghp_abcdefghijklmnopqrstuvwxyz0123' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^anthropicApiKey: stored but cannot be decrypted/)
    expect(store.prefs.secretBlob('anthropicApiKey')).not.toBeNull()
  })

  it('reports stored secrets as unreadable when encryption is unavailable', async () => {
    await vault().set('anthropicApiKey', KEY)
    safe.available = false
    const { secrets, problems } = await vault().loadAll()
    expect(secrets).toEqual({})
    expect(problems[0]).toMatch(/anthropicApiKey/)
  })

  it('re-encrypts a secret when the OS rotated its key', async () => {
    await vault().set('anthropicApiKey', KEY)
    const before = store.prefs.secretBlob('anthropicApiKey')
    safe.rotate = true
    expect((await vault().loadAll()).secrets.anthropicApiKey).toBe(KEY)
    const after = store.prefs.secretBlob('anthropicApiKey')
    expect(after).not.toBe(before)
    safe.rotate = false
    expect((await vault().loadAll()).secrets.anthropicApiKey).toBe(KEY)
  })
})
