import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'

// Electron's binary is fetched by the `electron` package on first use; where it could not be
// downloaded (no internet, ELECTRON_SKIP_BINARY_DOWNLOAD=1) there is nothing to launch.
const electronDir = join(process.cwd(), 'node_modules', 'electron')
const hasBinary = existsSync(join(electronDir, 'path.txt'))

test.skip(
  !hasBinary,
  'Electron binary not installed (node_modules/electron/path.txt missing): run `npx electron --version` on a machine with internet, then `npm run test:electron`',
)

test('the app starts to the tray with no window', async () => {
  const app = await electron.launch({ args: [join(process.cwd(), 'out', 'main', 'index.js')] })
  try {
    await expect.poll(() => app.windows().length).toBe(0)
  } finally {
    await app.close()
  }
})
