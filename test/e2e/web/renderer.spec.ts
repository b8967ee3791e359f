import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { expect, test } from '@playwright/test'

const root = join(process.cwd(), 'out', 'renderer')
const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
}

let server: Server
let base = ''

test.beforeAll(async () => {
  expect(existsSync(join(root, 'index.html')), 'run `npm run build` first').toBe(true)
  server = createServer((req, res) => {
    const path = normalize(join(root, new URL(req.url ?? '/', 'http://x').pathname))
    const file = path.endsWith('/') ? join(path, 'index.html') : path
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

test('the built renderer loads under its CSP and says when no engine is connected', async ({
  page,
}) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  await page.goto(`${base}/index.html`)
  await expect(page.getByRole('heading', { name: 'Fixloop' })).toBeVisible()
  await expect(page.getByRole('status')).toHaveText(/No connection to the engine/)
  expect(errors).toEqual([])
})
