/**
 * The app's settings store for tests: `conf`, the plain-Node library electron-store is a thin layer
 * over, writing a real JSON file in a temp folder with the options the app uses.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Conf from 'conf'
import { AppPrefs } from '../../../src/main/app/prefs-logic'

export interface TestStore {
  dir: string
  prefs: AppPrefs
  /** The settings file as written. */
  raw(): string
  /** A second AppPrefs over the same file, as after a restart. */
  reopen(): AppPrefs
  remove(): void
}

export function createTestStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'fixloop-prefs-'))
  const open = () =>
    new AppPrefs(
      new Conf<Record<string, unknown>>({
        cwd: dir,
        configName: 'settings',
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: true,
      }),
    )
  return {
    dir,
    prefs: open(),
    raw: () => readFileSync(join(dir, 'settings.json'), 'utf8'),
    reopen: open,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
