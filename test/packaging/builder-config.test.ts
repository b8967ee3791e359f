/**
 * electron-builder.yml as electron-builder itself reads and validates it: installers per platform,
 * identity, icons from build/, native modules unpacked.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Configuration } from 'app-builder-lib'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import { beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
let config: Configuration

beforeAll(async () => {
  config = await getConfig(root, null, null)
})

const targets = (t: unknown) =>
  (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? { target: x } : x)) as {
    target: string
    arch?: string[]
  }[]

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema', async () => {
    // Validation normalises the object it is given: check a copy of its own.
    const copy = structuredClone(config)
    await expect(validateConfiguration(copy, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('names the app', () => {
    expect(config.appId).toBe('dev.fixloop.app')
    expect(config.productName).toBe('Fixloop')
    expect(config.directories?.buildResources).toBe('build')
  })

  it('packs the built app and its resources, in an asar, with the native watcher unpacked', () => {
    // electron-builder's loader turns the list into file sets.
    const patterns = (Array.isArray(config.files) ? config.files : [config.files]).flatMap((f) =>
      typeof f === 'string' ? [f] : ([] as string[]).concat(f?.filter ?? []),
    )
    expect(patterns).toEqual(
      expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', 'resources/**']),
    )
    expect(config.asar).toBe(true)
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/@parcel/watcher-*/**', '**/*.node']),
    )
    expect(config.npmRebuild).toBe(false)
  })

  it('builds a per-user NSIS installer with desktop and start-menu shortcuts', () => {
    expect(targets(config.win?.target).map((t) => t.target)).toEqual(['nsis'])
    expect(config.nsis).toMatchObject({
      oneClick: false,
      perMachine: false,
      allowElevation: false,
      createDesktopShortcut: 'always',
      createStartMenuShortcut: true,
    })
  })

  it('builds a universal dmg with the hardened runtime, notarisation ready but off', () => {
    expect(targets(config.mac?.target)).toEqual([{ target: 'dmg', arch: ['universal'] }])
    expect(config.mac?.hardenedRuntime).toBe(true)
    expect(config.mac?.notarize).toBe(false)
    expect(config.mac?.extendInfo).toMatchObject({ LSUIElement: true })
    const entitlements = readFileSync(join(root, config.mac?.entitlements as string), 'utf8')
    expect(entitlements).toContain('com.apple.security.cs.allow-jit')
    expect(entitlements).not.toContain('disable-library-validation')
  })

  it('builds an AppImage and a deb for Linux', () => {
    expect(targets(config.linux?.target).map((t) => t.target)).toEqual(['AppImage', 'deb'])
    expect(config.linux?.category).toBe('Development')
  })

  it('takes every icon from build/, large enough to convert', () => {
    expect(config.win?.icon).toBe('build/icon.png')
    expect(config.mac?.icon).toBe('build/icon.png')
    expect(config.linux?.icon).toBe('build/icons')
    for (const path of [config.win?.icon, config.mac?.icon]) {
      const png = readFileSync(join(root, path as string))
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512)
    }
    expect(existsSync(join(root, 'build/icons/512x512.png'))).toBe(true)
  })
})
