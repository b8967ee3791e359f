/**
 * A fixture project on disk: copied to a temp folder, the bug injected, its tests run with node's
 * own runner, and the transcript's tool calls carried out the way Fixloop's sandboxed editor and
 * search do (str_replace needs exactly one match; insert goes after a line, 0 for the top).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Bug, EditorInput, SearchInput } from './fixrate-fixtures'

export function copyProject(projectDir: string, dest: string): void {
  cpSync(projectDir, dest, { recursive: true })
}

function occurrences(text: string, find: string): number {
  let n = 0
  for (let at = text.indexOf(find); at >= 0; at = text.indexOf(find, at + find.length)) n++
  return n
}

/** Puts the bug into the copy; the correct text must occur exactly once. */
export function injectBug(root: string, bug: Bug): void {
  const abs = join(root, bug.file)
  const text = readFileSync(abs, 'utf8')
  const n = occurrences(text, bug.inject.old)
  if (n !== 1) throw new Error(`bug.json: inject.old occurs ${n} times in ${bug.file}, not once`)
  writeFileSync(
    abs,
    text.replace(bug.inject.old, () => bug.inject.new),
  )
}

function walk(root: string, dir = root): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name.startsWith('.')) return []
    const abs = join(dir, e.name)
    return e.isDirectory() ? walk(root, abs) : [relative(root, abs).split('\\').join('/')]
  })
}

export interface TestRun {
  passed: boolean
  pass: number
  fail: number
  output: string
}

/**
 * The project's tests (test/**\/*.test.js), named one by one so nothing else in the folder (such as
 * Fixloop's own .fixloop/) is picked up by the runner's discovery.
 */
export function runTests(root: string): TestRun {
  const files = walk(root, join(root, 'test')).filter((f) => /\.test\.m?js$/.test(f))
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT // set when this runs under a test runner; the child would report to it
  const r = spawnSync(process.execPath, ['--test', ...files], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  })
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`
  const figure = (name: string) => Number(new RegExp(`^# ${name} (\\d+)`, 'm').exec(output)?.[1])
  return { passed: r.status === 0, pass: figure('pass'), fail: figure('fail'), output }
}

/** Carries out one editor call on `root`; throws what Fixloop's editor would refuse. */
export function applyEdit(root: string, input: EditorInput): void {
  const abs = join(root, input.path)
  if (input.command === 'create') {
    writeFileSync(abs, input.file_text ?? '')
    return
  }
  if (!existsSync(abs)) throw new Error(`${input.command} ${input.path}: no such file`)
  const text = readFileSync(abs, 'utf8')
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
  if (input.command === 'view') {
    const [from, to] = input.view_range ?? [1, -1]
    if (from > lines || to > lines) {
      throw new Error(`view ${input.path} [${from}, ${to}]: the file has ${lines} lines`)
    }
    return
  }
  if (input.command === 'str_replace') {
    const find = input.old_str ?? ''
    const n = occurrences(text, find)
    if (n !== 1) throw new Error(`str_replace ${input.path}: old_str matches ${n} times, not once`)
    writeFileSync(
      abs,
      text.replace(find, () => input.new_str ?? ''),
    )
    return
  }
  const line = input.insert_line ?? 0
  if (line > lines) throw new Error(`insert ${input.path}: line ${line} is past its ${lines} lines`)
  const block = (input.insert_text ?? input.new_str ?? '').replace(/\n$/, '')
  let offset = 0
  for (let i = 0; i < line; i++) {
    const next = text.indexOf('\n', offset)
    offset = next === -1 ? text.length : next + 1
  }
  const atEndWithoutEol = offset === text.length && text.length > 0 && !text.endsWith('\n')
  writeFileSync(
    abs,
    atEndWithoutEol
      ? `${text}\n${block}`
      : `${text.slice(0, offset)}${block}\n${text.slice(offset)}`,
  )
}

/** A glob over file names, as ripgrep's `-g` takes it: `*`, `**`, `?`. */
function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?/g, '\0')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/\0/g, '.*')
  return new RegExp(`^${body}$`)
}

/** `path:line` of every line matching the search, as the read-only search tool would list them. */
export function search(root: string, input: SearchInput): string[] {
  const pattern = new RegExp(input.pattern)
  const glob = input.glob ? globRegExp(input.glob) : null
  const base = input.path ? join(root, input.path) : root
  return walk(root, base)
    .filter((f) => !glob || glob.test(input.glob!.includes('/') ? f : f.split('/').pop()!))
    .flatMap((f) =>
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .flatMap((l, i) => (pattern.test(l) ? [`${f}:${i + 1}`] : [])),
    )
}

/** Commits the project as it is (the correct state), so Fixloop can show the change as a diff. */
export function commitBase(root: string): boolean {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, stdio: 'ignore', timeout: 20_000 })
  try {
    git('init', '-q')
    git('add', '-A')
    // The user's git config must not get in the way: no signing prompt, no hooks.
    const config = ['user.name=fixrate', 'user.email=fixrate@localhost', 'commit.gpgsign=false']
    git(
      ...config.flatMap((c) => ['-c', c]),
      '-c',
      'core.hooksPath=/dev/null',
      'commit',
      '-qm',
      'base',
    )
    return true
  } catch {
    return false // no git: Fixloop runs without the diff
  }
}
