import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { LogEntry } from '../../../shared/domain'

export interface RotatingFileOptions {
  dir: string
  /** @default 'fixloop.log' */
  name?: string
  /** Rotate when the current file passes this size. @default 5 MiB */
  maxBytes?: number
  /** Rotated files kept (`.1` newest … `.N` oldest). @default 3 */
  keep?: number
}

/**
 * A log sink that appends one line per entry and rotates by size. Writes are synchronous appends of a
 * single line, so a crash loses at most the line being written. Entries arrive already redacted.
 */
export function createRotatingFileSink(options: RotatingFileOptions): (entry: LogEntry) => void {
  const name = options.name ?? 'fixloop.log'
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024
  const keep = options.keep ?? 3
  const file = join(options.dir, name)
  mkdirSync(options.dir, { recursive: true })
  let size = sizeOf(file)

  return (entry) => {
    const line = `${entry.at} ${entry.level.toUpperCase().padEnd(5)} ${entry.taskId ? `[${entry.taskId}] ` : ''}${entry.message}\n`
    if (size + Buffer.byteLength(line) > maxBytes && size > 0) {
      rotate(file, keep)
      size = 0
    }
    try {
      appendFileSync(file, line)
      size += Buffer.byteLength(line)
    } catch {
      // The log folder vanished or the disk is full: logging must never stop the engine.
    }
  }
}

function rotate(file: string, keep: number): void {
  try {
    rmSync(`${file}.${keep}`, { force: true })
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${file}.${i}`, `${file}.${i + 1}`)
      } catch {
        // that generation does not exist yet
      }
    }
    renameSync(file, `${file}.1`)
  } catch {
    // best effort
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}
