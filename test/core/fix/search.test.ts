import { copyFile, link, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveExecutable } from '../../../src/main/core/checks/resolve-bin'
import {
  SEARCH_TOOL,
  SEARCH_TOOL_NAME,
  type SearchOptions,
  createSearch,
} from '../../../src/main/core/fix/search'
import { compileGlob, comparePaths } from '../../../src/main/core/fix/search-engines'
import { createIgnoreMatcher } from '../../../src/main/core/watch/ignore-rules'

const rgFound = resolveExecutable('rg', { root: process.cwd(), localBins: false }) !== null

let base: string
let root: string
let outside: string

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-search-')))
  root = join(base, 'project')
  outside = join(base, 'outside')
  const files: Record<string, string | Buffer> = {
    '.gitignore': 'dist/\n*.log\n',
    '.eslintrc.cjs': 'module.exports = { needle: true }\n',
    'README.md': '# Demo\n\nSee needle() in src.\n',
    'src/math.ts': 'export function add(a: number, b: number) {\n  return a - b // needle\n}\n',
    'src/math.test.ts': "import { add } from './math'\ntest('needle', () => add(1, 2))\n",
    'src/a.test.js': 'needle in js\n',
    'src/util/strings.ts': 'export const NEEDLE = "needle"\nexport const other = 1\n',
    'src/a/z.ts': 'needle in a/z\n',
    'src/a.ts': 'needle in a.ts\n',
    'crlf.txt': 'first needle\r\nsecond\r\nneedle end\r\n',
    'bom.txt': '\uFEFFneedle after a byte-order mark\n',
    'long.txt': `needle ${'x'.repeat(1000)}\n`,
    'dist/bundle.js': 'needle in the build\n',
    'debug.log': 'needle in a log\n',
    'node_modules/dep/index.js': 'needle in a dependency\n',
    '.git/config': 'needle in git\n',
    '.env': 'NEEDLE_TOKEN=secret\n',
    'package-lock.json': '{ "needle": 1 }\n',
    'bin.dat': Buffer.from('needle\0binary\n'),
    'big.txt': `needle\n${'y'.repeat(1024 * 1024)}\n`,
    'slow.txt': `${'a'.repeat(34)}b\n`,
  }
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true })
    await writeFile(join(root, rel), content)
  }
  await mkdir(outside)
  await writeFile(join(outside, 'secret.txt'), 'needle outside\n')
  await symlink(outside, join(root, 'linked'))
  await symlink(join(outside, 'secret.txt'), join(root, 'src', 'link.txt'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

function searcher(engine: 'js' | 'ripgrep', options: Partial<SearchOptions> = {}) {
  return createSearch({
    root,
    ignore: createIgnoreMatcher({ root }),
    rgPath: engine === 'js' ? false : undefined,
    ...options,
  })
}

const ENGINES = [
  { engine: 'js' as const, skip: false, title: 'js engine' },
  {
    engine: 'ripgrep' as const,
    skip: !rgFound,
    title: rgFound ? 'ripgrep engine' : 'ripgrep engine (skipped: rg is not on PATH)',
  },
]

describe('the tool definition', () => {
  it('is a strict tool with only pattern required', () => {
    expect(SEARCH_TOOL.name).toBe(SEARCH_TOOL_NAME)
    expect(SEARCH_TOOL.strict).toBe(true)
    expect(SEARCH_TOOL.input_schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['pattern'],
      properties: {
        pattern: { type: 'string' },
        path: { type: 'string' },
        glob: { type: 'string' },
      },
    })
  })
})

describe.each(ENGINES)('$title', ({ engine, skip }) => {
  const run = async (input: unknown, options: Partial<SearchOptions> = {}) =>
    searcher(engine, options).execute(input)

  it.skipIf(skip)('reports its engine', () => {
    expect(searcher(engine).engine).toBe(engine)
  })

  it.skipIf(skip)('lists matching lines as path:line: text, sorted by path then line', async () => {
    const result = await run({ pattern: 'needle' })
    expect(result.isError, result.content).toBe(false)
    expect(result.content.split('\n')).toEqual([
      '.eslintrc.cjs:1: module.exports = { needle: true }',
      'README.md:3: See needle() in src.',
      'bom.txt:1: needle after a byte-order mark',
      'crlf.txt:1: first needle',
      'crlf.txt:3: needle end',
      `long.txt:1: needle ${'x'.repeat(293)}…`,
      'src/a/z.ts:1: needle in a/z',
      'src/a.test.js:1: needle in js',
      'src/a.ts:1: needle in a.ts',
      "src/math.test.ts:2: test('needle', () => add(1, 2))",
      'src/math.ts:2:   return a - b // needle',
      'src/util/strings.ts:1: export const NEEDLE = "needle"',
    ])
  })

  it.skipIf(skip)(
    'skips ignored, protected, binary, large and linked files, and dependency and git folders',
    async () => {
      const result = await run({ pattern: 'needle' })
      for (const hidden of [
        'dist/',
        'debug.log',
        'node_modules',
        '.git/',
        '.env',
        'package-lock',
        'bin.dat',
        'big.txt',
        'outside',
        'link',
      ]) {
        expect(result.content).not.toContain(hidden)
      }
    },
  )

  it.skipIf(skip)('limits the search to a folder or a file', async () => {
    const inFolder = await run({ pattern: 'needle', path: 'src/util' })
    expect(inFolder.content).toBe('src/util/strings.ts:1: export const NEEDLE = "needle"')
    const inFile = await run({ pattern: 'needle', path: './src/math.ts' })
    expect(inFile.content).toBe('src/math.ts:2:   return a - b // needle')
    const absolute = await run({ pattern: 'needle', path: join(root, 'src', 'a.ts') })
    expect(absolute.content).toBe('src/a.ts:1: needle in a.ts')
  })

  it.skipIf(skip)('filters files by glob, as ripgrep reads globs', async () => {
    const names = async (glob: string) =>
      (await run({ pattern: 'needle', glob })).content
        .split('\n')
        .map((line) => line.slice(0, line.indexOf(':')))
    expect(await names('*.ts')).toEqual([
      'src/a/z.ts',
      'src/a.ts',
      'src/math.test.ts',
      'src/math.ts',
      'src/util/strings.ts',
    ])
    expect(await names('src/**/*.test.{js,ts}')).toEqual(['src/a.test.js', 'src/math.test.ts'])
    expect(await names('src/*.ts')).toEqual(['src/a.ts', 'src/math.test.ts', 'src/math.ts'])
    expect(await names('!src/')).toEqual([
      '.eslintrc.cjs',
      'README.md',
      'bom.txt',
      'crlf.txt',
      'crlf.txt',
      'long.txt',
    ])
  })

  it.skipIf(skip)('caps the lines shown and says how many more there were', async () => {
    const result = await run({ pattern: 'needle' }, { maxMatches: 3 })
    expect(result.content.split('\n')).toEqual([
      '.eslintrc.cjs:1: module.exports = { needle: true }',
      'README.md:3: See needle() in src.',
      'bom.txt:1: needle after a byte-order mark',
      '(9 more matching lines not shown, in 8 more files; narrow the search with path, glob or a more specific pattern.)',
    ])
  })

  it.skipIf(skip)('cuts long lines at maxLineChars', async () => {
    const result = await run({ pattern: 'x{50}' }, { maxLineChars: 20 })
    expect(result.content).toBe(`long.txt:1: needle ${'x'.repeat(13)}…`)
  })

  it.skipIf(skip)('ignores case when the pattern starts with (?i)', async () => {
    const result = await run({ pattern: '(?i)NEEDLE_?TOKEN|needle in A/Z' })
    expect(result.content).toBe('src/a/z.ts:1: needle in a/z')
  })

  it.skipIf(skip)('matches $ before a CRLF line ending', async () => {
    const result = await run({ pattern: 'needle$', path: 'crlf.txt' })
    expect(result.content).toBe('crlf.txt:1: first needle')
  })

  it.skipIf(skip)('says so when nothing matches', async () => {
    expect(await run({ pattern: 'nothing-here' })).toEqual({
      content: 'No matches for /nothing-here/ in the project.',
      isError: false,
    })
    expect((await run({ pattern: 'zzz', path: 'src', glob: '*.ts' })).content).toBe(
      'No matches for /zzz/ in src (files matching *.ts).',
    )
  })

  it.skipIf(skip)('refuses an invalid regular expression', async () => {
    const result = await run({ pattern: 'foo(' })
    expect(result.isError).toBe(true)
    expect(result.content).toBe('Invalid regular expression /foo(/: Unterminated group.')
  })

  it.skipIf(skip)('refuses paths outside the root, through links, missing or ignored', async () => {
    const refused = async (path: string, pattern: RegExp) => {
      const result = await run({ pattern: 'needle', path })
      expect(result.isError, result.content).toBe(true)
      expect(result.content).toMatch(pattern)
    }
    await refused('../outside', /outside the project root/)
    await refused(outside, /outside the project root/)
    await refused('linked', /symbolic link/)
    await refused('linked/secret.txt', /symbolic link/)
    await refused('src/missing.ts', /src\/missing\.ts does not exist/)
    await refused('dist', /dist is ignored/)
    await refused('node_modules/dep', /protected/)
    await refused('.env', /protected/)
    await refused('bin.dat', /binary file/)
    await refused('big.txt', /over search's limit/)
  })

  it.skipIf(skip)('refuses malformed input with a precise message', async () => {
    expect((await run('needle')).content).toMatch(/must be an object/)
    expect((await run({})).content).toBe('pattern is missing.')
    expect((await run({ pattern: '' })).content).toMatch(/pattern is empty/)
    expect((await run({ pattern: 'a\\nb' })).content).toMatch(/one line at a time/)
    expect((await run({ pattern: 'x', glob: 'src/[ab' })).content).toMatch(/Invalid glob/)
    expect((await run({ pattern: 'x', path: 3 })).content).toMatch(/path must be a string/)
  })

  it.skipIf(skip)('keeps out what the editor was told to protect too', async () => {
    const isProtected = (rel: string) => (rel.startsWith('src/util') ? 'generated' : null)
    const result = await run({ pattern: 'NEEDLE' }, { isProtected })
    expect(result.content).toBe('No matches for /NEEDLE/ in the project.')
    expect((await run({ pattern: 'x', path: 'src/util' }, { isProtected })).content).toMatch(
      /src\/util is protected \(generated\)/,
    )
  })

  it.skipIf(skip)('accepts null for the optional fields', async () => {
    const result = await run({ pattern: 'needle in js', path: null, glob: null })
    expect(result.content).toBe('src/a.test.js:1: needle in js')
  })

  it.skipIf(skip)('answers a cancelled call with an error', async () => {
    const controller = new AbortController()
    controller.abort()
    const result = await searcher(engine).execute({ pattern: 'needle' }, controller.signal)
    expect(result).toEqual({ content: 'The search was cancelled before it ran.', isError: true })
  })
})

describe.each(ENGINES)('hard links ($title)', ({ engine, skip }) => {
  // A project with src/hard.txt, a hard link to a file outside it, and its shadow copy, where the
  // same file is a plain copy (one link) of the outside content.
  let dir: string
  let project: string
  let shadow: string
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'fixloop-search-links-')))
    project = join(dir, 'project')
    shadow = join(dir, 'shadow')
    await mkdir(join(dir, 'outside'))
    await writeFile(join(dir, 'outside', 'secret.txt'), 'needle outside\n')
    for (const tree of [project, shadow]) {
      await mkdir(join(tree, 'src'), { recursive: true })
      await writeFile(join(tree, 'src', 'ok.ts'), 'needle ok\n')
    }
    await link(join(dir, 'outside', 'secret.txt'), join(project, 'src', 'hard.txt'))
    await copyFile(join(project, 'src', 'hard.txt'), join(shadow, 'src', 'hard.txt'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const search = (tree: string, options: Partial<SearchOptions> = {}) =>
    createSearch({
      root: tree,
      ignore: createIgnoreMatcher({ root: tree }),
      rgPath: engine === 'js' ? false : undefined,
      ...options,
    })

  it.skipIf(skip)('leaves a hard-linked file out of a search of the project', async () => {
    const result = await search(project).execute({ pattern: 'needle' })
    expect(result.content).toBe('src/ok.ts:1: needle ok')
  })

  it.skipIf(skip)("leaves it out of the shadow's search, judged by the user's file", async () => {
    const result = await search(shadow, { aliases: [project] }).execute({ pattern: 'needle' })
    expect(result.content).toBe('src/ok.ts:1: needle ok')
  })

  it.skipIf(skip)('refuses a hard-linked file named as path, with the reason', async () => {
    for (const [tree, options] of [
      [project, {}],
      [shadow, { aliases: [project] }],
    ] as const) {
      const result = await search(tree, options).execute({
        pattern: 'needle',
        path: 'src/hard.txt',
      })
      expect(result.isError).toBe(true)
      expect(result.content).toMatch(/^src\/hard\.txt is a hard link/)
    }
  })
})

describe('the js engine', () => {
  it('stops a catastrophically backtracking pattern at the timeout', async () => {
    const search = searcher('js', { timeoutMs: 300 })
    const started = Date.now()
    const result = await search.execute({ pattern: '^(a+)+$', path: 'slow.txt' })
    expect(result).toEqual({
      content:
        'The search timed out after 0.3 s. Narrow it with path or glob, or a more specific pattern.',
      isError: true,
    })
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('supports look-around, which ripgrep lacks', async () => {
    const result = await searcher('js').execute({ pattern: 'needle(?= in js)' })
    expect(result.content).toBe('src/a.test.js:1: needle in js')
  })
})

describe.skipIf(!rgFound)(
  rgFound ? 'ripgrep and the js engine' : 'ripgrep and the js engine (skipped: rg is not on PATH)',
  () => {
    it('give the same answers', async () => {
      const queries: unknown[] = [
        { pattern: 'needle' },
        { pattern: 'e' },
        { pattern: '^export' },
        { pattern: '(?i)readme|demo' },
        { pattern: 'needle$' },
        { pattern: 'needle', glob: '*.ts' },
        { pattern: 'needle', glob: '!*.ts' },
        { pattern: 'needle', path: 'src', glob: '**/a*' },
        { pattern: '\\bneedle\\b', path: 'src/math.ts' },
        { pattern: 'x+' },
        { pattern: 'nope' },
        { pattern: 'foo(' },
        { pattern: 'needle', path: 'linked' },
      ]
      for (const maxMatches of [200, 2]) {
        const js = searcher('js', { maxMatches, maxLineChars: 40 })
        const rg = searcher('ripgrep', { maxMatches, maxLineChars: 40 })
        for (const query of queries) {
          expect(await rg.execute(query), JSON.stringify(query)).toEqual(await js.execute(query))
        }
      }
    })

    it('falls back to the js engine for look-around', async () => {
      const result = await searcher('ripgrep').execute({ pattern: 'needle(?= in js)' })
      expect(result.content).toBe('src/a.test.js:1: needle in js')
    })

    it('refuses an rgPath that is not executable', () => {
      expect(() => searcher('ripgrep', { rgPath: join(base, 'no-such-rg') })).toThrow(
        /not an executable/,
      )
    })
  },
)

describe('globs', () => {
  it.each([
    ['*.ts', 'a/b/c.ts', true],
    ['*.ts', 'c.tsx', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/x/a.ts', false],
    ['src/*.ts', 'lib/src/a.ts', false],
    ['src/**/*.test.js', 'src/a.test.js', true],
    ['src/**/*.test.js', 'src/x/y/a.test.js', true],
    ['**/fixtures/**', 'test/fixtures/a.json', true],
    ['*.{ts,tsx}', 'a.tsx', true],
    ['[ab].ts', 'b.ts', true],
    ['[!ab].ts', 'b.ts', false],
    ['src', 'src/a.ts', false],
    ['!*.min.js', 'app.min.js', false],
    ['!*.min.js', 'app.js', true],
    ['!vendor/', 'vendor/a.js', false],
    ['!vendor/', 'src/vendor/a.js', false],
    ['!/vendor', 'src/vendor/a.js', true],
  ])('%s on %s is %s', (glob, path, expected) => {
    expect(compileGlob(glob)(path)).toBe(expected)
  })

  it('orders paths segment by segment', () => {
    expect(['a.ts', 'a/b.ts', 'a-b.ts', 'A.ts'].sort(comparePaths)).toEqual([
      'A.ts',
      'a/b.ts',
      'a-b.ts',
      'a.ts',
    ])
  })
})
