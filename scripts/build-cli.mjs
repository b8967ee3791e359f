// Bundles the headless CLI (src/main/cli) into out/cli/index.js for Node 20+.
// Dependencies stay external: they are installed next to it.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/main/cli/index.ts'],
  outfile: 'out/cli/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
