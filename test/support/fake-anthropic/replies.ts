/**
 * Scripted replies for the fake Messages API, and builders of messages that read like the
 * situations they stage (errors, hangs and broken bodies are in `error-replies.ts`).
 * A message reply is sent as JSON to a non-streaming request and as server-sent events to a
 * `stream: true` one; the stream-only options (`midStreamError`, `dropMidStream`, `stallMidStream`)
 * interrupt the event stream after the content blocks.
 */
import type { FakeRateLimit } from './rate-limit'

export type { FakeRateLimit } from './rate-limit'

export type FakeStopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded'

export type FakeBlock =
  | { type: 'text'; text: string }
  | {
      type: 'tool_use'
      id: string
      name: string
      input: unknown
      /**
       * The input JSON as streamed, when it is not `JSON.stringify(input)`: a call cut off by
       * max_tokens streams this partial text (see `truncatedToolUse`). Never sent as a field.
       */
      partialJson?: string
    }
  | { type: 'thinking'; thinking: string; signature: string }

/** The API's `stop_details` for a refusal (the SDK's RefusalStopDetails). */
export interface FakeStopDetails {
  type: 'refusal'
  category: 'cyber' | 'bio' | 'frontier_llm' | 'reasoning_extraction' | 'general_harms' | null
  explanation: string | null
}

/** An SSE `error` event's error, e.g. `{type: 'overloaded_error', message: 'Overloaded'}`. */
export interface FakeStreamError {
  type: string
  message: string
}

export interface FakeMessageOptions {
  /** @default 'tool_use' when a tool_use block is present, else 'end_turn' */
  stopReason?: FakeStopReason
  /** @default null */
  stopDetails?: FakeStopDetails | null
  /** Fields given here override the simulated usage. */
  usage?: Partial<FakeUsage>
  /** @default the request's model */
  model?: string
  /** Rate-limit headers for this reply, over the server's defaults. */
  rateLimit?: Partial<FakeRateLimit>
  /** Extra response headers. */
  headers?: Record<string, string>
  /**
   * Streamed only: after the content blocks, an SSE `error` event ends the stream (no
   * message_delta, no message_stop), as the API does when it is overloaded mid-reply. A
   * non-streaming request gets the same error as an HTTP status instead.
   */
  midStreamError?: FakeStreamError
  /** Streamed only: the socket closes after the content blocks. Non-streaming: a dropped connection. */
  dropMidStream?: boolean
  /** Streamed only: nothing more is sent after the content blocks. Non-streaming: a hang. */
  stallMidStream?: boolean
}

export interface FakeUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
}

export type Reply =
  | ({ kind: 'message'; content: FakeBlock[] } & FakeMessageOptions)
  | {
      kind: 'error'
      status: number
      type: string
      message: string
      /** Sent as `error.details.error_code`, the field the SDK maps to its error classes. */
      errorCode?: string
      headers?: Record<string, string>
      /** Rate-limit headers for this reply, over the server's defaults. */
      rateLimit?: Partial<FakeRateLimit>
    }
  /** Any status and body, e.g. a proxy's HTML page or truncated JSON. */
  | {
      kind: 'raw'
      status: number
      body: string
      contentType?: string
      headers?: Record<string, string>
    }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: 'hang' }
  /** Closes the socket without an answer. */
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number; then: Reply }

let toolIds = 0

export const text = (value: string): FakeBlock => ({ type: 'text', text: value })

/** A text editor call (or another tool's, with `name`). */
export function toolUse(input: unknown, options: { id?: string; name?: string } = {}): FakeBlock {
  return {
    type: 'tool_use',
    id: options.id ?? `toolu_fake_${String(++toolIds).padStart(4, '0')}`,
    name: options.name ?? 'str_replace_based_edit_tool',
    input,
  }
}

/**
 * A tool call whose input JSON was cut off by max_tokens: the stream carries `partialJson` as it
 * is; the JSON answer (and what the SDK assembles from the stream) has `input`, the part that
 * parsed. Put it last in a `message(…, { stopReason: 'max_tokens' })`, or use `cutOff`.
 *
 *   cutOff(truncatedToolUse('{"command":"create","path":"a.ts","file_text":"exp', {
 *     input: { command: 'create', path: 'a.ts' },
 *   }))
 */
export function truncatedToolUse(
  partialJson: string,
  options: { id?: string; name?: string; input?: unknown } = {},
): FakeBlock {
  return { ...toolUse(options.input ?? {}, options), partialJson } as FakeBlock
}

/** A thinking block (streamed as thinking_delta, then signature_delta). */
export const thinking = (words: string, signature = `sig_fake_${words.length}`): FakeBlock => ({
  type: 'thinking',
  thinking: words,
  signature,
})

export function message(content: FakeBlock[], options: FakeMessageOptions = {}): Reply {
  return { kind: 'message', content, ...options }
}

/** Claude ran into max_tokens: the last block (text or a `truncatedToolUse`) is incomplete. */
export const cutOff = (...content: FakeBlock[]): Reply =>
  message(content, { stopReason: 'max_tokens' })

/** Claude declined: stop_reason refusal with its `stop_details`, and whatever came before. */
export const refusal = (
  category: FakeStopDetails['category'] = 'cyber',
  explanation: string | null = 'This request could enable cyber harm.',
  content: FakeBlock[] = [],
): Reply =>
  message(content, {
    stopReason: 'refusal',
    stopDetails: { type: 'refusal', category, explanation },
  })

/**
 * Some content, then an SSE `error` event instead of the end of the message (streamed requests).
 * @default error overloaded_error "Overloaded"
 */
export const failMidStream = (
  content: FakeBlock[] = [text('Let me look at')],
  error: FakeStreamError = { type: 'overloaded_error', message: 'Overloaded' },
): Reply => message(content, { midStreamError: error })

/** Some content, then the socket closes (streamed); a dropped connection for a JSON request. */
export const dropMidStream = (content: FakeBlock[] = [text('Let me look at')]): Reply =>
  message(content, { dropMidStream: true })

/** Some content, then silence with the socket open (streamed); a hang for a JSON request. */
export const stallMidStream = (content: FakeBlock[] = [text('Let me look at')]): Reply =>
  message(content, { stallMidStream: true })

/**
 * `reply` with these rate-limit headers (over the server's), e.g. an exhausted input bucket:
 * `withRateLimit(say('ok'), { inputTokensRemaining: 0, inputTokensReset: 20_000 })`.
 */
export function withRateLimit(reply: Reply, limits: Partial<FakeRateLimit>): Reply {
  if (reply.kind !== 'message' && reply.kind !== 'error') {
    throw new TypeError(`withRateLimit: a ${reply.kind} reply sends no headers`)
  }
  return { ...reply, rateLimit: { ...reply.rateLimit, ...limits } }
}

/** A final answer in words: Claude ends its turn. */
export const say = (words: string, usage?: Partial<FakeUsage>): Reply =>
  message([text(words)], { stopReason: 'end_turn', usage })

/** Claude calls tools (in this order) and waits for their results. */
export const callTools = (...calls: FakeBlock[]): Reply =>
  message(calls, { stopReason: 'tool_use' })
