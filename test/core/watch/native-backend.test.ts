import { describe, expect, it } from 'vitest'
import { compactIgnores } from '../../../src/main/core/watch/native-backend'

describe('compactIgnores', () => {
  const compact = compactIgnores([
    '**/node_modules',
    '**/dist',
    '**/*.egg-info',
    '**/.git',
    'generated',
    'src/*/gen',
    'x/**/y',
  ])
  const regexp = compact.find((entry): entry is RegExp => entry instanceof RegExp)

  it('keeps plain paths, turns every simple glob into one RegExp, passes the rest through', () => {
    expect(compact.filter((entry) => typeof entry === 'string')).toEqual(['generated', 'x/**/y'])
    expect(compact.filter((entry) => entry instanceof RegExp)).toHaveLength(1)
  })

  it('matches what the globs match, at any depth, with either separator', () => {
    const ignored = [
      'node_modules',
      'packages/a/node_modules',
      'dist',
      'src/dist',
      'pkg.egg-info',
      'py/pkg.egg-info',
      '.git',
      'src/x/gen',
      'src\\x\\gen',
      'packages\\a\\node_modules',
    ]
    for (const rel of ignored) expect(regexp?.test(rel), rel).toBe(true)
  })

  it('does not match look-alikes', () => {
    const kept = ['distance.ts', 'src/distance.ts', 'a.git', 'src/x/gen/a.ts', 'src/gen', 'xdist']
    for (const rel of kept) expect(regexp?.test(rel), rel).toBe(false)
  })

  it('keeps an absolute path a path, whatever its characters', () => {
    expect(compactIgnores(['/tmp/proj (1)/secret'])).toEqual(['/tmp/proj (1)/secret'])
  })

  it('has no flags (the native matcher rejects them)', () => {
    expect(regexp?.flags).toBe('')
  })
})
