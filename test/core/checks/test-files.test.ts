import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  compareWalkOrder,
  isTestFile,
  listProjectFiles,
  matchGlob,
  selectTestsByName,
} from '../../../src/main/core/checks/test-files'
import { tempDir } from './fixtures'

const TESTS = [
  'src/cart.test.ts',
  'src/cart.spec.ts',
  'src/pay/__tests__/card.ts',
  'test/pay/refund.test.ts',
  'tests/deep/ledger.test.js',
  'packages/a/test/util-x.test.ts',
  'test/index.test.ts',
  'other/invoice.test.ts',
]

describe('selectTestsByName', () => {
  it('pairs a source with its sibling .test and .spec', () => {
    expect(selectTestsByName(['src/cart.ts'], TESTS, 'jest').selection).toEqual([
      { file: 'src/cart.test.ts', reason: 'name', because: 'src/cart.ts' },
      { file: 'src/cart.spec.ts', reason: 'name', because: 'src/cart.ts' },
    ])
  })

  it('pairs through __tests__ and a test/ tree mirroring src/', () => {
    expect(
      selectTestsByName(['src/pay/card.ts'], TESTS, 'jest').selection.map((s) => s.file),
    ).toEqual(['src/pay/__tests__/card.ts'])
    expect(
      selectTestsByName(['src/pay/refund.ts'], TESTS, 'node').selection.map((s) => s.file),
    ).toEqual(['test/pay/refund.test.ts'])
    expect(
      selectTestsByName(['lib/deep/ledger.js'], TESTS, 'node').selection.map((s) => s.file),
    ).toEqual(['tests/deep/ledger.test.js'])
    expect(
      selectTestsByName(['packages/a/src/util-x.ts'], TESTS, 'node').selection.map((s) => s.file),
    ).toEqual(['packages/a/test/util-x.test.ts'])
  })

  it('falls back to the same file stem elsewhere, but not for generic stems like index', () => {
    expect(
      selectTestsByName(['src/billing/invoice.ts'], TESTS, 'node').selection.map((s) => s.file),
    ).toEqual(['other/invoice.test.ts'])
    expect(selectTestsByName(['src/deep/index.ts'], TESTS, 'node')).toEqual({
      selection: [],
      unpaired: ['src/deep/index.ts'],
    })
    expect(selectTestsByName(['src/index.ts'], TESTS, 'node').selection.map((s) => s.file)).toEqual(
      ['test/index.test.ts'],
    )
  })

  it('selects a changed test file itself, and nothing for non-code files', () => {
    expect(selectTestsByName(['test/pay/refund.test.ts', 'README.md'], TESTS, 'node')).toEqual({
      selection: [
        { file: 'test/pay/refund.test.ts', reason: 'name', because: 'test/pay/refund.test.ts' },
      ],
      unpaired: [],
    })
  })

  it('collapses a test chosen by several changes into one entry', () => {
    expect(
      selectTestsByName(['src/cart.ts', 'src/cart.js'], ['src/cart.test.ts'], 'node').selection,
    ).toHaveLength(1)
  })

  it('reports a helper in a test folder as unpaired rather than selecting it alone', () => {
    expect(
      selectTestsByName(['test/support/fake-server.js'], ['test/support/fake-server.js'], 'node'),
    ).toEqual({
      selection: [],
      unpaired: ['test/support/fake-server.js'],
    })
  })
})

describe('isTestFile', () => {
  it("follows each runner's naming rules", () => {
    expect(isTestFile('src/a.test.ts', 'vitest')).toBe(true)
    expect(isTestFile('src/__tests__/a.ts', 'vitest')).toBe(false)
    expect(isTestFile('src/__tests__/a.ts', 'jest')).toBe(true)
    expect(isTestFile('test/helpers.js', 'jest')).toBe(false)
    expect(isTestFile('test/helpers.js', 'node')).toBe(true)
    expect(isTestFile('src/a-test.mjs', 'node')).toBe(true)
    expect(isTestFile('src/test-a.cjs', 'node')).toBe(true)
    expect(isTestFile('src/contest.js', 'node')).toBe(false)
    expect(isTestFile('src/a.test.d.ts', 'node')).toBe(false)
    expect(isTestFile('src/a.test.json', 'node')).toBe(false)
  })
})

describe('listProjectFiles', () => {
  it('lists files relative to the root and skips node_modules, build output and dot folders', () => {
    const root = tempDir()
    for (const f of [
      'src/a.ts',
      'node_modules/x/a.test.js',
      'dist/a.test.js',
      '.git/a',
      'src/.cache/b.ts',
      'a b/"q".ts',
    ]) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true })
      writeFileSync(path.join(root, f), '')
    }
    expect(listProjectFiles(root)).toEqual(['a b/"q".ts', 'src/a.ts'])
  })
})

describe('compareWalkOrder', () => {
  it('sorts paths as listProjectFiles lists them: folder by folder', () => {
    const root = tempDir()
    const files = ['a-c.ts', 'a/b.ts', 'a.ts', 'ab/c.ts', 'a b/d.ts', 'B.ts', 'a/b/c.ts', 'a/a.ts']
    for (const f of files) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true })
      writeFileSync(path.join(root, f), '')
    }
    const walked = listProjectFiles(root)
    expect([...files].sort(compareWalkOrder)).toEqual(walked)
    // Plain string order differs: it puts a-c.ts before a/b.ts
    expect([...files].sort()).not.toEqual(walked)
  })
})

describe('matchGlob', () => {
  const files = ['test/a.test.js', 'test/sub/b.test.js', 'test/c.js', 'src/d.test.mjs']
  it('expands *, ** and {a,b} like a shell with globstar', () => {
    expect(matchGlob('test/*.test.js', files)).toEqual(['test/a.test.js'])
    expect(matchGlob('test/**/*.test.js', files)).toEqual(['test/a.test.js', 'test/sub/b.test.js'])
    expect(matchGlob('./{test,src}/*.test.{js,mjs}', files)).toEqual([
      'test/a.test.js',
      'src/d.test.mjs',
    ])
  })
})
