import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCmdShim, resolveExecutable } from '../../../src/main/core/checks/resolve-bin'
import { tempDir } from './fixtures'

/** The shim npm's cmd-shim writes into node_modules/.bin on Windows. */
const CMD_SHIM = `@ECHO off\r
GOTO start\r
:find_dp0\r
SET dp0=%~dp0\r
EXIT /b\r
:start\r
SETLOCAL\r
CALL :find_dp0\r
\r
IF EXIST "%dp0%\\node.exe" (\r
  SET "_prog=%dp0%\\node.exe"\r
) ELSE (\r
  SET "_prog=node"\r
  SET PATHEXT=%PATHEXT:;.JS;=;%\r
)\r
\r
endLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%"  "%dp0%\\..\\vitest\\vitest.mjs" %*\r
`

/** The shape of npm's own npm.cmd (npm 10). */
const NPM_CMD = `:: Created by npm, please don't edit manually.\r
@ECHO OFF\r
SETLOCAL\r
SET "NODE_EXE=%~dp0\\node.exe"\r
IF NOT EXIST "%NODE_EXE%" (\r
  SET "NODE_EXE=node"\r
)\r
SET "NPM_PREFIX_JS=%~dp0\\node_modules\\npm\\bin\\npm-prefix.js"\r
SET "NPM_CLI_JS=%~dp0\\node_modules\\npm\\bin\\npm-cli.js"\r
FOR /F "delims=" %%F IN ('CALL "%NODE_EXE%" "%NPM_PREFIX_JS%"') DO (\r
  SET "NPM_PREFIX_NPM_CLI_JS=%%F\\node_modules\\npm\\bin\\npm-cli.js"\r
)\r
IF EXIST "%NPM_PREFIX_NPM_CLI_JS%" (\r
  SET "NPM_CLI_JS=%NPM_PREFIX_NPM_CLI_JS%"\r
)\r
"%NODE_EXE%" "%NPM_CLI_JS%" %*\r
`

function file(full: string, content = '', mode = 0o644): string {
  mkdirSync(path.dirname(full), { recursive: true })
  writeFileSync(full, content)
  chmodSync(full, mode)
  return full
}

describe('resolveExecutable on POSIX', () => {
  it('prefers the project node_modules/.bin over PATH', () => {
    const root = tempDir()
    const local = file(path.join(root, 'node_modules/.bin/tool'), '', 0o755)
    const global = file(path.join(root, 'global/tool'), '', 0o755)
    const env = { PATH: path.dirname(global) }
    expect(resolveExecutable('tool', { root, env, platform: 'linux' })).toEqual([local])
    expect(resolveExecutable('tool', { root, env, platform: 'linux', localBins: false })).toEqual([
      global,
    ])
  })

  it('skips files that are not executable', () => {
    const root = tempDir()
    file(path.join(root, 'node_modules/.bin/tool'), '', 0o644)
    expect(resolveExecutable('tool', { root, env: { PATH: '' }, platform: 'linux' })).toBeNull()
  })

  it('resolves a path relative to the root', () => {
    const root = tempDir()
    const script = file(path.join(root, 'scripts/check'), '', 0o755)
    expect(resolveExecutable('./scripts/check', { root, env: {}, platform: 'linux' })).toEqual([
      script,
    ])
  })
})

// The Windows rules run here on Linux with POSIX paths standing in for drive paths: what is tested
// is the PATHEXT search, the case-insensitive Path and the reading of .cmd shims into `node <script>`.
describe('resolveExecutable with Windows rules', () => {
  it('turns a cmd-shim into node plus the script, using node from Path', () => {
    const root = tempDir()
    file(path.join(root, 'node_modules/.bin/vitest.cmd'), CMD_SHIM)
    const node = file(path.join(root, 'nodejs/node.exe'))
    const env = { Path: `${path.join(root, 'nodejs')};`, PATHEXT: '.COM;.EXE;.BAT;.CMD' }
    expect(resolveExecutable('vitest', { root, env, platform: 'win32' })).toEqual([
      node,
      path.join(root, 'node_modules/vitest/vitest.mjs'),
    ])
  })

  it("uses the node.exe next to a shim when there is one (npm's own npm.cmd)", () => {
    const root = tempDir()
    const dir = path.join(root, 'Program Files/nodejs')
    file(path.join(dir, 'npm.cmd'), NPM_CMD)
    const node = file(path.join(dir, 'node.exe'))
    const env = { PATH: `"${dir}"` }
    expect(resolveExecutable('npm', { root, env, platform: 'win32', localBins: false })).toEqual([
      node,
      path.join(dir, 'node_modules/npm/bin/npm-cli.js'),
    ])
  })

  it('runs an .exe as it is, found through PATHEXT', () => {
    const root = tempDir()
    const exe = file(path.join(root, 'bin/tool.exe'))
    expect(
      resolveExecutable('tool', { root, env: { PATH: path.join(root, 'bin') }, platform: 'win32' }),
    ).toEqual([exe])
  })

  it('refuses a batch file that is not a shim rather than run it through cmd.exe', () => {
    const root = tempDir()
    file(path.join(root, 'bin/tool.bat'), '@echo off\r\necho %1\r\n')
    expect(
      resolveExecutable('tool', { root, env: { PATH: path.join(root, 'bin') }, platform: 'win32' }),
    ).toBeNull()
  })
})

describe('parseCmdShim', () => {
  it('reads the target script relative to the shim', () => {
    expect(parseCmdShim(CMD_SHIM, '/p/node_modules/.bin/vitest.cmd')).toBe(
      path.resolve('/p/node_modules/vitest/vitest.mjs'),
    )
  })

  it('returns null for a plain batch file', () => {
    expect(parseCmdShim('@echo off\r\nnode %*\r\n', '/x/run.cmd')).toBeNull()
  })
})
