/**
 * Prompt-caching breakpoints. The cached prefix runs tools → system → messages, so a breakpoint on
 * the last system block covers the tool definitions too. The API allows four breakpoints a request;
 * we use at most three: static instructions, the task context, and one that moves with the
 * conversation so each turn of a tool loop re-reads the turns before it from the cache.
 */
import type {
  CacheControlEphemeral,
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
} from '@anthropic-ai/sdk/resources/messages'

export const EPHEMERAL: CacheControlEphemeral = Object.freeze({ type: 'ephemeral' })

/** A system text block, marked as the end of a cached prefix when `cache` is set. */
export function systemBlock(text: string, cache = false): TextBlockParam {
  return cache ? { type: 'text', text, cache_control: EPHEMERAL } : { type: 'text', text }
}

const CACHEABLE = new Set(['text', 'tool_result', 'tool_use', 'image', 'document'])

/**
 * A copy of `messages` with one breakpoint on the last block that can carry one (thinking blocks
 * cannot), so the next request reads everything up to it from the cache. The input is not changed.
 */
export function withMovingBreakpoint(messages: ReadonlyArray<MessageParam>): MessageParam[] {
  const out = messages.slice()
  for (let i = out.length - 1; i >= 0; i--) {
    const message = out[i]!
    const blocks: ContentBlockParam[] =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : (message.content as ContentBlockParam[])
    const last = blocks.length - 1
    if (last < 0 || !CACHEABLE.has(blocks[last]!.type)) continue
    const marked = { ...blocks[last]!, cache_control: EPHEMERAL } as ContentBlockParam
    out[i] = { ...message, content: [...blocks.slice(0, last), marked] } as MessageParam
    return out
  }
  return out
}
