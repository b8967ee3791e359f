/**
 * Turns a command name into an argv prefix that can be spawned WITHOUT a shell.
 *
 * POSIX: the project's `node_modules/.bin` (walking up, for hoisted workspaces), then PATH.
 * Windows: the same places with PATHEXT; an `.exe` runs as it is, while an npm `.cmd` shim is read
 * and replaced by `node <script>` — spawning a `.cmd` needs cmd.exe, whose quoting rules make file
 * names with spaces, quotes, `&` or `%` unsafe (CVE-2024-27980, "BatBadBut"), and Node refuses
 * `.cmd` without `shell: true` since 20.12.2 for that reason.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

export interface ResolveOptions {
  /** Where to start looking for `node_modules/.bin`; parents are searched too. */
  root: string
  /** @default process.platform */
  platform?: NodeJS.Platform
  /** Supplies PATH and PATHEXT. @default process.env */
  env?: NodeJS.ProcessEnv
  /** Look in `node_modules/.bin` first. @default true */
  localBins?: boolean
  /**
   * Look on PATH after node_modules/.bin. Off for a project's own runner: a global vitest or jest
   * of another version than the project's is a trap. @default true
   */
  searchPath?: boolean
}

/** Returns the argv prefix for `name`, or null when it cannot be found or run without a shell. */
export function resolveExecutable(name: string, options: ResolveOptions): string[] | null {
  const platform = options.platform ?? process.platform
  const env = options.env ?? process.env
  const win = platform === 'win32'
  if (name.includes('/') || (win && name.includes('\\'))) {
    const full = path.resolve(options.root, name)
    return win ? resolveWindowsFile(full, env, options.root) : isExecutable(full) ? [full] : null
  }
  const dirs = [
    ...(options.localBins === false ? [] : localBinDirs(options.root)),
    ...(options.searchPath === false ? [] : pathDirs(env, win)),
  ]
  for (const dir of dirs) {
    const found = win
      ? resolveWindowsFile(path.join(dir, name), env, options.root)
      : isExecutable(path.join(dir, name))
        ? [path.join(dir, name)]
        : null
    if (found) return found
  }
  return null
}

/** Resolves the `node` binary for checks; falls back to this process when it is plain Node. */
export function resolveNode(options: ResolveOptions): string[] | null {
  const found = resolveExecutable('node', { ...options, localBins: false })
  if (found) return found
  // Inside Electron process.execPath is the Electron binary, which is not a Node CLI without
  // ELECTRON_RUN_AS_NODE; only fall back to it in a plain Node process (the CLI, tests).
  return process.versions.electron ? null : [process.execPath]
}

function localBinDirs(root: string): string[] {
  const dirs: string[] = []
  let dir = path.resolve(root)
  for (;;) {
    dirs.push(path.join(dir, 'node_modules', '.bin'))
    const parent = path.dirname(dir)
    if (parent === dir) return dirs
    dir = parent
  }
}

function envValue(env: NodeJS.ProcessEnv, key: string, win: boolean): string | undefined {
  if (!win) return env[key]
  // Windows environment names are case-insensitive ("Path" is common).
  const match = Object.keys(env).find((k) => k.toUpperCase() === key)
  return match === undefined ? undefined : env[match]
}

function pathDirs(env: NodeJS.ProcessEnv, win: boolean): string[] {
  const value = envValue(env, 'PATH', win) ?? ''
  return value
    .split(win ? ';' : ':')
    .map((d) => (win ? d.replace(/^"(.*)"$/, '$1') : d))
    .filter((d) => d.length > 0)
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}

function isExecutable(file: string): boolean {
  if (!isFile(file)) return false
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** `file` without extension or with one; tries PATHEXT like cmd.exe does. */
function resolveWindowsFile(file: string, env: NodeJS.ProcessEnv, root: string): string[] | null {
  const exts = (envValue(env, 'PATHEXT', true) ?? '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .filter((e) => e.length > 0)
  const hasExt = exts.some((e) => file.toUpperCase().endsWith(e.toUpperCase()))
  const candidates = hasExt ? [file] : exts.map((e) => file + e.toLowerCase())
  for (const candidate of candidates) {
    if (!isFile(candidate)) continue
    const ext = path.extname(candidate).toLowerCase()
    if (ext === '.exe' || ext === '.com') return [candidate]
    if (ext === '.cmd' || ext === '.bat') {
      const target = parseCmdShim(readFileSync(candidate, 'utf8'), candidate)
      if (!target) continue
      if (/\.(c|m)?js$/i.test(target)) {
        const localNode = path.join(path.dirname(candidate), 'node.exe')
        const node = isFile(localNode)
          ? [localNode]
          : resolveExecutable('node', { root, platform: 'win32', env, localBins: false })
        if (node) return [...node, target]
      } else if (isFile(target)) {
        return [target]
      }
    }
  }
  return null
}

/**
 * Reads the script an npm-generated `.cmd` shim runs (cmd-shim: `"%dp0%\..\vitest\vitest.mjs"`;
 * npm's own npm.cmd: `SET "NPM_CLI_JS=%~dp0\node_modules\npm\bin\npm-cli.js"`). The last reference
 * relative to the shim's folder that is not node.exe is the target. Returns an absolute path in the
 * platform's own separators, or null for a batch file that is not such a shim.
 */
export function parseCmdShim(content: string, shimPath: string): string | null {
  const refs = [...content.matchAll(/(?:%~dp0%?|%dp0%)\\?([^"%\r\n*?<>|]+)/gi)]
    .map((m) => (m[1] ?? '').trim())
    .filter((rel) => rel.length > 0 && !/(^|\\)node(\.exe)?$/i.test(rel))
    .filter((rel) => /\.(c|m)?js$|\.exe$/i.test(rel))
  const rel = refs.at(-1)
  if (!rel) return null
  return path.resolve(path.dirname(shimPath), ...rel.split('\\').filter((s) => s.length > 0))
}
