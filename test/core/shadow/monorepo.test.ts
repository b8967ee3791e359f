import { realpathSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runNode, shadowFixture } from './support/shadow-project'
import type { ShadowFixture } from './support/shadow-project'

const fixtures: ShadowFixture[] = []
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()))
})

/** An npm-workspaces monorepo as `npm install` leaves it: packages linked into node_modules. */
function monorepo() {
  const f = shadowFixture({
    'package.json': JSON.stringify({ name: 'demo', private: true, workspaces: ['packages/*'] }),
    'packages/a/package.json': JSON.stringify({
      name: '@demo/a',
      type: 'module',
      main: 'index.js',
    }),
    'packages/a/index.js': [
      "import { greet } from '@demo/b'",
      "import { createRequire } from 'node:module'",
      "import { pad } from 'left-pad'",
      'const require = createRequire(import.meta.url)',
      "console.log(JSON.stringify({ greet: greet(), pad: pad(), esm: import.meta.resolve('@demo/b'), cjs: require.resolve('@demo/b'), padAt: require.resolve('left-pad') }))",
    ].join('\n'),
    'packages/b/package.json': JSON.stringify({
      name: '@demo/b',
      type: 'module',
      exports: { '.': { import: './index.js', require: './index.cjs' } },
    }),
    'packages/b/index.js': "export const greet = () => 'hello from the project'\n",
    'packages/b/index.cjs': 'module.exports = {}\n',
    'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', main: 'index.js' }),
    'node_modules/left-pad/index.js': "exports.pad = () => 'padded'\n",
  })
  fixtures.push(f)
  f.link('node_modules/@demo/a', '../../packages/a')
  f.link('node_modules/@demo/b', '../../packages/b')
  return f
}

describe('a monorepo in the shadow', () => {
  it("resolves a sibling workspace package to the shadow's copy, and other packages to the project's", async () => {
    const f = monorepo()
    const pool = f.pool()
    const lease = await pool.lease([])
    const out = JSON.parse(
      await runNode(path.join(lease.root, 'packages/a'), "import('./index.js')"),
    )
    expect(out.greet).toBe('hello from the project')
    expect(out.esm).toBe(`file://${path.join(lease.root, 'packages/b/index.js')}`)
    expect(out.cjs).toBe(path.join(lease.root, 'packages/b/index.cjs'))
    expect(realpathSync(out.padAt)).toBe(f.file('node_modules/left-pad/index.js'))
    expect(out.pad).toBe('padded')
    await lease.release()
  })

  it("gives packages/a the shadow's packages/b, so a change there is what a runs", async () => {
    const f = monorepo()
    const pool = f.pool()
    const lease = await pool.lease([])
    writeFileSync(
      path.join(lease.root, 'packages/b/index.js'),
      "export const greet = () => 'hello from the shadow'\n",
    )
    const out = JSON.parse(
      await runNode(path.join(lease.root, 'packages/a'), "import('./index.js')"),
    )
    expect(out.greet).toBe('hello from the shadow')
    // ...and the project's own packages/a still gets the project's packages/b
    const mine = JSON.parse(await runNode(f.file('packages/a'), "import('./index.js')"))
    expect(mine.greet).toBe('hello from the project')
    await lease.release(['packages/b/index.js'])
    const after = JSON.parse(
      await runNode(path.join(lease.root, 'packages/a'), "import('./index.js')"),
    )
    expect(after.greet).toBe('hello from the project')
  })
})
