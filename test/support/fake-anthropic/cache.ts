/**
 * A small simulation of prompt caching, so usage from the fake server responds to `cache_control`
 * the way the real API does in spirit: the request is cut into blocks in prefix order (tools, system,
 * messages); each block marked with `cache_control` ends a cacheable prefix; a prefix seen before is a
 * cache read, the rest up to the last marker a cache write, what follows it plain input.
 * Tokens are estimated as characters / 4. Not simulated: TTLs, and the 20-block lookback.
 */
import { createHash } from 'node:crypto'
import type { FakeUsage } from './replies'

interface Segment {
  json: string
  marked: boolean
}

export class CacheSimulator {
  private readonly seen = new Set<string>()

  /** @param minTokens Prefixes shorter than this are not cached (the API's minimum is 512–4096). */
  constructor(private readonly minTokens = 0) {}

  usageFor(
    body: unknown,
  ): Pick<FakeUsage, 'input_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens'> {
    const request = (body ?? {}) as Record<string, unknown>
    const segments = segmentsOf(request)
    const model = String(request.model ?? '')
    let length = 0
    const prefixes: Array<{ key: string; tokens: number }> = []
    const hash = createHash('sha256').update(model)
    for (const segment of segments) {
      hash.update(segment.json)
      length += segment.json.length
      if (segment.marked) prefixes.push({ key: hash.copy().digest('hex'), tokens: tokens(length) })
    }
    const total = tokens(length)
    const cacheable = prefixes.filter((p) => p.tokens >= this.minTokens)
    const last = cacheable.at(-1)
    if (!last)
      return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    const hit = [...cacheable].reverse().find((p) => this.seen.has(p.key))
    for (const p of cacheable) this.seen.add(p.key)
    const read = hit?.tokens ?? 0
    return {
      input_tokens: total - last.tokens,
      cache_creation_input_tokens: last.tokens - read,
      cache_read_input_tokens: read,
    }
  }
}

export function tokens(chars: number): number {
  return Math.ceil(chars / 4)
}

function segmentsOf(request: Record<string, unknown>): Segment[] {
  const out: Segment[] = []
  for (const tool of asArray(request.tools)) out.push(segment(tool))
  const system = request.system
  if (typeof system === 'string') out.push({ json: JSON.stringify(system), marked: false })
  else for (const block of asArray(system)) out.push(segment(block))
  for (const message of asArray(request.messages)) {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown }
    out.push({ json: JSON.stringify(role), marked: false })
    if (typeof content === 'string') out.push({ json: JSON.stringify(content), marked: false })
    else for (const block of asArray(content)) out.push(segment(block))
  }
  return out
}

/** The block without its marker: moving a breakpoint must not change the prefix it closes. */
function segment(block: unknown): Segment {
  if (typeof block !== 'object' || block === null)
    return { json: JSON.stringify(block), marked: false }
  const { cache_control, ...rest } = block as Record<string, unknown>
  return { json: JSON.stringify(rest), marked: cache_control != null }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
