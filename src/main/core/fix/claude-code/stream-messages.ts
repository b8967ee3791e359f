/**
 * Readers for the messages of `--output-format stream-json` (one JSON object a line): `system`
 * (`init` first, with session_id, model and tools), `assistant` and `user` (an API message in
 * `message`, content blocks text / tool_use / tool_result), and a final `result` with the run's
 * subtype, total_cost_usd, usage, num_turns and permission_denials. Field names as in Claude Code's
 * headless and Agent SDK docs. Anything else (stream_event, compact_boundary, hook messages, fields
 * a newer version adds) is ignored, and every field is read defensively: a message we cannot read
 * must not fail the run.
 */
import type { ApiUsageLike } from '../../claude/pricing'

export interface ToolUseBlock {
  id: string
  name: string
  input: Record<string, unknown>
}

export interface ToolResultBlock {
  toolUseId: string
  isError: boolean
  text: string
}

export interface AssistantMessage {
  /** The API message id; several stream lines can carry one response, one block each. */
  id: string | null
  model: string | null
  texts: string[]
  toolUses: ToolUseBlock[]
  usage: ApiUsageLike | null
}

export interface ResultMessage {
  subtype: string
  isError: boolean
  result: string | null
  errors: string[]
  totalCostUsd: number | null
  usage: ApiUsageLike | null
  numTurns: number | null
  sessionId: string | null
  permissionDenials: Array<{ toolName: string; input: Record<string, unknown> }>
}

export type StreamMessage =
  | { type: 'init'; sessionId: string | null; model: string | null; tools: string[] }
  | { type: 'assistant'; message: AssistantMessage }
  | { type: 'tool_results'; results: ToolResultBlock[] }
  | { type: 'result'; result: ResultMessage }

/** The message a stream line carries, or null for one we do not use. */
export function readStreamMessage(raw: Record<string, unknown>): StreamMessage | null {
  switch (raw.type) {
    case 'system':
      if (raw.subtype !== 'init') return null
      return {
        type: 'init',
        sessionId: str(raw.session_id),
        model: str(raw.model),
        tools: Array.isArray(raw.tools) ? raw.tools.filter((t) => typeof t === 'string') : [],
      }
    case 'assistant':
      return { type: 'assistant', message: readAssistant(obj(raw.message)) }
    case 'user': {
      const results = blocks(obj(raw.message).content).flatMap(readToolResult)
      return results.length > 0 ? { type: 'tool_results', results } : null
    }
    case 'result':
      return { type: 'result', result: readResult(raw) }
    default:
      return null
  }
}

function readAssistant(message: Record<string, unknown>): AssistantMessage {
  const content = blocks(message.content)
  return {
    id: str(message.id),
    model: str(message.model),
    texts: content.filter((b) => b.type === 'text').flatMap((b) => str(b.text) ?? []),
    toolUses: content.filter((b) => b.type === 'tool_use').flatMap(readToolUse),
    usage: readUsage(message.usage),
  }
}

function readToolUse(block: Record<string, unknown>): ToolUseBlock[] {
  const id = str(block.id)
  const name = str(block.name)
  return id && name ? [{ id, name, input: obj(block.input) }] : []
}

function readToolResult(block: Record<string, unknown>): ToolResultBlock[] {
  if (block.type !== 'tool_result') return []
  const toolUseId = str(block.tool_use_id)
  if (!toolUseId) return []
  // Content is a string, or text (and image) blocks.
  const text =
    typeof block.content === 'string'
      ? block.content
      : blocks(block.content)
          .flatMap((b) => str(b.text) ?? [])
          .join('\n')
  return [{ toolUseId, isError: block.is_error === true, text }]
}

function readResult(raw: Record<string, unknown>): ResultMessage {
  const denials = Array.isArray(raw.permission_denials) ? raw.permission_denials : []
  return {
    subtype: str(raw.subtype) ?? 'unknown',
    isError: raw.is_error === true,
    result: str(raw.result),
    errors: Array.isArray(raw.errors)
      ? raw.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))
      : [],
    totalCostUsd: num(raw.total_cost_usd),
    usage: readUsage(raw.usage),
    numTurns: num(raw.num_turns),
    sessionId: str(raw.session_id),
    permissionDenials: denials.map((d) => {
      const denial = obj(d)
      return { toolName: str(denial.tool_name) ?? 'unknown tool', input: obj(denial.tool_input) }
    }),
  }
}

function readUsage(value: unknown): ApiUsageLike | null {
  if (value === null || typeof value !== 'object') return null
  const u = value as Record<string, unknown>
  const cache = obj(u.cache_creation)
  return {
    input_tokens: num(u.input_tokens) ?? 0,
    output_tokens: num(u.output_tokens) ?? 0,
    cache_creation_input_tokens: num(u.cache_creation_input_tokens),
    cache_read_input_tokens: num(u.cache_read_input_tokens),
    cache_creation: {
      ephemeral_1h_input_tokens: num(cache.ephemeral_1h_input_tokens) ?? 0,
      ephemeral_5m_input_tokens: num(cache.ephemeral_5m_input_tokens) ?? 0,
    },
  }
}

function blocks(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value)
    ? value.filter((b): b is Record<string, unknown> => b !== null && typeof b === 'object')
    : []
}

function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
}
