/**
 * Packs the app with electron-builder (`--dir --linux`, the unpacked app a Linux installer would hold)
 * against a stand-in Electron: a directory with a fake `electron` executable that carries a fuse
 * wire, since the real binary cannot be downloaded here. Checks what app.asar holds, what is unpacked
 * next to it, and that the security fuses were flipped in the executable.
 *
 * Needs `electron-vite build` output; builds it when missing. About 15 s.
 */
import { execFile } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { extractFile, listPackage } from '@electron/asar'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}
const electronVersion = (
  JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
    version: string
  }
).version

/** Electron's fuse sentinel, then wire version 1 and 8 fuses, all set to "enabled" ('1'). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const FAKE_ELECTRON = Buffer.concat([
  Buffer.from('#!/bin/sh\necho "stand-in for electron"\n'),
  Buffer.from(SENTINEL, 'latin1'),
  Buffer.from([1, 8]),
  Buffer.from('11111111', 'latin1'),
])

/** How a fuse reads in the wire (@electron/fuses keeps these constants to itself). */
const FuseState = { DISABLE: '0'.charCodeAt(0), ENABLE: '1'.charCodeAt(0) } as const

let work: string
let appDir: string
let asarPath: string
let entries: string[]

beforeAll(async () => {
  const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']
  if (!built.every((p) => existsSync(join(root, p)))) {
    await run(
      process.execPath,
      [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      {
        cwd: root,
        timeout: 120_000,
      },
    )
  }
  work = mkdtempSync(join(tmpdir(), 'fixloop-pack-'))
  const dist = join(work, 'electron-dist')
  mkdirSync(dist)
  writeFileSync(join(dist, 'electron'), FAKE_ELECTRON)
  chmodSync(join(dist, 'electron'), 0o755)
  writeFileSync(join(dist, 'LICENSE'), 'stand-in')
  await run(
    process.execPath,
    [
      join(root, 'node_modules', 'electron-builder', 'cli.js'),
      '--dir',
      '--linux',
      '--x64',
      '--projectDir',
      root,
      `-c.electronDist=${dist}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${join(work, 'release')}`,
    ],
    { cwd: root, timeout: 120_000, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  )
  appDir = join(work, 'release', 'linux-unpacked')
  asarPath = join(appDir, 'resources', 'app.asar')
  entries = listPackage(asarPath, { isPack: false }).map((e) => e.replace(/\\/g, '/'))
}, 180_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

/** Top-level packages under /node_modules in the asar (`@scope/name` or `name`). */
function packedPackages(): Set<string> {
  const names = new Set<string>()
  for (const e of entries) {
    const m = /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(e)
    if (m?.[1] && !m[1].startsWith('.')) names.add(m[1])
  }
  return names
}

describe('electron-builder --dir', () => {
  it('packs the built main, preload and renderer, and the tray icons', () => {
    for (const path of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      // The warm test runners' worker scripts, read from the asar and run by the project's node.
      '/out/main/warm/vitest-worker.mjs',
      '/out/main/warm/jest-worker.mjs',
      '/resources/icon.png',
      '/resources/tray/tray-idle.png',
      '/resources/tray/tray-errorTemplate@2x.png',
    ]) {
      expect(entries).toContain(path)
    }
    expect(entries.some((e) => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(e))).toBe(true)
  })

  it('leaves out sources, tests, source maps and build resources', () => {
    const unwanted = entries.filter(
      (e) =>
        /^\/(src|test|bench|scripts|build|docs|release)(\/|$)/.test(e) ||
        (/\.map$/.test(e) && !e.startsWith('/node_modules/')),
    )
    expect(unwanted).toEqual([])
    expect(entries.filter((e) => /^\/out\/cli(\/|$)/.test(e))).toEqual([])
  })

  it('starts at the built main module', () => {
    const packed = JSON.parse(extractFile(asarPath, 'package.json').toString()) as { main: string }
    expect(packed.main).toBe(pkg.main)
  })

  it('holds the production dependencies and no development dependency', () => {
    const packed = packedPackages()
    for (const dep of Object.keys(pkg.dependencies)) expect(packed, dep).toContain(dep)
    const leaked = Object.keys(pkg.devDependencies).filter((dev) => packed.has(dev))
    expect(leaked).toEqual([])
    for (const tool of [
      'vitest',
      'typescript',
      'electron',
      'electron-builder',
      'vite',
      'svelte',
      'esbuild',
    ]) {
      expect(packed.has(tool), tool).toBe(false)
    }
  })

  it('unpacks the native watcher binary next to the asar', () => {
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', '@parcel')
    const binaries = readdirSync(unpacked).filter((d) => d.startsWith('watcher-'))
    expect(binaries.length).toBeGreaterThan(0)
    for (const dir of binaries) expect(existsSync(join(unpacked, dir, 'watcher.node'))).toBe(true)
    expect(
      existsSync(
        join(appDir, 'resources', 'app.asar.unpacked', 'resources', 'tray', 'tray-idle.png'),
      ),
    ).toBe(true)
  })

  it('flips the security fuses in the executable', async () => {
    const exe = readdirSync(appDir).find((f) => f === 'fixloop' || f === 'Fixloop')
    expect(exe).toBeDefined()
    const wire = (await getCurrentFuseWire(join(appDir, exe as string))) as unknown as Record<
      number,
      number
    >
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE)
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE)
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE)
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE)
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE)
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE)
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE)
  })
})
