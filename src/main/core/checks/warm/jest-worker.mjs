/**
 * Fixloop's warm jest runner: a long-lived process that loads the project's own jest once and runs
 * each request through its Node API (`runCLI`, with the argv parsed by jest-cli's `buildArgv`), so
 * a check skips loading jest, its transformers and its config readers again. jest itself reads the
 * config, crawls the files and builds a fresh module registry on every `runCLI`, so edits, new
 * files and config changes are seen without anything here; its transform cache is by content.
 * Measured on a small project: a cold `jest` process ~610 ms, a warm `runCLI` ~100 ms (p50).
 *
 * Plain JavaScript with no import of Fixloop's, run as `node --input-type=module --eval <this
 * file's text> <options JSON>` inside the check sandbox (see vitest-worker.mjs, whose protocol this
 * follows: requests `{ id, args }` on stdin, `output` messages and one reply a request on fd 3;
 * `args` is the argv a cold check passes after jest's binary). Replies: `result` (exit code and a
 * report in jest's `--json` shape), `unsupported` (no runCLI/buildArgv in this jest), `error`.
 *
 * Tests run in this process when jest runs them in band (a few fast ones), as `jest --watch` runs
 * them; what they leave behind (a server never closed) stays until the process is replaced.
 */
import { createWriteStream } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import readline from 'node:readline'

const { packageDir } = JSON.parse(process.argv[1] ?? '{}')
const replies = createWriteStream('', { fd: 3 })
const send = (message) => replies.write(`${JSON.stringify(message)}\n`)

// What jest prints during a run goes to the parent as it comes (see vitest-worker.mjs).
let current = null
let pending = []
const flush = () => {
  if (current === null || pending.length === 0) return
  send({ id: current, type: 'output', text: pending.join('') })
  pending = []
}
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream)
  stream.write = (chunk, encoding, callback) => {
    if (current === null) return write(chunk, encoding, callback)
    if (pending.length === 0) setImmediate(flush)
    pending.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const done = typeof encoding === 'function' ? encoding : callback
    if (done) process.nextTick(done)
    return true
  }
}

let jest = null

/** jest's runCLI and jest-cli's buildArgv (exported since jest 30, in build/run.js before). */
function load() {
  // What jest's own bin sets before it runs.
  process.env.NODE_ENV ??= 'test'
  const require = createRequire(path.join(packageDir, 'package.json'))
  const core = require(packageDir)
  const cliDir = path.dirname(require.resolve('jest-cli/package.json'))
  const cli = createRequire(path.join(cliDir, 'package.json'))(cliDir)
  let buildArgv = cli.buildArgv
  if (typeof buildArgv !== 'function') {
    try {
      buildArgv = require(path.join(cliDir, 'build', 'run.js')).buildArgv
    } catch {
      buildArgv = undefined
    }
  }
  if (typeof core.runCLI !== 'function' || typeof buildArgv !== 'function') return null
  return { runCLI: core.runCLI, buildArgv }
}

async function handle(request) {
  try {
    jest ??= load() ?? 'unsupported'
  } catch (error) {
    return { type: 'error', phase: 'start', message: describe(error) }
  }
  if (jest === 'unsupported')
    return { type: 'unsupported', reason: 'this jest has no runCLI/buildArgv Node API' }
  current = request.id
  try {
    const argv = await jest.buildArgv(request.args)
    // The reply carries the report: no file for it, nothing of it on stdout.
    delete argv.json
    delete argv.outputFile
    const projects = argv.projects?.length ? argv.projects : [process.cwd()]
    const { results, globalConfig } = await jest.runCLI(argv, projects)
    const exitCode = !results || results.success ? 0 : (globalConfig?.testFailureExitCode ?? 1)
    return { type: 'result', exitCode, report: JSON.stringify(jsonReport(results)) }
  } catch (error) {
    return { type: 'error', phase: 'run', message: describe(error) }
  } finally {
    flush()
    current = null
  }
}

/** The run as `jest --json` writes it (formatTestResults of @jest/test-result). */
function jsonReport(results) {
  const testResults = (results?.testResults ?? []).map((file) => ({
    name: file.testFilePath,
    status: file.testExecError
      ? 'failed'
      : file.skipped
        ? 'skipped'
        : file.numFailingTests > 0
          ? 'failed'
          : 'passed',
    message: file.failureMessage ?? file.testExecError?.message ?? '',
    assertionResults: (file.testResults ?? []).map((a) => ({
      ancestorTitles: a.ancestorTitles,
      title: a.title,
      fullName: a.fullName,
      status: a.status,
      failureMessages: a.failureMessages,
    })),
  }))
  return { success: results?.success ?? false, testResults }
}

function describe(error) {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

let queue = Promise.resolve()
const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => {
  let request
  try {
    request = JSON.parse(line)
  } catch {
    return
  }
  queue = queue.then(async () => {
    send({ id: request.id, ...(await handle(request)) })
  })
})
lines.on('close', () => {
  setTimeout(() => process.exit(0), 2000).unref()
  void queue.finally(() => process.exit(0))
})
