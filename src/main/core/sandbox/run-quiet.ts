import { execFile } from 'node:child_process'

export interface QuietRun {
  ok: boolean
  stdout: string
  /** stderr, or the spawn error's message when the program could not be started. */
  stderr: string
}

/**
 * Runs a short helper command (a version query, a probe) without a shell and collects its output.
 * Never rejects: a failure is data for the status line.
 */
export function runQuiet(
  argv: readonly string[],
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<QuietRun> {
  const [command, ...args] = argv
  return new Promise((resolve) => {
    if (command === undefined) return resolve({ ok: false, stdout: '', stderr: 'empty command' })
    execFile(
      command,
      args,
      {
        encoding: 'utf8',
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        signal: options.signal,
        maxBuffer: 64 * 1024,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout, stderr })
        const timedOut = error.killed && !options.signal?.aborted
        const why = timedOut ? `timed out after ${options.timeoutMs} ms` : error.message
        resolve({ ok: false, stdout, stderr: stderr.trim() || why })
      },
    )
  })
}
