/**
 * A small simulation of prompt caching, so usage from the fake server responds to `cache_control`
 * the way the real API does in spirit: the request is cut into blocks in prefix order (tools, system,
 * messages); each block marked with `cache_control` ends a cacheable prefix; a prefix seen before is a
 * cache read, the rest up to the last marker a cache write, what follows it plain input. As the API
 * does, a marker also finds a prefix written earlier that ends up to 20 blocks before it (the
 * lookback), so a breakpoint that moves with a growing conversation reads what the previous request
 * wrote. Tokens are estimated as characters / 4. Not simulated: TTLs.
 */
import { createHash } from 'node:crypto'
import type { FakeUsage } from './replies'

interface Segment {
  json: string
  marked: boolean
  /** False for the role of a message: not a content block, not a boundary. */
  block?: boolean
}

/** How many blocks before a breakpoint the API looks for an earlier cache entry. */
const LOOKBACK_BLOCKS = 20

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
    const boundaries: Array<{ key: string; tokens: number; marked: boolean }> = []
    const hash = createHash('sha256').update(model)
    for (const segment of segments) {
      hash.update(segment.json)
      length += segment.json.length
      if (segment.block === false) continue
      boundaries.push({
        key: hash.copy().digest('hex'),
        tokens: tokens(length),
        marked: segment.marked,
      })
    }
    const total = tokens(length)
    const markers = boundaries
      .map((b, index) => ({ ...b, index }))
      .filter((b) => b.marked && b.tokens >= this.minTokens)
    const last = markers.at(-1)
    if (!last)
      return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    let hit: { tokens: number } | undefined
    for (const marker of [...markers].reverse()) {
      for (let i = marker.index; i >= Math.max(0, marker.index - LOOKBACK_BLOCKS); i--) {
        if (this.seen.has(boundaries[i]!.key)) {
          hit = boundaries[i]
          break
        }
      }
      if (hit) break
    }
    for (const m of markers) this.seen.add(m.key)
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
    out.push({ json: JSON.stringify(role), marked: false, block: false })
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
