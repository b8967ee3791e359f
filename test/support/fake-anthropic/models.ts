/**
 * The model catalogue the fake server answers GET /v1/models with, including each model's
 * `capabilities` and token limits in the API's ModelInfo shape.
 */

export type FakeEffortLevel = 'low' | 'medium' | 'high' | 'xhigh' | 'max'

/** What a FakeModel can do; every field has the default of a current model. */
export interface FakeCapabilities {
  /** Effort levels the model accepts; `[]` means no effort support. @default all five */
  effort?: FakeEffortLevel[]
  /** @default true */
  structuredOutputs?: boolean
  /** Accepted `thinking.type`s. @default { adaptive: true, enabled: false, disabled: true, between_tools: true } */
  thinking?: Partial<Record<'adaptive' | 'enabled' | 'disabled' | 'between_tools', boolean>>
}

export interface FakeModel {
  id: string
  display_name: string
  lifecycle: 'active' | 'deprecated' | 'retired'
  deprecated_at?: string | null
  retires_at?: string | null
  /** Other names that resolve to this model on GET /v1/models/:id. */
  aliases?: string[]
  /** `null` sends `capabilities: null`, as an older gateway does. @default a current model's */
  capabilities?: FakeCapabilities | null
  /** `null` sends null (older gateways). @default 1_000_000 */
  max_input_tokens?: number | null
  /** `null` sends null (older gateways). @default 128_000 */
  max_tokens?: number | null
}

const ALL_EFFORT: FakeEffortLevel[] = ['low', 'medium', 'high', 'xhigh', 'max']
/** Opus 4.6 and Sonnet 4.6 came before `xhigh`. */
const NO_XHIGH: FakeEffortLevel[] = ['low', 'medium', 'high', 'max']

type Thinking = NonNullable<FakeCapabilities['thinking']>
/** Fable and Mythos think always: `disabled` is a 400. */
const ALWAYS_ON: Thinking = { adaptive: true, enabled: false, disabled: false, between_tools: true }
/** Adaptive, with the older budgeted `enabled` still accepted (Opus 4.6, Sonnet 4.6). */
const BOTH: Thinking = { adaptive: true, enabled: true, disabled: true, between_tools: true }
/** Extended thinking with a budget only (the 4.5 generation). */
const BUDGET: Thinking = { adaptive: false, enabled: true, disabled: true, between_tools: false }

const active = (id: string, display_name: string, extra: Partial<FakeModel> = {}): FakeModel => ({
  id,
  display_name,
  lifecycle: 'active',
  ...extra,
})
const alwaysOn = { capabilities: { thinking: ALWAYS_ON } }
const older = { max_input_tokens: 200_000, max_tokens: 64_000 }

/**
 * The current models of @anthropic-ai/sdk 1.14's `Model` list and a few older ones, with the
 * limits and abilities of the model pages (1M / 128k unless said). The default model comes first:
 * "not known" errors list the first dozen.
 */
export const DEFAULT_FAKE_MODELS: FakeModel[] = [
  active('claude-sonnet-5-5', 'Claude Sonnet 5.5'),
  active('claude-opus-5-5', 'Claude Opus 5.5'),
  active('claude-haiku-5-5', 'Claude Haiku 5.5'),
  active('claude-fable-5-2', 'Claude Fable 5.2', alwaysOn),
  active('claude-mythos-5-2', 'Claude Mythos 5.2', alwaysOn),
  active('claude-fable-5-1', 'Claude Fable 5.1', alwaysOn),
  active('claude-mythos-5-1', 'Claude Mythos 5.1', alwaysOn),
  active('claude-sonnet-5', 'Claude Sonnet 5'),
  active('claude-opus-5', 'Claude Opus 5'),
  active('claude-fable-5', 'Claude Fable 5', alwaysOn),
  active('claude-mythos-5', 'Claude Mythos 5', alwaysOn),
  active('claude-opus-4-8', 'Claude Opus 4.8'),
  active('claude-opus-4-7', 'Claude Opus 4.7'),
  active('claude-opus-4-6', 'Claude Opus 4.6', {
    capabilities: { effort: NO_XHIGH, thinking: BOTH },
  }),
  active('claude-sonnet-4-6', 'Claude Sonnet 4.6', {
    capabilities: { effort: NO_XHIGH, thinking: BOTH },
    max_tokens: 64_000,
  }),
  active('claude-haiku-4-5-20251001', 'Claude Haiku 4.5', {
    aliases: ['claude-haiku-4-5'],
    capabilities: { effort: [], thinking: BUDGET },
    ...older,
  }),
  {
    id: 'claude-opus-4-5-20251101',
    display_name: 'Claude Opus 4.5',
    lifecycle: 'deprecated',
    deprecated_at: '2026-10-22T00:00:00Z',
    retires_at: '2027-01-22T00:00:00Z',
    aliases: ['claude-opus-4-5'],
    capabilities: { effort: ['low', 'medium', 'high'], thinking: BUDGET },
    ...older,
  },
  {
    id: 'claude-sonnet-4-5-20250929',
    display_name: 'Claude Sonnet 4.5',
    lifecycle: 'deprecated',
    deprecated_at: '2026-08-01T00:00:00Z',
    retires_at: '2026-11-30T00:00:00Z',
    aliases: ['claude-sonnet-4-5'],
    capabilities: { effort: [], thinking: BUDGET },
    ...older,
  },
  {
    id: 'claude-mythos-preview',
    display_name: 'Claude Mythos Preview',
    lifecycle: 'retired',
    deprecated_at: '2026-06-09T00:00:00Z',
    retires_at: '2026-06-30T00:00:00Z',
    ...alwaysOn,
  },
  {
    id: 'claude-3-opus-20240229',
    display_name: 'Claude Opus 3',
    lifecycle: 'retired',
    deprecated_at: '2025-06-30T00:00:00Z',
    retires_at: '2026-01-05T00:00:00Z',
    capabilities: {
      effort: [],
      structuredOutputs: false,
      thinking: { adaptive: false, enabled: false, between_tools: false },
    },
    max_input_tokens: 200_000,
    max_tokens: 4096,
  },
]

/**
 * GET /v1/models/:id (an alias resolves) or GET /v1/models (active and deprecated unless
 * `lifecycle[]` says otherwise), as status and body.
 */
export function answerModels(
  url: URL,
  query: Record<string, string[]>,
  models: ReadonlyArray<FakeModel>,
): { status: 200; body: unknown } | { status: 404; message: string } {
  const id = decodeURIComponent(url.pathname.slice('/v1/models/'.length))
  if (url.pathname !== '/v1/models' && id) {
    const found = models.find((m) => m.id === id || m.aliases?.includes(id))
    return found
      ? { status: 200, body: modelInfo(found) }
      : { status: 404, message: `model: ${id}` }
  }
  const wanted = query['lifecycle[]'] ?? query['lifecycle'] ?? ['active', 'deprecated']
  const data = models.filter((m) => wanted.includes(m.lifecycle)).map(modelInfo)
  const first = data[0]?.id as string | undefined
  const last = data.at(-1)?.id as string | undefined
  return {
    status: 200,
    body: { data, has_more: false, first_id: first ?? null, last_id: last ?? null },
  }
}

/** The API's ModelInfo shape. */
export function modelInfo(model: FakeModel): Record<string, unknown> {
  return {
    type: 'model',
    id: model.id,
    display_name: model.display_name,
    created_at: '2026-01-01T00:00:00Z',
    lifecycle: model.lifecycle,
    deprecated_at: model.deprecated_at ?? null,
    retires_at: model.retires_at ?? null,
    capabilities: model.capabilities === null ? null : capabilities(model.capabilities ?? {}),
    line: lineOf(model.id),
    max_input_tokens: model.max_input_tokens === undefined ? 1_000_000 : model.max_input_tokens,
    max_tokens: model.max_tokens === undefined ? 128_000 : model.max_tokens,
  }
}

const yes = { supported: true }
const no = { supported: false }
const flag = (value: boolean) => (value ? yes : no)

/** The SDK's ModelCapabilities, every key present as the API promises. */
function capabilities(options: FakeCapabilities): Record<string, unknown> {
  const effort = options.effort ?? ALL_EFFORT
  const thinking = { adaptive: true, enabled: false, disabled: true, between_tools: true }
  Object.assign(thinking, options.thinking)
  return {
    batch: yes,
    citations: yes,
    code_execution: yes,
    context_management: {
      supported: true,
      clear_thinking_20251015: yes,
      clear_tool_uses_20250919: yes,
      compact_20260112: yes,
    },
    effort: {
      supported: effort.length > 0,
      low: flag(effort.includes('low')),
      medium: flag(effort.includes('medium')),
      high: flag(effort.includes('high')),
      xhigh: flag(effort.includes('xhigh')),
      max: flag(effort.includes('max')),
    },
    image_input: yes,
    pdf_input: yes,
    server_tools: { supported: true, code_execution: yes, web_search: yes },
    structured_outputs: flag(options.structuredOutputs ?? true),
    thinking: {
      supported: thinking.adaptive || thinking.enabled,
      types: {
        adaptive: flag(thinking.adaptive),
        enabled: flag(thinking.enabled),
        disabled: flag(thinking.disabled),
        between_tools: flag(thinking.between_tools),
      },
    },
  }
}

function lineOf(id: string): string | null {
  return /^claude-(?:\d+-(?:\d+-)?)?(haiku|sonnet|opus|fable|mythos)/.exec(id)?.[1] ?? null
}
