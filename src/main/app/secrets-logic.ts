/**
 * Secrets (API key, GitHub token, webhook URLs) encrypted with Electron's safeStorage and kept as
 * base64 in the app's settings. They are decrypted once at start for the engine and never sent to
 * the window. Where the OS offers no real key store (Linux with only the `basic_text` backend, which
 * would keep them readable by anyone with the file), storing is refused with an explanation.
 */
import type { Secrets } from '../core/config/load-config'
import type { SecretName } from '../../shared/settings'
import { SecretName as SecretNames } from '../../shared/settings'
import type { AppPrefs } from './prefs-logic'

/** The part of Electron's `safeStorage` used here (its asynchronous API). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>
  encryptStringAsync(plainText: string): Promise<Buffer>
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>
  /** Linux only: which key store backs the encryption. */
  getSelectedStorageBackend(): string
}

/** Refusal to store a secret; `code` makes the bridge pass the message to the UI as is. */
export class SecretStorageError extends Error {
  readonly code = 'unavailable'
  constructor(message: string) {
    super(message)
    this.name = 'SecretStorageError'
  }
}

export const PLAIN_TEXT_REFUSAL =
  'Fixloop will not store secrets on this system: no keyring (GNOME Keyring, KWallet) is available, ' +
  'so they could only be kept in plain text. Install or unlock a keyring and restart Fixloop ' +
  '(or start it with --password-store=gnome-libsecret), or put the value in the project’s .env ' +
  'file or the environment instead.'

export const UNAVAILABLE_REFUSAL =
  'Fixloop cannot store secrets right now: the system’s encryption (Keychain, DPAPI or keyring) ' +
  'is not available. Put the value in the project’s .env file or the environment instead.'

export interface SecretVaultOptions {
  safeStorage: SafeStorageLike
  prefs: AppPrefs
  /** @default process.platform */
  platform?: NodeJS.Platform
}

export class SecretVault {
  readonly #safe: SafeStorageLike
  readonly #prefs: AppPrefs
  readonly #platform: NodeJS.Platform

  constructor(options: SecretVaultOptions) {
    this.#safe = options.safeStorage
    this.#prefs = options.prefs
    this.#platform = options.platform ?? process.platform
  }

  /** Null when secrets can be stored, otherwise why not, in words for the user. */
  async refusal(): Promise<string | null> {
    if (this.#platform === 'linux' && this.#safe.getSelectedStorageBackend() === 'basic_text')
      return PLAIN_TEXT_REFUSAL
    return (await this.#safe.isAsyncEncryptionAvailable()) ? null : UNAVAILABLE_REFUSAL
  }

  /** Throws SecretStorageError when a secret cannot be stored. */
  async assertWritable(): Promise<void> {
    const why = await this.refusal()
    if (why) throw new SecretStorageError(why)
  }

  /** Stores a secret, or with null removes it (always allowed: nothing is written in clear). */
  async set(name: SecretName, value: string | null): Promise<void> {
    if (value === null || value === '') {
      this.#prefs.setSecretBlob(name, null)
      return
    }
    await this.assertWritable()
    const encrypted = await this.#safe.encryptStringAsync(value)
    this.#prefs.setSecretBlob(name, encrypted.toString('base64'))
  }

  /**
   * Every stored secret, decrypted. One that cannot be decrypted (the keyring changed, the file was
   * copied from another machine) is left out and named in `problems`; it is not deleted.
   */
  async loadAll(): Promise<{ secrets: Secrets; problems: string[] }> {
    const secrets: Secrets = {}
    const problems: string[] = []
    const names = SecretNames.options.filter((name) => this.#prefs.secretBlob(name) !== null)
    if (names.length === 0) return { secrets, problems }
    if (!(await this.#safe.isAsyncEncryptionAvailable())) {
      return {
        secrets,
        problems: names.map((n) => `${n}: stored but cannot be decrypted (${UNAVAILABLE_REFUSAL})`),
      }
    }
    for (const name of names) {
      const blob = this.#prefs.secretBlob(name) as string
      try {
        const { result, shouldReEncrypt } = await this.#safe.decryptStringAsync(
          Buffer.from(blob, 'base64'),
        )
        secrets[name] = result
        // The OS rotated its key: store the secret again under the new one.
        if (shouldReEncrypt) await this.set(name, result).catch(() => undefined)
      } catch (error) {
        problems.push(`${name}: stored but cannot be decrypted (${(error as Error).message})`)
      }
    }
    return { secrets, problems }
  }
}
