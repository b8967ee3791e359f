import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/fixtures/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Shadow workspaces of the tests' temp projects go to a temp folder, not the user's cache.
    env: {
      FIXLOOP_CACHE_DIR: process.env.FIXLOOP_CACHE_DIR ?? join(tmpdir(), 'fixloop-test-cache'),
    },
  },
})
