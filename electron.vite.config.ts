import { readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

/**
 * The warm test runners' scripts run under the project's node, not in this bundle: shipped as files
 * in out/main/warm (inside app.asar, where src/main/core/checks/warm/worker-source.ts reads them).
 */
function warmWorkers(): Plugin {
  const dir = resolve('src/main/core/checks/warm')
  return {
    name: 'fixloop-warm-workers',
    generateBundle() {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs')))
        this.emitFile({
          type: 'asset',
          fileName: `warm/${file}`,
          source: readFileSync(join(dir, file), 'utf8'),
        })
    },
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('src/main/index.ts') } },
    },
    plugins: [warmWorkers()],
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load ES modules: bundle it as one CommonJS file.
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
  },
})
