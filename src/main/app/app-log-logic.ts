/**
 * The app's log file: the engine's log lines and the shell's own, in one rotating file in the app's
 * log folder, every line redacted of the secrets the app holds (the engine redacts its own lines
 * already; redaction is idempotent, so doing it again costs nothing and covers the shell's lines).
 */
import { join } from 'node:path'
import type { LogEntry } from '../../shared/domain'
import type { ControllerPort } from '../core/bridge/controller-port'
import { Logger } from '../core/log/logger'
import { createRotatingFileSink } from '../core/log/rotating-file'
import type { Secrets } from '../core/config/load-config'
import { createRedactor } from '../core/util/redact'

export interface AppLogOptions {
  /** The log folder (`app.getPath('logs')`). */
  dir: string
  /** The secrets to redact; read again on `refreshRedaction()`. */
  secrets: () => Secrets
  /** @default 'fixloop.log' */
  name?: string
  /** @default 5 MiB */
  maxBytes?: number
  /** @default 3 */
  keep?: number
}

export interface AppLog {
  /** The shell's own logger (its lines go to the file too). */
  logger: Logger
  /** Writes the engine's log lines (the Controller's `log` event) to the file. Returns the detach. */
  attach(port: ControllerPort): () => void
  /** Rebuilds the redactor after a secret changed. */
  refreshRedaction(): void
  /** The file the lines go to. */
  file: string
}

export function createAppLog(options: AppLogOptions): AppLog {
  const name = options.name ?? 'fixloop.log'
  const sink = createRotatingFileSink({
    dir: options.dir,
    name,
    maxBytes: options.maxBytes,
    keep: options.keep,
  })
  const redactor = () => createRedactor(Object.values(options.secrets()))
  let redact = redactor()
  const write = (entry: LogEntry) => sink({ ...entry, message: redact(entry.message) })
  const logger = new Logger({ redact: (text) => redact(text) })
  logger.subscribe((entry) => write({ ...entry, message: `[app] ${entry.message}` }))
  return {
    logger,
    attach: (port) => port.on('log', write),
    refreshRedaction: () => {
      redact = redactor()
    },
    file: join(options.dir, name),
  }
}
