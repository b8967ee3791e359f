/**
 * A warm run read into the result a cold run of the same check gives (`readExecution`): the
 * worker's report through the same parser, its output as the output, and the command as a cold
 * run would show it.
 */
import os from 'node:os'
import path from 'node:path'
import { parseJestJson } from '../parse-jest-json'
import type { ParsedRun } from '../parse-common'
import { readExecution, timeoutNote } from '../run-check'
import type { RunCheckOptions } from '../run-check'
import type { TailBuffer } from '../tail-buffer'
import { REPORT_PLACEHOLDER } from '../types'
import type { CheckExecution, PlannedCheck } from '../types'
import type { WorkerReply } from './worker-protocol'

/** A run the worker finished. */
export function resultExecution(
  planned: PlannedCheck,
  options: RunCheckOptions,
  output: TailBuffer,
  durationMs: number,
  reply: Extract<WorkerReply, { type: 'result' }>,
): CheckExecution {
  const text = output.text()
  const run = { exitCode: reply.exitCode, signal: null, timedOut: false }
  const parsed = readReport(reply.report, planned.cwd)
  return readExecution(
    planned,
    shownCommand(planned, options),
    run,
    durationMs,
    { text, full: text },
    parsed,
  )
}

/** A run its timeout stopped (with the worker): red, with the output it got to. */
export function timedOutExecution(
  planned: PlannedCheck,
  options: RunCheckOptions,
  output: TailBuffer,
  durationMs: number,
  timeoutMs: number,
): CheckExecution {
  output.push(Buffer.from(timeoutNote(timeoutMs)))
  const text = output.text()
  const run = { exitCode: null, signal: 'SIGTERM', timedOut: true }
  return readExecution(
    planned,
    shownCommand(planned, options),
    run,
    durationMs,
    { text, full: text },
    null,
  )
}

/** The check's command as a cold run would show it, with a report path that is never written. */
function shownCommand(planned: PlannedCheck, options: RunCheckOptions): string[] {
  const report = path.join(options.tmpDir ?? os.tmpdir(), 'fixloop-check-warm', 'report.json')
  return planned.command.map((c) => c.split(REPORT_PLACEHOLDER).join(report))
}

function readReport(report: string, root: string): ParsedRun | null {
  try {
    return parseJestJson(report, root)
  } catch {
    return null // not the report we asked for; the exit code and the text decide
  }
}
