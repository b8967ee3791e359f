/**
 * Fixloop's warm vitest runner: a long-lived process that holds one Vitest instance of the
 * project's own vitest (its Node API, `vitest/node`) with watch mode off, and runs tests on request,
 * so each related run or verification skips vitest's cold start (config, Vite server, plugins).
 *
 * Plain JavaScript with no import of Fixloop's: it runs under the project's `node`, started as
 * `node --input-type=module --eval <this file's text> <options JSON>` inside the check sandbox, the
 * way a check is started, so it is shipped as text and never needs a path of its own.
 *
 * Protocol. Requests arrive on stdin, one JSON object a line: `{ id, args }`, where `args` is the
 * argv a cold check would pass to vitest after its binary (`related --run … files`, `run … files`).
 * Replies are JSON lines on fd 3 (stdout and stderr stay for stray output: the project's code and
 * vitest's own workers may write there directly). While a request runs, `{ id, type: 'output', text }`
 * carries what vitest prints; then one of:
 *
 * - `{ id, type: 'result', exitCode, report }`: `report` is the text of a JSON report in the shape
 *   vitest's JSON reporter writes (`testResults[]` with `assertionResults[]`), of this run only.
 * - `{ id, type: 'mismatch' }`: the options other than the run's files differ from this instance's.
 * - `{ id, type: 'stale', reason }`: a config file (or one it imports, or a global setup) changed.
 * - `{ id, type: 'unsupported', reason }`: this vitest lacks the API used here, or the project needs
 *   what it cannot do warm (browser mode).
 * - `{ id, type: 'error', phase, message }`: vitest could not start (`phase: 'start'`: a config that
 *   throws…) or a run failed inside vitest (`phase: 'run'`).
 *
 * After `mismatch`, `stale` or `unsupported` the parent starts a fresh process (or runs cold).
 * Closing stdin closes vitest and ends the process.
 */
import { createWriteStream, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { pathToFileURL } from 'node:url'

const { packageDir } = JSON.parse(process.argv[1] ?? '{}')
const replies = createWriteStream('', { fd: 3 })
const send = (message) => replies.write(`${JSON.stringify(message)}\n`)

/**
 * What vitest prints during a run goes to the parent as it comes (`{ id, type: 'output', text }`),
 * so a run stopped by its timeout still shows how far it got. Outside a run, writes go where they
 * always went.
 */
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

/** Options that change per run; every other option belongs to the instance. */
const PER_RUN = new Set(['related', 'passWithNoTests', 'run', 'watch', 'outputFile', 'json', '--'])

let api = null
let vitest = null
let instanceKey = null
/** A file's identity and last change (ctime catches a copy that kept the mtime). */
const stamp = (file) => {
  try {
    const s = statSync(file)
    return `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}`
  } catch {
    return 'missing'
  }
}
/** Source modules vitest has transformed, by file, with the stamp they had when last seen. */
const moduleStamps = new Map()
/** Files whose change needs a new instance: configs, what they import, global setups. */
let restartStamps = new Map()

async function handle(request) {
  try {
    api ??= await import(pathToFileURL(path.join(packageDir, entryOf(packageDir))).href)
  } catch (error) {
    return { type: 'error', phase: 'start', message: describe(error) }
  }
  if (typeof api.createVitest !== 'function' || typeof api.parseCLI !== 'function')
    return { type: 'unsupported', reason: 'this vitest has no createVitest/parseCLI Node API' }
  const { filter, options } = api.parseCLI(['vitest', ...request.args])
  const instanceOptions = { watch: false }
  for (const [key, value] of Object.entries(options))
    // cac reports a short alias (`-c`) beside its long name: the long one is enough.
    if (!PER_RUN.has(key) && key.length > 1) instanceOptions[key] = value
  // The json reporter writes a file the parent never reads: the reply carries the report instead.
  const reporters = [].concat(options.reporter ?? []).filter((r) => r !== 'json')
  delete instanceOptions.reporter
  instanceOptions.reporters = reporters.length > 0 ? reporters : ['default']
  const key = JSON.stringify(instanceOptions)

  current = request.id
  try {
    if (!vitest) {
      instanceKey = key
      // What the CLI's startVitest sets before it creates the instance.
      process.env.TEST = 'true'
      process.env.VITEST = 'true'
      process.env.NODE_ENV ??= 'test'
      try {
        vitest = await api.createVitest('test', instanceOptions)
      } catch (error) {
        return { type: 'error', phase: 'start', message: describe(error) }
      }
      const missing = missingApi(vitest)
      if (missing) return { type: 'unsupported', reason: `this vitest has no ${missing}` }
      if (vitest.projects.some((p) => p.config?.browser?.enabled))
        return { type: 'unsupported', reason: 'browser mode runs cold' }
      const setups = vitest.projects.filter((p) => [].concat(p.config?.globalSetup ?? []).length)
      if (setups.some((p) => typeof p._teardownGlobalSetup !== 'function'))
        return { type: 'unsupported', reason: 'its global setup cannot be torn down between runs' }
      try {
        // Reporters and coverage, as `start()` would set them up, without a run.
        await (typeof vitest.standalone === 'function' ? vitest.standalone() : vitest.init())
      } catch (error) {
        return { type: 'error', phase: 'start', message: describe(error) }
      }
      restartStamps = new Map(restartFiles().map((f) => [f, stamp(f)]))
    } else if (key !== instanceKey) {
      return { type: 'mismatch' }
    } else {
      const changed = [...restartStamps].find(([file, before]) => stamp(file) !== before)
      if (changed) return { type: 'stale', reason: `${path.basename(changed[0])} changed` }
    }
    return await run(filter, options)
  } finally {
    flush()
    current = null
  }
}

async function run(filter, options) {
  invalidateChanged()
  // New and deleted test files: the globbed list is cached per project.
  vitest.clearSpecificationsCache()
  const root = vitest.config.root
  const related = options.related
    ? [].concat(options.related).map((f) => slash(path.resolve(root, String(f))))
    : undefined
  vitest.config.related = related
  vitest.config.passWithNoTests = options.passWithNoTests === true
  // As the CLI does: filters are relative to the working folder, with forward slashes.
  const specs = await vitest.getRelevantTestSpecifications(filter.map((f) => slash(String(f))))
  if (specs.length === 0) {
    vitest.config.related = undefined
    const exitCode = options.passWithNoTests ? 0 : 1
    console.log(`No test files found, exiting with code ${exitCode}`)
    return { type: 'result', exitCode, report: JSON.stringify({ testResults: [] }) }
  }
  process.exitCode = undefined
  const result = await vitest.runTestSpecifications(specs, filter.length === 0 && !related)
  vitest.config.related = undefined
  rememberModules()
  const tornDown = await teardownGlobalSetups()
  if (!result || !Array.isArray(result.testModules))
    return { type: 'unsupported', reason: 'this vitest returns no test modules from a run' }
  // The state keeps every file this instance ever ran; the report is this run's, in its order.
  const modules = specs
    .map((spec) =>
      result.testModules.find(
        (m) => m.moduleId === spec.moduleId && (!m.project || m.project === spec.project),
      ),
    )
    .filter((m) => m !== undefined)
  const testResults = modules.map(fileReport)
  const unhandled = (result.unhandledErrors ?? []).length > 0
  const failed =
    testResults.some((f) => f.status === 'failed') ||
    (unhandled && !vitest.config.dangerouslyIgnoreUnhandledErrors) ||
    !tornDown
  const exitCode = failed ? 1 : Number(process.exitCode ?? 0) || 0
  process.exitCode = undefined
  return { type: 'result', exitCode, report: JSON.stringify({ testResults }) }
}

/**
 * A cold run sets its global setups up and tears them down; so does each warm run (vitest keeps
 * them for the instance's life otherwise, as in watch mode, and a suite that seeds a database
 * there would see the last run's leftovers). False when a teardown threw (it is printed).
 */
async function teardownGlobalSetups() {
  let ok = true
  for (const project of vitest.projects) {
    if (!project._globalSetups) continue
    try {
      await project._teardownGlobalSetup()
    } catch (error) {
      ok = false
      console.error(`Global teardown failed: ${describe(error)}`)
    }
    project._globalSetups = undefined
  }
  return ok
}

/** One test file as vitest's JSON reporter writes it. */
function fileReport(module) {
  const assertionResults = [...module.children.allTests()].map((test) => {
    const ancestorTitles = []
    for (let p = test.parent; p && p.type === 'suite'; p = p.parent) ancestorTitles.unshift(p.name)
    const result = test.result()
    return {
      ancestorTitles,
      title: test.name,
      fullName: [...ancestorTitles, test.name].join(' '),
      status: result.state,
      failureMessages: (result.errors ?? []).map((e) => e?.stack || e?.message || String(e)),
    }
  })
  const failed = module.state() === 'failed' || assertionResults.some((a) => a.status === 'failed')
  return {
    name: module.moduleId,
    status: failed ? 'failed' : 'passed',
    message: module.errors()[0]?.message ?? '',
    assertionResults,
  }
}

/** Every source module in the instance's module graphs (vite 6+: per environment). */
function moduleFiles() {
  const files = new Set()
  for (const project of vitest.projects) {
    const vite = project.vite
    const graphs = vite.environments
      ? Object.values(vite.environments).map((e) => e.moduleGraph)
      : [vite.moduleGraph]
    for (const graph of graphs)
      for (const file of graph?.fileToModulesMap?.keys() ?? [])
        if (path.isAbsolute(file) && !file.includes('/node_modules/')) files.add(file)
  }
  return files
}

/** Modules whose file changed since they were last seen are transformed again on this run. */
function invalidateChanged() {
  const invalidates = vitest.watcher?.invalidates ?? vitest.invalidates
  for (const file of moduleFiles()) {
    const now = stamp(file)
    const before = moduleStamps.get(file)
    if (before !== undefined && before !== now) {
      vitest.invalidateFile(file)
      // Workers that outlive a file (isolate: false) drop it too.
      invalidates?.add(file)
    }
    moduleStamps.set(file, now)
  }
}

function rememberModules() {
  for (const file of moduleFiles()) if (!moduleStamps.has(file)) moduleStamps.set(file, stamp(file))
}

function restartFiles() {
  const files = new Set()
  for (const project of vitest.projects) {
    const config = project.vite?.config
    if (config?.configFile) files.add(config.configFile)
    for (const dep of config?.configFileDependencies ?? []) files.add(path.resolve(dep))
    for (const setup of [].concat(project.config?.globalSetup ?? [])) files.add(String(setup))
  }
  return [...files]
}

function missingApi(instance) {
  for (const method of [
    'getRelevantTestSpecifications',
    'runTestSpecifications',
    'clearSpecificationsCache',
    'invalidateFile',
  ])
    if (typeof instance[method] !== 'function') return `vitest.${method}()`
  return null
}

/** `vitest/node` as the package exports it (its ESM entry). */
function entryOf(dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
  let target = manifest.exports?.['./node']
  while (target && typeof target === 'object')
    target = target.import ?? target.node ?? target.default
  return typeof target === 'string' ? target : path.join('dist', 'node.js')
}

function slash(p) {
  return p.replace(/\\/g, '/')
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
    try {
      send({ id: request.id, ...(await handle(request)) })
    } catch (error) {
      flush()
      current = null
      send({ id: request.id, type: 'error', phase: 'run', message: describe(error) })
    }
  })
})
lines.on('close', () => {
  // The parent is gone or done: close vitest (its workers, its server), but never hang on it.
  setTimeout(() => process.exit(0), 2000).unref()
  void queue.then(() => vitest?.close()).finally(() => process.exit(0))
})
