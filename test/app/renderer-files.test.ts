import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRendererHandler, resolveRendererFile } from '../../src/main/app/renderer-files-logic'
import { CONTENT_SECURITY_POLICY } from '../../src/main/app/security-logic'

let base: string
let root: string

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'fixloop-renderer-'))
  root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Fixloop</title>')
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets', 'a b.css'), 'body{}')
  writeFileSync(join(root, '.secret'), 'hidden')
  writeFileSync(join(base, 'outside.txt'), 'outside')
  mkdirSync(join(base, 'renderer-evil'))
  writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil')
  symlinkSync(join(base, 'outside.txt'), join(root, 'assets', 'link.txt'))
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

const handler = () => createRendererHandler(root)
const get = (url: string, method = 'GET') => handler()(new Request(url, { method }))

describe('resolveRendererFile', () => {
  it('serves index.html for the root and files inside the folder', async () => {
    expect((await resolveRendererFile(root, 'app://fixloop/'))?.path).toMatch(/index\.html$/)
    expect(await resolveRendererFile(root, 'app://fixloop/assets/index-abc.js')).toMatchObject({
      contentType: 'text/javascript; charset=utf-8',
    })
    expect(await resolveRendererFile(root, 'app://fixloop/assets/a%20b.css')).toMatchObject({
      contentType: 'text/css; charset=utf-8',
    })
  })

  it('ignores the query and the hash', async () => {
    const file = await resolveRendererFile(root, 'app://fixloop/index.html?x=1#/task/task_1')
    expect(file?.path).toMatch(/index\.html$/)
  })

  it.each([
    ['another host', 'app://evil/index.html'],
    ['another scheme', 'file:///index.html'],
    ['parent segments', 'app://fixloop/../outside.txt'],
    ['encoded parent segments', 'app://fixloop/%2e%2e/outside.txt'],
    ['encoded slashes', 'app://fixloop/..%2foutside.txt'],
    ['backslashes', 'app://fixloop/..%5coutside.txt'],
    ['a sibling folder with the same prefix', 'app://fixloop/../renderer-evil/x.js'],
    ['a dotfile', 'app://fixloop/.secret'],
    ['a NUL byte', 'app://fixloop/index.html%00.js'],
    ['bad percent-encoding', 'app://fixloop/%E0%A4%A'],
    ['a symlink leading out', 'app://fixloop/assets/link.txt'],
    ['a folder', 'app://fixloop/assets'],
    ['a missing file', 'app://fixloop/nope.js'],
    ['not a URL', 'fixloop index'],
  ])('refuses %s', async (_what, url) => {
    expect(await resolveRendererFile(root, url)).toBeNull()
  })
})

describe('createRendererHandler', () => {
  it('answers with the file and the security headers', async () => {
    const res = await get('app://fixloop/index.html')
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<title>Fixloop</title>')
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('no-cache')
  })

  it('caches hashed assets for good', async () => {
    const res = await get('app://fixloop/assets/index-abc.js')
    expect(res.headers.get('cache-control')).toMatch(/immutable/)
  })

  it('answers 404 with the CSP for anything it refuses', async () => {
    const res = await get('app://fixloop/%2e%2e/outside.txt')
    expect(res.status).toBe(404)
    expect(await res.text()).not.toContain('outside')
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('app://fixloop/index.html', 'POST')).status).toBe(405)
    const head = await get('app://fixloop/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})
