/**
 * A scripted message reply as the API sends it: one JSON Message for a non-streaming request, or
 * the server-sent events a `stream: true` request gets (message_start, a ping, per block
 * content_block_start / _delta… / _stop, message_delta with stop_reason, stop_details and usage,
 * message_stop). The SDK's MessageStream assembles the events into exactly the JSON Message.
 */
import type { FakeBlock, FakeStreamError, Reply } from './replies'

type MessageReply = Extract<Reply, { kind: 'message' }>

/** The API's Message, built from a reply and the usage the cache simulation worked out. */
export function messageJson(
  reply: MessageReply,
  id: string,
  model: string,
  usage: Record<string, unknown>,
): Record<string, unknown> {
  const hasTool = reply.content.some((block) => block.type === 'tool_use')
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: reply.model ?? model,
    content: reply.content.map(withResponseFields),
    stop_reason: reply.stopReason ?? (hasTool ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    stop_details: reply.stopDetails ?? null,
    container: null,
    diagnostics: null,
    usage: {
      ...usage,
      cache_creation: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  }
}

export interface SseEvent {
  event: string
  data: unknown
}

/**
 * The events for `message` (a `messageJson` result). With `interrupted`, the events stop after the
 * content blocks: an `error` event follows when one is given, else nothing (drop or stall).
 */
export function streamEvents(
  message: Record<string, unknown>,
  reply: MessageReply,
  interrupted?: { error?: FakeStreamError },
): SseEvent[] {
  const usage = message.usage as Record<string, unknown>
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    },
    { event: 'ping', data: { type: 'ping' } },
  ]
  reply.content.forEach((block, index) => events.push(...blockEvents(block, index)))
  if (interrupted) {
    if (interrupted.error) {
      events.push({ event: 'error', data: { type: 'error', error: interrupted.error } })
    }
    return events
  }
  events.push(
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: {
          stop_reason: message.stop_reason,
          stop_sequence: null,
          stop_details: message.stop_details,
          container: null,
        },
        usage: {
          input_tokens: usage.input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          output_tokens: usage.output_tokens,
          output_tokens_details: null,
          server_tool_use: null,
        },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  )
  return events
}

export function sse({ event, data }: SseEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

function blockEvents(block: FakeBlock, index: number): SseEvent[] {
  const start = (content_block: unknown): SseEvent => ({
    event: 'content_block_start',
    data: { type: 'content_block_start', index, content_block },
  })
  const delta = (value: unknown): SseEvent => ({
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index, delta: value },
  })
  const stop: SseEvent = {
    event: 'content_block_stop',
    data: { type: 'content_block_stop', index },
  }
  switch (block.type) {
    case 'text':
      return [
        start({ type: 'text', text: '', citations: null }),
        ...pieces(block.text).map((text) => delta({ type: 'text_delta', text })),
        stop,
      ]
    case 'tool_use': {
      const json = block.partialJson ?? JSON.stringify(block.input ?? {})
      return [
        start({ type: 'tool_use', id: block.id, name: block.name, input: {}, caller: DIRECT }),
        ...pieces(json).map((partial_json) => delta({ type: 'input_json_delta', partial_json })),
        stop,
      ]
    }
    case 'thinking':
      return [
        start({ type: 'thinking', thinking: '', signature: '' }),
        ...pieces(block.thinking).map((thinking) => delta({ type: 'thinking_delta', thinking })),
        delta({ type: 'signature_delta', signature: block.signature }),
        stop,
      ]
  }
}

const DIRECT = Object.freeze({ type: 'direct' })

/** Text in three pieces or fewer, so assembly across deltas is exercised. */
function pieces(text: string): string[] {
  if (text.length < 3) return text ? [text] : []
  const size = Math.ceil(text.length / 3)
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

/** Response blocks carry fields request blocks do not; the SDK's types expect them. */
function withResponseFields(block: FakeBlock): Record<string, unknown> {
  if (block.type === 'text') return { ...block, citations: null }
  if (block.type === 'tool_use') {
    const { partialJson: _partial, ...rest } = block
    return { ...rest, caller: DIRECT }
  }
  return { ...block }
}
