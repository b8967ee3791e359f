/**
 * Scripted replies for the fake Messages API, and builders that read like the situations they stage.
 * Error bodies follow the API's shape: `{type: 'error', error: {type, message, details?}, request_id}`.
 */

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
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'thinking'; thinking: string; signature: string }

export interface FakeUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
}

export type Reply =
  | {
      kind: 'message'
      content: FakeBlock[]
      /** @default 'tool_use' when a tool_use block is present, else 'end_turn' */
      stopReason?: FakeStopReason
      /** Fields given here override the simulated usage. */
      usage?: Partial<FakeUsage>
      /** @default the request's model */
      model?: string
    }
  | {
      kind: 'error'
      status: number
      type: string
      message: string
      /** Sent as `error.details.error_code`, the field the SDK maps to its error classes. */
      errorCode?: string
      headers?: Record<string, string>
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

export function message(
  content: FakeBlock[],
  options: { stopReason?: FakeStopReason; usage?: Partial<FakeUsage>; model?: string } = {},
): Reply {
  return { kind: 'message', content, ...options }
}

/** A final answer in words: Claude ends its turn. */
export const say = (words: string, usage?: Partial<FakeUsage>): Reply =>
  message([text(words)], { stopReason: 'end_turn', usage })

/** Claude calls tools (in this order) and waits for their results. */
export const callTools = (...calls: FakeBlock[]): Reply =>
  message(calls, { stopReason: 'tool_use' })

function apiError(
  status: number,
  type: string,
  text: string,
  extra: { errorCode?: string; headers?: Record<string, string> } = {},
): Reply {
  return { kind: 'error', status, type, message: text, ...extra }
}

export const rateLimited = (retryAfterSeconds?: number): Reply =>
  apiError(
    429,
    'rate_limit_error',
    'Number of request tokens has exceeded your per-minute rate limit',
    {
      headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    },
  )

export const overloaded = (retryAfterSeconds?: number): Reply =>
  apiError(529, 'overloaded_error', 'Overloaded', {
    headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
  })

export const serverError = (status = 500): Reply =>
  apiError(status, 'api_error', 'Internal server error')

export const unauthorized = (): Reply => apiError(401, 'authentication_error', 'invalid x-api-key')

export const forbidden = (): Reply =>
  apiError(
    403,
    'permission_error',
    'Your API key does not have permission to use the specified resource.',
  )

/**
 * The organisation crossed its API tier's monthly threshold: 429 with
 * `error.details.error_code: 'enforced_spend_limit_reached'` (SDK 1.14's EnforcedSpendLimitReachedError).
 */
export const spendLimitReached = (): Reply =>
  apiError(429, 'rate_limit_error', 'You have reached your specified API usage limits.', {
    errorCode: 'enforced_spend_limit_reached',
  })

export const badRequest = (text: string): Reply => apiError(400, 'invalid_request_error', text)

export const hang = (): Reply => ({ kind: 'hang' })

export const dropConnection = (): Reply => ({ kind: 'drop' })

export const delayed = (ms: number, then: Reply): Reply => ({ kind: 'delay', ms, then })

/** 200 with a JSON content type and a body cut off mid-way. */
export const truncatedJson = (): Reply => ({
  kind: 'raw',
  status: 200,
  body: '{"id":"msg_fake","type":"message","content":[{"type":"te',
})

/** 200 with a proxy's HTML page instead of a message. */
export const htmlPage = (): Reply => ({
  kind: 'raw',
  status: 200,
  contentType: 'text/html',
  body: '<html><body><h1>Gateway says hello</h1></body></html>',
})

/** 200 with JSON that is not a message. */
export const notAMessage = (): Reply => ({ kind: 'raw', status: 200, body: '{"hello":"world"}' })
