import { afterEach, describe, expect, it } from 'vitest'
import {
  createIgnoreMatcher,
  parseGitignore,
  rebaseRule,
} from '../../../src/main/core/watch/ignore-rules'
import { tempProject } from './support/temp-project'

type Project = Awaited<ReturnType<typeof tempProject>>
const projects: Project[] = []

async function project(files: Record<string, string> = {}): Promise<Project> {
  const created = await tempProject(files)
  projects.push(created)
  return created
}

afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.remove()))
})

describe('built-in defaults', () => {
  it('ignore dependencies, VCS, Fixloop state, build outputs, editor temp files and logs', async () => {
    const { root } = await project()
    const matcher = createIgnoreMatcher({ root })
    const ignored = [
      'node_modules/react/index.js',
      'packages/a/node_modules/x.js',
      '.git/HEAD',
      '.fixloop/state.json',
      'dist/index.js',
      'out/main.js',
      'build/app.js',
      'coverage/lcov.info',
      '.next/cache/x',
      'src/index.ts~',
      'src/.index.ts.swp',
      'src/.index.ts.swx',
      'src/.#index.ts',
      'src/#index.ts#',
      'src/4913',
      'src/index.ts.tmp',
      '.DS_Store',
      'debug.log',
      'npm-debug.log.1',
    ]
    for (const rel of ignored) expect(matcher.ignores(rel), rel).toBe(true)
    for (const rel of ['src/index.ts', 'README.md', 'package.json', 'src/build.ts']) {
      expect(matcher.ignores(rel), rel).toBe(false)
    }
  })

  it('`dist/` matches a folder, not a file whose name starts with dist', async () => {
    const { root } = await project()
    const matcher = createIgnoreMatcher({ root })
    expect(matcher.ignores('src/distance.ts', false)).toBe(false)
    expect(matcher.ignores('dist', true)).toBe(true)
    expect(matcher.ignores('src/dist', true)).toBe(true)
    expect(matcher.ignores('src/dist/x.js', false)).toBe(true)
    // A file named exactly `dist` is not a folder
    expect(matcher.ignores('dist', false)).toBe(false)
  })

  it('can be turned off, except .git and .fixloop', async () => {
    const { root } = await project()
    const matcher = createIgnoreMatcher({ root, defaults: false })
    expect(matcher.ignores('node_modules/x/index.js')).toBe(false)
    expect(matcher.ignores('.git/HEAD')).toBe(true)
    expect(matcher.ignores('.fixloop/state.json')).toBe(true)
  })
})

describe('user patterns', () => {
  it('`*.test.ts` matches by the full name, not the last extension', async () => {
    const { root } = await project()
    const matcher = createIgnoreMatcher({ root, userPatterns: ['*.test.ts'] })
    expect(matcher.ignores('src/a.test.ts')).toBe(true)
    expect(matcher.ignores('a.test.ts')).toBe(true)
    expect(matcher.ignores('src/a.ts')).toBe(false)
    expect(matcher.ignores('src/a.test.tsx')).toBe(false)
  })

  it('win over the defaults and the project, but cannot re-include .git or .fixloop', async () => {
    const { root } = await project({ '.gitignore': 'generated/\n' })
    const matcher = createIgnoreMatcher({
      root,
      userPatterns: ['!build/', '!generated/', '!.fixloop/'],
    })
    expect(matcher.ignores('build/icon.png')).toBe(false)
    expect(matcher.ignores('generated/api.ts')).toBe(false)
    expect(matcher.ignores('.fixloop/state.json')).toBe(true)
  })
})

describe("the project's .gitignore", () => {
  it('applies the root .gitignore with negations and anchors', async () => {
    const { root } = await project({
      '.gitignore': '# generated\n/gen/\n*.snap\n!keep.snap\ntmp-*\n\n',
    })
    const matcher = createIgnoreMatcher({ root })
    expect(matcher.ignores('gen/a.ts')).toBe(true)
    // Anchored: only at the root
    expect(matcher.ignores('src/gen/a.ts')).toBe(false)
    expect(matcher.ignores('src/__snapshots__/a.snap')).toBe(true)
    expect(matcher.ignores('src/keep.snap')).toBe(false)
    expect(matcher.ignores('tmp-1.txt')).toBe(true)
  })

  it('applies nested .gitignore files relative to their folder, deeper ones winning', async () => {
    const { root } = await project({
      '.gitignore': '*.gen.ts\n',
      'packages/a/.gitignore': 'fixtures/\n/local.ts\n!keep.gen.ts\n',
      'node_modules/x/.gitignore': '!*\n',
    })
    const matcher = createIgnoreMatcher({ root })
    expect(matcher.ignores('packages/a/fixtures/x.json')).toBe(true)
    expect(matcher.ignores('packages/a/src/fixtures/x.json')).toBe(true)
    expect(matcher.ignores('packages/b/fixtures/x.json')).toBe(false)
    expect(matcher.ignores('packages/a/local.ts')).toBe(true)
    expect(matcher.ignores('packages/a/src/local.ts')).toBe(false)
    expect(matcher.ignores('packages/a/src/keep.gen.ts')).toBe(false)
    expect(matcher.ignores('packages/b/keep.gen.ts')).toBe(true)
    // An ignored folder's own .gitignore is never read, so it cannot re-include anything
    expect(matcher.ignores('node_modules/x/index.js')).toBe(true)
  })

  it('re-reads a .gitignore after invalidate()', async () => {
    const p = await project({ '.gitignore': 'a.ts\n' })
    const matcher = createIgnoreMatcher({ root: p.root })
    expect(matcher.ignores('a.ts')).toBe(true)
    await p.write('.gitignore', 'b.ts\n')
    matcher.invalidate('')
    expect(matcher.ignores('a.ts')).toBe(false)
    expect(matcher.ignores('b.ts')).toBe(true)
  })
})

describe('extension allow-list', () => {
  it('lets only files with the listed extensions through, never shutting out folders', async () => {
    const { root } = await project()
    const matcher = createIgnoreMatcher({ root, extensions: ['ts', '.js'] })
    expect(matcher.ignores('src/a.ts', false)).toBe(false)
    expect(matcher.ignores('src/a.test.ts', false)).toBe(false)
    expect(matcher.ignores('src/b.JS', false)).toBe(false)
    expect(matcher.ignores('README.md', false)).toBe(true)
    expect(matcher.ignores('Makefile', false)).toBe(true)
    expect(matcher.ignores('src', true)).toBe(false)
    // Type unknown: judged leniently, the batch decides once it knows
    expect(matcher.ignores('README.md')).toBe(false)
  })
})

describe('ignoredDirGlobs', () => {
  it('names the ignored folders as root-relative globs', async () => {
    const { root } = await project({
      '.gitignore': '/generated/\n*.egg-info/\nsrc/cache/\n*.log\n',
    })
    const globs = createIgnoreMatcher({ root }).ignoredDirGlobs()
    expect(globs).toEqual(
      expect.arrayContaining([
        '**/node_modules',
        '**/dist',
        '**/.git',
        '**/.fixloop',
        'generated',
        '**/*.egg-info',
        'src/cache',
      ]),
    )
    // Wildcard file patterns are filtered per event instead
    expect(globs).not.toContain('**/*.log')
  })

  it('leaves out a folder a later negation may re-include', async () => {
    const { root } = await project({ '.gitignore': '!build/\n' })
    const globs = createIgnoreMatcher({
      root,
      userPatterns: ['cache/', '!*cache*'],
    }).ignoredDirGlobs()
    expect(globs).not.toContain('**/build')
    expect(globs).not.toContain('**/cache')
    expect(globs).toContain('**/dist')
  })
})

describe('gitignore text', () => {
  it('parses lines, dropping comments and blanks, keeping escaped leading characters', () => {
    expect(parseGitignore('# c\r\na\r\n\n  \n\\#b\nc   \nd\\ \n')).toEqual([
      'a',
      '\\#b',
      'c',
      'd\\ ',
    ])
  })

  it('rebases a nested rule onto the root', () => {
    expect(rebaseRule('foo', 'pkg')).toBe('pkg/**/foo')
    expect(rebaseRule('/foo', 'pkg')).toBe('pkg/foo')
    expect(rebaseRule('a/b/', 'pkg')).toBe('pkg/a/b/')
    expect(rebaseRule('!keep/', 'pkg/x')).toBe('!pkg/x/**/keep/')
    expect(rebaseRule('foo', '')).toBe('foo')
  })
})
