/** The replies a warm worker script sends (see the header of vitest-worker.mjs), read defensively. */

export type WorkerReply =
  /** The run finished: its exit code as the CLI would have it, and a JSON report's text. */
  | { type: 'result'; exitCode: number; report: string }
  /** The request's options other than its files differ from the instance's. */
  | { type: 'mismatch' }
  /** A config file changed since the instance was made. */
  | { type: 'stale'; reason: string }
  /** This project or runner version cannot be run warm. */
  | { type: 'unsupported'; reason: string }
  /** The runner could not start (`start`) or failed inside a run (`run`). */
  | { type: 'error'; phase: 'start' | 'run'; message: string }

/** The reply in `message`, or null when it is not one a worker may send. */
export function readReply(message: unknown): WorkerReply | null {
  if (!message || typeof message !== 'object') return null
  const m = message as Record<string, unknown>
  const text = (key: string) => (typeof m[key] === 'string' ? m[key] : '')
  switch (m.type) {
    case 'result':
      return typeof m.exitCode === 'number' && typeof m.report === 'string'
        ? { type: 'result', exitCode: m.exitCode, report: m.report }
        : null
    case 'mismatch':
      return { type: 'mismatch' }
    case 'stale':
      return { type: 'stale', reason: text('reason') }
    case 'unsupported':
      return { type: 'unsupported', reason: text('reason') }
    case 'error':
      return {
        type: 'error',
        phase: m.phase === 'start' ? 'start' : 'run',
        message: text('message'),
      }
    default:
      return null
  }
}
