/**
 * A stand-in for Electron's safeStorage (which needs the Electron binary): real AES-256-GCM under a
 * key held in memory, with the backend and availability chosen by the test.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { SafeStorageLike } from '../../../src/main/app/secrets-logic'

export interface TestSafeStorage extends SafeStorageLike {
  backend: string
  available: boolean
  /** Makes the next decryptions ask for re-encryption (a rotated OS key). */
  rotate: boolean
  key: Buffer
}

export function createTestSafeStorage(backend = 'gnome_libsecret'): TestSafeStorage {
  const s: TestSafeStorage = {
    backend,
    available: true,
    rotate: false,
    key: randomBytes(32),
    getSelectedStorageBackend: () => s.backend,
    isAsyncEncryptionAvailable: async () => s.available,
    encryptStringAsync: async (text) => {
      if (!s.available) throw new Error('Encryption is not available.')
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', s.key, iv)
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decryptStringAsync: async (data) => {
      const decipher = createDecipheriv('aes-256-gcm', s.key, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(12, 28))
      const result = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()])
      return { result: result.toString('utf8'), shouldReEncrypt: s.rotate }
    },
  }
  return s
}
