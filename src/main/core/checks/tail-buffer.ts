/**
 * Keeps the last `maxBytes` of a stream: a runner's verdict and its failures are printed at the end,
 * and a runaway test must not fill memory.
 */
export class TailBuffer {
  private chunks: Buffer[] = []
  private size = 0
  /** Bytes thrown away from the front so far. */
  dropped = 0

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes <= 0)
      throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`)
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    // Compact only when well past the bound, so a stream of small chunks stays O(n).
    if (this.size > this.maxBytes * 2) this.compact()
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks)
    const cut = all.length - this.maxBytes
    if (cut <= 0) return
    this.chunks = [all.subarray(cut)]
    this.size = this.maxBytes
    this.dropped += cut
  }

  /** The kept tail as text, starting at a whole UTF-8 character, with a note of what was cut. */
  text(): string {
    this.compact()
    let tail = Buffer.concat(this.chunks)
    if (this.dropped > 0) {
      // Skip UTF-8 continuation bytes (10xxxxxx) left over from a character cut in half.
      let start = 0
      while (start < tail.length && start < 4 && ((tail[start] as number) & 0xc0) === 0x80) start++
      tail = tail.subarray(start)
      return `[… ${this.dropped + start} earlier bytes omitted]\n${tail.toString('utf8')}`
    }
    return tail.toString('utf8')
  }
}
