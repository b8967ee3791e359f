/**
 * What a model can do, as the client needs it: token limits, effort levels, structured outputs and
 * thinking types. The models endpoint (`GET /v1/models/:id`) is the source of truth; when it cannot
 * answer (network, 404, 5xx) or answers without `capabilities` (older gateways), a small table by
 * model family stands in, marked `source: 'table'`.
 *
 * Table sources: the model overview pages on platform.claude.com as stored on 2026-11-24 (context
 * window, max output, thinking, "effort: not supported" for Haiku 4.5). The per-level effort
 * support of each family is our reading of the effort guide, not a published matrix: xhigh came
 * with Opus 4.7, max with Opus 4.6, and every Claude 5 model takes all five.
 */
import type { EffortCapability, ModelInfo } from '@anthropic-ai/sdk/resources/models'

export type EffortLevel = 'low' | 'medium' | 'high' | 'xhigh' | 'max'

export type ThinkingType = 'adaptive' | 'enabled' | 'disabled' | 'between_tools'

/** Effort levels in increasing order, as the API names them. */
export const EFFORT_LEVELS: ReadonlyArray<EffortLevel> = ['low', 'medium', 'high', 'xhigh', 'max']

export interface Capabilities {
  /** The model id these describe (the one asked about). */
  id: string
  /** Context window, in tokens. */
  maxInputTokens: number
  /** Largest `max_tokens` the model accepts. */
  maxOutputTokens: number
  effort: { supported: boolean; levels: EffortLevel[] }
  /** `output_config.format` and strict tool schemas. */
  structuredOutputs: boolean
  /** Which `thinking.type`s the model accepts; absent when not known. */
  thinking?: { supported: boolean; types: ThinkingType[] }
  /** Where the answer came from: the models endpoint, or the table below. */
  source: 'api' | 'table'
  /** Why the table stood in although the endpoint was asked (its error), for the log. */
  fallbackReason?: string
}

type Row = Omit<Capabilities, 'id' | 'source'>

const ALL: EffortLevel[] = [...EFFORT_LEVELS]
const adaptive = {
  supported: true,
  types: ['adaptive', 'disabled', 'between_tools'] as ThinkingType[],
}
const alwaysOn = { supported: true, types: ['adaptive', 'between_tools'] as ThinkingType[] }
const extended = { supported: true, types: ['enabled', 'disabled'] as ThinkingType[] }

const row = (
  maxInputTokens: number,
  maxOutputTokens: number,
  levels: EffortLevel[],
  thinking: Row['thinking'],
  structuredOutputs = true,
): Row => ({
  maxInputTokens,
  maxOutputTokens,
  effort: { supported: levels.length > 0, levels },
  structuredOutputs,
  thinking,
})

/** Matches these ids exactly, with or without a date suffix. */
const ids = (...names: string[]): RegExp => new RegExp(`^(?:${names.join('|')})(?:-\\d{8})?$`)

/** The first row whose pattern matches a model id wins. */
const TABLE: ReadonlyArray<{ pattern: RegExp; row: Row }> = [
  {
    pattern: ids('claude-(?:fable|mythos)-5(?:-[12])?', 'claude-mythos-preview'),
    row: row(1_000_000, 128_000, ALL, alwaysOn),
  },
  {
    pattern: ids('claude-(?:opus|sonnet|haiku)-5(?:-5)?'),
    row: row(1_000_000, 128_000, ALL, adaptive),
  },
  { pattern: ids('claude-opus-4-[78]'), row: row(1_000_000, 128_000, ALL, adaptive) },
  {
    pattern: ids('claude-opus-4-6'),
    row: row(1_000_000, 128_000, ['low', 'medium', 'high', 'max'], adaptive),
  },
  {
    pattern: ids('claude-sonnet-4-6'),
    row: row(1_000_000, 64_000, ['low', 'medium', 'high', 'max'], adaptive),
  },
  {
    pattern: ids('claude-opus-4-5'),
    row: row(200_000, 64_000, ['low', 'medium', 'high'], extended),
  },
  { pattern: ids('claude-(?:sonnet|haiku)-4-5'), row: row(200_000, 64_000, [], extended) },
  { pattern: ids('claude-opus-4(?:-[01])?'), row: row(200_000, 32_000, [], extended, false) },
  {
    pattern: ids('claude-sonnet-4', 'claude-3-7-sonnet'),
    row: row(200_000, 64_000, [], extended, false),
  },
  {
    pattern: /^claude-3-/,
    row: row(200_000, 8192, [], { supported: false, types: ['disabled'] }, false),
  },
]

/**
 * For an id the table does not know: almost always a model newer than the table, so a current
 * model's abilities, with the smaller window of the older ones so prompts are not sized to 1M on a
 * guess.
 */
const UNKNOWN: Row = row(200_000, 64_000, ALL, adaptive)

/** What the table says about `model`. */
export function tableCapabilities(model: string): Capabilities {
  const id = model
    .trim()
    .toLowerCase()
    .replace(/\[.*\]$/, '')
  const found = TABLE.find((entry) => entry.pattern.test(id))?.row ?? UNKNOWN
  return { id: model, ...structuredClone(found), source: 'table' }
}

/**
 * What the models endpoint said about `model`. Without `capabilities` (older gateways) the table
 * fills in effort, structured outputs and thinking (`source: 'table'`), keeping the token limits
 * the endpoint did send.
 */
export function capabilitiesFromInfo(model: string, info: ModelInfo): Capabilities {
  const table = tableCapabilities(info.id || model)
  const limits = {
    maxInputTokens: positive(info.max_input_tokens) ?? table.maxInputTokens,
    maxOutputTokens: positive(info.max_tokens) ?? table.maxOutputTokens,
  }
  const caps = info.capabilities
  if (!caps || typeof caps !== 'object') return { ...table, id: model, ...limits }
  const types = caps.thinking?.types
  return {
    id: model,
    ...limits,
    effort: effortOf(caps.effort),
    structuredOutputs: caps.structured_outputs?.supported === true,
    thinking: caps.thinking
      ? {
          supported: caps.thinking.supported === true,
          types: types
            ? (Object.keys(types) as ThinkingType[]).filter((t) => types[t]?.supported === true)
            : [],
        }
      : table.thinking,
    source: 'api',
  }
}

function effortOf(effort: EffortCapability | null | undefined): Capabilities['effort'] {
  if (!effort?.supported) return { supported: false, levels: [] }
  return {
    supported: true,
    levels: EFFORT_LEVELS.filter((level) => effort[level]?.supported === true),
  }
}

/**
 * `request` with `output_config.effort` removed when the model cannot take it (no effort support,
 * or not that level), and the notice to give the user; the request unchanged and null otherwise.
 * A level the model lacks is dropped rather than moved to a neighbour: the model's default is
 * what the API documents, a neighbour would be our guess.
 */
export function fitEffort<T extends { output_config?: { effort?: string | null } | null }>(
  request: T,
  capabilities: Capabilities,
): { request: T; notice: string | null } {
  const effort = request.output_config?.effort
  if (!effort) return { request, notice: null }
  const { supported, levels } = capabilities.effort
  if (supported && (levels as string[]).includes(effort)) return { request, notice: null }
  const { effort: _dropped, ...rest } = request.output_config ?? {}
  const next = { ...request }
  if (Object.keys(rest).length > 0) next.output_config = rest
  else delete next.output_config
  const why = supported
    ? `accepts effort ${levels.join(', ')} but not "${effort}"`
    : 'does not support the effort setting'
  const from = capabilities.source === 'api' ? 'the models endpoint' : 'the built-in model table'
  return {
    request: next,
    notice:
      `The model "${capabilities.id}" ${why} (per ${from}); requests to it are sent without ` +
      'effort, so the model uses its default.',
  }
}

function positive(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null
}
