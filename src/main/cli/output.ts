/**
 * How the CLI talks: human lines (coloured on a terminal unless NO_COLOR is set) or, with --json,
 * one JSON object per line with a `type`.
 */
import type { LogEntry, Task } from '../../shared/domain'

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Whether stdout is a terminal (colours, progress). */
  isTTY: boolean
  env: NodeJS.ProcessEnv
}

export const processIo = (): CliIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
})

export interface Palette {
  red: (s: string) => string
  green: (s: string) => string
  yellow: (s: string) => string
  dim: (s: string) => string
  bold: (s: string) => string
}

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function palette(io: CliIo): Palette {
  const on = io.isTTY && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb'
  const wrap = (a: number, b: number) => (s: string) => (on ? `\x1b[${a}m${s}\x1b[${b}m` : s)
  return {
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  }
}

/** One JSON line. */
export function jsonLine(io: CliIo, type: string, fields: Record<string, unknown> = {}): void {
  io.stdout(`${JSON.stringify({ type, at: new Date().toISOString(), ...fields })}\n`)
}

export function logLine(entry: LogEntry, p: Palette): string {
  const time = entry.at.slice(11, 19)
  const colour =
    entry.level === 'error' ? p.red : entry.level === 'warn' ? p.yellow : (s: string) => s
  const task = entry.taskId ? p.dim(`[${entry.taskId}] `) : ''
  return `${p.dim(time)} ${task}${colour(entry.message)}\n`
}

/** What --json prints of a task: the summary, not the output tails and diffs. */
export function taskFields(task: Task): Record<string, unknown> {
  return {
    taskId: task.id,
    status: task.status,
    phase: task.phase,
    outcome: task.outcome,
    kind: task.kind,
    files: task.files,
    attempts: task.attempts.length,
    failureReason: task.failureReason,
    costUsd: task.usage.costUsd,
  }
}
