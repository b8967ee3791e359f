// Bundles the headless CLI (src/main/cli) into out/cli/index.js for Node 20+.
// Dependencies stay external (they are installed next to it), except zod and immer: both are needed
// at every start (the state store), and zod ships as a few hundred ES modules, whose resolution by
// Node cost ~45 ms of start-up (issue 13); bundled they are one parse.
// Splitting keeps what `await import()` loads (the dashboard server and its WebSocket library) in
// chunks of their own beside index.js, so a command that does not need them does not load them.
import { cpSync, readdirSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { build } from 'esbuild'

const outdir = 'out/cli'
const result = await build({
  entryPoints: { index: 'src/main/cli/index.ts' },
  outdir,
  // Beside index.js, not in a subfolder: modules that find files from import.meta.url
  // (renderer-dir.ts) then resolve the same from a chunk as from the entry.
  chunkNames: 'chunk-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  plugins: [externalDependencies(['zod', 'immer'])],
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
})

// The warm test runners' scripts run under the project's node, not in this bundle: shipped as files
// beside it, in out/cli/warm, where src/main/core/checks/warm/worker-source.ts reads them.
const warmDir = 'src/main/core/checks/warm'
for (const file of readdirSync(warmDir).filter((f) => f.endsWith('.mjs')))
  cpSync(join(warmDir, file), join(outdir, 'warm', file))

// Chunks of earlier builds have other hashes; nothing refers to them any more.
const current = new Set(Object.keys(result.metafile.outputs).map((file) => basename(file)))
for (const file of readdirSync(outdir)) {
  if (file.startsWith('chunk-') && !current.has(file)) rmSync(join(outdir, file), { force: true })
}

/** Every bare import (a package or `node:`) stays external, except the packages named. */
function externalDependencies(bundled) {
  return {
    name: 'external-dependencies',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = args.path.startsWith('@')
          ? args.path.split('/').slice(0, 2).join('/')
          : args.path.split('/')[0]
        return bundled.includes(name) ? undefined : { path: args.path, external: true }
      })
    },
  }
}
