import type { LogEntry, LogLevel } from '../../../shared/domain'
import type { Clock } from '../util/clock'
import { systemClock } from '../util/clock'

export interface LoggerOptions {
  /** Lines kept in memory for the UI and `getLog`. @default 10000 */
  capacity?: number
  /** Applied to every message before it is stored or sent anywhere. @default identity */
  redact?: (text: string) => string
  /** @default systemClock */
  clock?: Clock
}

export type LogListener = (entry: LogEntry) => void

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/**
 * The engine's log: a bounded ring of entries with sequence numbers, redacted on the way in, with
 * listeners for the CLI, the UI and a file sink.
 */
export class Logger {
  readonly #capacity: number
  #redact: (text: string) => string
  readonly #clock: Clock
  readonly #ring: LogEntry[] = []
  readonly #listeners = new Set<LogListener>()
  #seq = 0

  constructor(options: LoggerOptions = {}) {
    this.#capacity = options.capacity ?? 10_000
    this.#redact = options.redact ?? ((t) => t)
    this.#clock = options.clock ?? systemClock
  }

  /** Replaces the redactor, e.g. once secrets are known or change. */
  setRedactor(redact: (text: string) => string): void {
    this.#redact = redact
  }

  log(
    level: LogLevel,
    message: string,
    extra: { taskId?: string; source?: string } = {},
  ): LogEntry {
    const entry: LogEntry = {
      seq: ++this.#seq,
      at: new Date(this.#clock.now()).toISOString(),
      level,
      message: this.#redact(message),
      ...(extra.taskId ? { taskId: extra.taskId } : {}),
      ...(extra.source ? { source: extra.source } : {}),
    }
    this.#ring.push(entry)
    if (this.#ring.length > this.#capacity) this.#ring.splice(0, this.#ring.length - this.#capacity)
    for (const listener of this.#listeners) {
      try {
        listener(entry)
      } catch {
        // A broken listener must not break logging.
      }
    }
    return entry
  }

  debug(message: string, extra?: { taskId?: string; source?: string }): LogEntry {
    return this.log('debug', message, extra)
  }
  info(message: string, extra?: { taskId?: string; source?: string }): LogEntry {
    return this.log('info', message, extra)
  }
  warn(message: string, extra?: { taskId?: string; source?: string }): LogEntry {
    return this.log('warn', message, extra)
  }
  error(message: string, extra?: { taskId?: string; source?: string }): LogEntry {
    return this.log('error', message, extra)
  }

  /** Entries after `afterSeq`, optionally at or above a level and for one task, newest `limit`. */
  entries(
    query: { afterSeq?: number; limit?: number; level?: LogLevel; taskId?: string } = {},
  ): LogEntry[] {
    const min = query.level ? ORDER[query.level] : 0
    const out = this.#ring.filter(
      (e) =>
        e.seq > (query.afterSeq ?? 0) &&
        ORDER[e.level] >= min &&
        (query.taskId === undefined || e.taskId === query.taskId),
    )
    return query.limit !== undefined ? out.slice(-query.limit) : out
  }

  subscribe(listener: LogListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
