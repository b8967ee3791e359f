import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from '@playwright/test'

// Shadow workspaces of the tests' temp projects go to a temp folder, not the user's cache (the
// engines the tests start inherit it).
process.env.FIXLOOP_CACHE_DIR ??= join(tmpdir(), 'fixloop-test-cache')

/**
 * Browser tests run in Debian's Chromium where it is installed (this CI has no browser downloads);
 * on a developer laptop Playwright's own bundled browser is used.
 */
const systemChromium = process.env.FIXLOOP_CHROMIUM ?? '/usr/bin/chromium'
const useSystemChromium = existsSync(systemChromium)

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: 'test-results',
  projects: [
    {
      name: 'web',
      testMatch: 'web/**/*.spec.ts',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: useSystemChromium
          ? {
              executablePath: systemChromium,
              args: [
                '--no-sandbox',
                '--disable-gpu',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                '--no-first-run',
              ],
            }
          : {},
      },
    },
    {
      name: 'electron',
      testMatch: 'electron/**/*.spec.ts',
    },
  ],
})
