/**
 * Splits a byte stream into newline-delimited JSON values with bounded memory: a line longer than
 * `maxLineBytes` (a huge tool result) is skipped whole, and lines that are not JSON objects
 * (a warning Claude Code printed to stdout) are counted and dropped.
 */
export class JsonLines {
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Inside a line that is already too long: drop bytes until its newline. */
  private skipping = false
  skippedLines = 0
  nonJsonLines = 0

  constructor(
    private readonly onValue: (value: Record<string, unknown>) => void,
    readonly maxLineBytes: number,
  ) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes <= 0)
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`)
  }

  push(chunk: Buffer): void {
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(0x0a, start)
      if (nl === -1) {
        this.hold(chunk.subarray(start))
        return
      }
      this.hold(chunk.subarray(start, nl))
      this.endLine()
      start = nl + 1
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 || this.skipping) this.endLine()
  }

  private hold(part: Buffer): void {
    if (this.skipping || part.length === 0) return
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.pending = []
      this.pendingBytes = 0
      this.skipping = true
      return
    }
    this.pending.push(part)
    this.pendingBytes += part.length
  }

  private endLine(): void {
    if (this.skipping) {
      this.skipping = false
      this.skippedLines++
      return
    }
    const text = Buffer.concat(this.pending).toString('utf8').trim()
    this.pending = []
    this.pendingBytes = 0
    if (text === '') return
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      this.nonJsonLines++
      return
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.nonJsonLines++
      return
    }
    this.onValue(value as Record<string, unknown>)
  }
}
