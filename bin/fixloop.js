#!/usr/bin/env node
// The `fixloop` command. It runs the CLI built into out/cli by `npm run build`.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const entry = fileURLToPath(new URL('../out/cli/index.js', import.meta.url))
if (!existsSync(entry)) {
  process.stderr.write(
    'fixloop: the CLI is not built yet. Run `npm run build` in the Fixloop folder first.\n',
  )
  process.exit(2)
}
const { main } = await import(pathToFileURL(entry).href)
process.exitCode = await main(process.argv.slice(2))
