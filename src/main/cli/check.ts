/**
 * `fixloop check [DIR] [FILES…]`: runs the checks related to FILES once (the whole suite when no file
 * is named), with flaky triage, and prints the result. No API call, no project lock, no state
 * written. Like the watcher's, the checks run in a shadow copy of the project (its own pool, so a
 * running watcher is not disturbed), in the OS sandbox where there is one: whatever the tests write
 * stays out of the project.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { lock } from 'proper-lockfile'
import type { CheckEvent, DetectionResult, RingOptions } from '../core/checks'
import {
  detectRunner,
  planSuiteCheck,
  rebaseRunner,
  runCheck,
  runDetection,
  withoutSecretValues,
} from '../core/checks'
import { loadConfig } from '../core/config/load-config'
import { createIsolation } from '../core/engine/isolation'
import { asProjectPaths, ringIn } from '../core/engine/pipeline/ring'
import { redactCheck } from '../core/engine/redact-checks'
import { Logger } from '../core/log/logger'
import { resolveCacheDir } from '../core/shadow'
import { createRedactor } from '../core/util/redact'
import { summarize } from '../core/engine/pipeline/words'
import { parse } from './args'
import { EXIT } from './exit-codes'
import type { CliIo } from './output'
import { palette } from './output'

export const CHECK_HELP = `Usage: fixloop check [DIR] [FILES…] [--json]

Runs the checks related to FILES (paths relative to DIR) once and reports them, as the watcher would
on a change; with no FILES, the whole suite. A failing check is re-run to tell a flaky test from a
real failure. Never calls the API and never edits a file: the checks run in a shadow copy of the
project, so what the tests write stays out of it.

Exit code: 0 green or flaky · 1 red · 2 usage or configuration error.

Options:
  --json       print one JSON object
  -h, --help   this help
`

export async function checkCommand(
  args: string[],
  io: CliIo,
  signal?: AbortSignal,
): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout(CHECK_HELP)
    return EXIT.ok
  }
  const [dir, ...files] = positionals
  const config = loadConfig({ dir, env: io.env })
  const runner = detectRunner(config.projectRoot, config.settings)
  const p = palette(io)
  if (!values.json) io.stdout(p.dim(`Test runner: ${runner.description}\n`))
  const onCheck = (e: CheckEvent) => {
    if (values.json) return
    if (e.type === 'start') io.stdout(p.dim(`… ${e.name}: ${e.command.join(' ')}\n`))
    else
      io.stdout(
        `${e.result.passed ? p.green('✓') : p.red('✗')} ${e.result.name} (${(e.result.durationMs / 1000).toFixed(1)} s)\n`,
      )
  }
  const timeoutMs = config.settings.checkTimeoutSeconds * 1000
  const cacheDir = join(io.env.FIXLOOP_CACHE_DIR ?? resolveCacheDir({ env: io.env }), 'check')
  mkdirSync(cacheDir, { recursive: true })
  // One `fixloop check` at a time per cache: two would share the same shadow copy.
  const release = await lock(cacheDir, {
    lockfilePath: join(cacheDir, `${poolName(config.projectRoot)}.lock`),
    retries: { retries: 120, minTimeout: 250, maxTimeout: 1000 },
    stale: 10_000,
  })
  const isolation = await createIsolation({
    root: config.projectRoot,
    settings: config.settings,
    cacheDir,
    log: new Logger(),
  })
  let result: DetectionResult
  try {
    await isolation.sandboxReady
    if (isolation.unavailable) {
      io.stderr(`${p.red('Checks cannot run:')} ${isolation.unavailable}\n`)
      return EXIT.usage
    }
    const lease = await isolation.workspaces.lease(files, signal)
    try {
      const shadowRunner = rebaseRunner(runner, lease.root)
      const ring: RingOptions = ringIn(
        lease,
        isolation.sandbox,
        withoutSecretValues(process.env, secretsOf(config.secrets)),
        signal,
      )
      if (files.length) {
        result = await runDetection(shadowRunner, files, {
          ...ring,
          settings: config.settings,
          onCheck,
        })
      } else {
        // No file named: the whole suite, once.
        const planned = planSuiteCheck(shadowRunner, 'suite')
        onCheck({ type: 'start', name: planned.name, command: planned.command })
        const suite = await runCheck(planned, { ...ring, timeoutMs })
        onCheck({ type: 'end', result: suite })
        result = {
          verdict: suite.passed ? 'green' : 'red',
          checks: [suite],
          reruns: [],
          selection: planned.selection,
        }
      }
      const redact = createRedactor(secretsOf(config.secrets))
      const shown = (text: string) => redact(asProjectPaths(text, lease.root, config.projectRoot))
      result = {
        ...result,
        checks: result.checks.map((c) => redactCheck(c, shown)),
        reruns: result.reruns.map((c) => redactCheck(c, shown)),
      }
    } finally {
      await lease.release()
    }
  } finally {
    await isolation.dispose()
    await release()
  }
  if (values.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`)
  } else {
    for (const s of result.selection)
      io.stdout(
        p.dim(
          `  selected ${s.file === '*' ? 'the whole suite' : s.file} (${s.reason}${s.because ? `: ${s.because}` : ''})\n`,
        ),
      )
    for (const c of result.checks.filter((c) => !c.passed)) io.stdout(`${p.red(summarize(c))}\n`)
    const verdict =
      result.verdict === 'green'
        ? p.green('Checks pass.')
        : result.verdict === 'flaky'
          ? p.yellow('Flaky: a failing check passed on a re-run.')
          : p.red('Checks fail.')
    io.stdout(`${verdict}\n`)
  }
  return result.verdict === 'red' ? EXIT.failed : EXIT.ok
}

function secretsOf(secrets: Record<string, string | undefined>): string[] {
  return Object.values(secrets).filter((s): s is string => Boolean(s))
}

/** The lock's name: the project's folder name, made safe for a file name. */
function poolName(root: string): string {
  return (root.split(/[\\/]/).pop() || 'project').replace(/[^A-Za-z0-9._-]/g, '_')
}
