/**
 * `fixloop check [DIR] [FILES…]`: runs the checks related to FILES once (the whole suite when no file
 * is named), with flaky triage, and prints the result. No API call, no lock, no state written.
 */
import type { CheckEvent, DetectionResult } from '../core/checks'
import { detectRunner, planSuiteCheck, runCheck, runDetection } from '../core/checks'
import { loadConfig } from '../core/config/load-config'
import { summarize } from '../core/engine/pipeline/words'
import { parse } from './args'
import { EXIT } from './exit-codes'
import type { CliIo } from './output'
import { palette } from './output'

export const CHECK_HELP = `Usage: fixloop check [DIR] [FILES…] [--json]

Runs the checks related to FILES (paths relative to DIR) once and reports them, as the watcher would
on a change; with no FILES, the whole suite. A failing check is re-run to tell a flaky test from a
real failure. Never calls the API and never edits a file.

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
  let result: DetectionResult
  if (files.length) {
    result = await runDetection(runner, files, { settings: config.settings, signal, onCheck })
  } else {
    // No file named: the whole suite, once.
    const planned = planSuiteCheck(runner, 'suite')
    onCheck({ type: 'start', name: planned.name, command: planned.command })
    const suite = await runCheck(planned, { signal, timeoutMs })
    onCheck({ type: 'end', result: suite })
    result = {
      verdict: suite.passed ? 'green' : 'red',
      checks: [suite],
      reruns: [],
      selection: planned.selection,
    }
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
