/** The model catalogue the fake server answers GET /v1/models with. */

export interface FakeModel {
  id: string
  display_name: string
  lifecycle: 'active' | 'deprecated' | 'retired'
  deprecated_at?: string | null
  retires_at?: string | null
  /** Other names that resolve to this model on GET /v1/models/:id. */
  aliases?: string[]
}

export const DEFAULT_FAKE_MODELS: FakeModel[] = [
  { id: 'claude-sonnet-5-5', display_name: 'Claude Sonnet 5.5', lifecycle: 'active' },
  { id: 'claude-opus-5-5', display_name: 'Claude Opus 5.5', lifecycle: 'active' },
  {
    id: 'claude-haiku-4-5-20251001',
    display_name: 'Claude Haiku 4.5',
    lifecycle: 'active',
    aliases: ['claude-haiku-4-5'],
  },
  {
    id: 'claude-sonnet-4-5-20250929',
    display_name: 'Claude Sonnet 4.5',
    lifecycle: 'deprecated',
    deprecated_at: '2026-08-01T00:00:00Z',
    retires_at: '2026-11-30T00:00:00Z',
    aliases: ['claude-sonnet-4-5'],
  },
  {
    id: 'claude-3-opus-20240229',
    display_name: 'Claude Opus 3',
    lifecycle: 'retired',
    deprecated_at: '2025-06-30T00:00:00Z',
    retires_at: '2026-01-05T00:00:00Z',
  },
]

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
    capabilities: null,
    line: null,
    max_input_tokens: 1_000_000,
    max_tokens: 128_000,
  }
}
