import { describe, expect, it } from 'vitest'
import { rebaseRunner } from '../../../src/main/core/checks'
import type { RunnerInfo } from '../../../src/main/core/checks'

const runner: RunnerInfo = {
  kind: 'vitest',
  root: '/p',
  exec: ['/p/node_modules/.bin/vitest'],
  options: ['--config=/p/vitest.config.ts', '--dir', '/p/src', '/pother/x'],
  suiteArgs: ['/p/test'],
  env: { CONFIG: '/p/env.json', NAME: 'p' },
  template: null,
  description: 'vitest',
}

describe('rebaseRunner', () => {
  it('moves the root and every path under it into the copy, and nothing else', () => {
    const moved = rebaseRunner(runner, '/shadow/w0')
    expect(moved.root).toBe('/shadow/w0')
    expect(moved.exec).toEqual(['/shadow/w0/node_modules/.bin/vitest'])
    expect(moved.options).toEqual([
      '--config=/shadow/w0/vitest.config.ts',
      '--dir',
      '/shadow/w0/src',
      '/pother/x',
    ])
    expect(moved.suiteArgs).toEqual(['/shadow/w0/test'])
    expect(moved.env).toEqual({ CONFIG: '/shadow/w0/env.json', NAME: 'p' })
  })
})
