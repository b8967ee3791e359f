/**
 * What Claude is given up front: sources with line numbers (a large file as a range around the line
 * the failure names, with a note; nothing dropped silently) and, before a green baseline exists,
 * the change against git's HEAD with untracked files and without protected ones.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CheckResult } from '../../../src/shared/domain'
import { changeSinceHead, gatherSources, lineNamed } from '../../../src/main/core/engine/sources'
import { DEFAULT_PROMPT_LIMITS, renderSources } from '../../../src/main/core/fix/prompts'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'fixloop-sources-'))
  dirs.push(root)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

const red = (output: string, file?: string): CheckResult => ({
  name: 'related',
  command: ['node', '--test'],
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 10,
  output,
  failures: file ? [{ name: 'a test', file, message: 'boom' }] : [],
})

const big = Array.from({ length: 3000 }, (_, i) => `const line${i + 1} = ${i + 1}`).join('\n')

describe('sources', () => {
  it('numbers every line, and shows a large file around the line the failure names, saying so', async () => {
    const root = tree({
      'src/small.js': 'a\nb\n',
      'src/big.js': big,
      'img.png': Buffer.from([1, 0, 2]),
    })
    const output = `Error: boom\n    at run (${root}/src/big.js:2400:7)\n`
    const sources = await gatherSources(
      root,
      ['src/small.js', 'src/big.js', 'img.png'],
      [red(output)],
    )
    expect(sources.find((s) => s.path === 'src/big.js')?.focusLine).toBe(2400)
    expect(sources.find((s) => s.path === 'img.png')?.omitted).toBe('binary')
    const text = renderSources(sources, { ...DEFAULT_PROMPT_LIMITS, fileChars: 6000 })
    expect(text).toContain('<file path="src/small.js">\n1\ta\n2\tb\n</file>')
    const range =
      /<file path="src\/big\.js" lines="(\d+)-(\d+) of 3000; view other ranges with view_range">/.exec(
        text,
      )
    expect(range).not.toBeNull()
    const [from, to] = [Number(range![1]), Number(range![2])]
    expect(from).toBeLessThan(2400)
    expect(to).toBeGreaterThan(2400)
    expect(2400 - from).toBeLessThan(to - 2400)
    expect(text).toContain('2400\tconst line2400 = 2400')
    expect(text).toMatch(/Not shown: img\.png \(binary\)/)
  })

  it('names a file too large to read instead of dropping it', async () => {
    const root = tree({ 'src/huge.js': 'x'.repeat(2048) })
    const sources = await gatherSources(root, ['src/huge.js'], [], { maxFileBytes: 1024 })
    expect(sources).toEqual([
      { path: 'src/huge.js', content: '', omitted: '2 KiB, too large to attach' },
    ])
    expect(renderSources(sources, DEFAULT_PROMPT_LIMITS)).toMatch(
      /Not shown: src\/huge\.js \(2 KiB, too large to attach\)/,
    )
  })

  it('lineNamed finds "path:line" in a stack trace, not a longer path that ends the same', () => {
    expect(lineNamed('at x (/p/src/a.js:12:3)', 'src/a.js')).toBe(12)
    expect(lineNamed(' ❯ src/a.js:7:1', 'src/a.js')).toBe(7)
    expect(lineNamed('at lib/xsrc/a.js:9', 'src/a.js')).toBeUndefined()
    expect(lineNamed('nothing here', 'src/a.js')).toBeUndefined()
  })
})

describe('changeSinceHead', () => {
  const git = (root: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root })

  it('shows tracked changes and new untracked files, never protected files, and writes nothing in .git', async () => {
    const root = tree({ 'src/a.js': 'one\n', '.env': 'TOKEN=old\n', '.gitignore': 'dist/\n' })
    git(root, 'init', '-q')
    git(root, 'add', '-A')
    git(root, 'commit', '-qm', 'init')
    writeFileSync(join(root, 'src/a.js'), 'two\n')
    writeFileSync(join(root, '.env'), 'TOKEN=sekrit\n')
    mkdirSync(join(root, 'dist'))
    writeFileSync(join(root, 'dist/out.js'), 'built\n')
    writeFileSync(join(root, 'src/new.js'), 'fresh\n')
    const index = statSync(join(root, '.git/index')).mtimeMs
    const diff = await changeSinceHead(root)
    expect(diff).toContain('-one')
    expect(diff).toContain('+two')
    expect(diff).toContain('+++ b/src/new.js')
    expect(diff).toContain('+fresh')
    expect(diff).not.toContain('sekrit')
    expect(diff).not.toContain('.env')
    expect(diff).not.toContain('dist/out.js')
    expect(statSync(join(root, '.git/index')).mtimeMs).toBe(index)
  })

  it('is null outside a git work tree', async () => {
    expect(await changeSinceHead(tree({ 'a.js': 'x' }))).toBeNull()
  })
})
