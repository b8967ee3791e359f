/**
 * What we know about models beyond their price: the default, which are deprecated, whether a model
 * accepts a forced `tool_choice`, and how a models-list answer becomes a clear verdict.
 */
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models'
import { ClaudeModelError } from './errors'

/** A current Sonnet; the SDK's own model list names it first among the Sonnets. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5'

/**
 * End-of-life dates (ISO) of deprecated models, mirroring the SDK's internal DEPRECATED_MODELS as of
 * @anthropic-ai/sdk 1.14.0. The API's own `lifecycle` / `retires_at` win when it reports them.
 */
export const KNOWN_DEPRECATIONS: Readonly<Record<string, string>> = {
  'claude-mythos-preview': '2026-06-30',
  'claude-opus-4-5': '2027-01-22',
  'claude-opus-4-5-20251101': '2027-01-22',
  'claude-sonnet-4-5': '2026-11-30',
  'claude-sonnet-4-5-20250929': '2026-11-30',
}

export interface ModelCheck {
  /** The name that was checked. */
  model: string
  /** The id the API resolved it to (an alias resolves to a dated id). */
  id: string
  displayName: string
  lifecycle: 'active' | 'deprecated' | 'retired'
  /** ISO date of retirement when one is scheduled. */
  retiresOn: string | null
  /** For the user: deprecation and end-of-life notices. Empty when all is well. */
  warnings: string[]
}

/**
 * The verdict on `model` given what the API said: its entry (null on 404) and, for suggestions, the
 * list of available models. Throws `ClaudeModelError` for an unknown or retired model.
 */
export function judgeModel(
  model: string,
  info: ModelInfo | null,
  available: ReadonlyArray<ModelInfo>,
  today: Date,
): ModelCheck {
  if (!info) {
    const names = available
      .filter((m) => m.lifecycle !== 'retired')
      .map((m) => m.id)
      .slice(0, 12)
    const list = names.length ? ` Models this key can use: ${names.join(', ')}.` : ''
    throw new ClaudeModelError(
      `The model "${model}" is not known to the Anthropic API.${list} ` +
        `Set CLAUDE_MODEL or the model setting to one of them (the default is ${DEFAULT_MODEL}).`,
      { status: 404 },
    )
  }
  const retiresOn = (
    info.retires_at ??
    KNOWN_DEPRECATIONS[info.id] ??
    KNOWN_DEPRECATIONS[model]
  )?.slice(0, 10)
  const lifecycle: ModelCheck['lifecycle'] =
    info.lifecycle === 'active' && retiresOn ? 'deprecated' : (info.lifecycle ?? 'active')
  if (lifecycle === 'retired') {
    throw new ClaudeModelError(
      `The model "${model}" is retired${retiresOn ? ` since ${retiresOn}` : ''} and no longer answers. ` +
        `Set CLAUDE_MODEL or the model setting to a current model such as ${DEFAULT_MODEL}.`,
    )
  }
  const warnings: string[] = []
  if (lifecycle === 'deprecated') {
    const when = retiresOn ? ` and reaches end of life on ${retiresOn}` : ''
    const days = retiresOn ? daysUntil(retiresOn, today) : null
    const soon = days !== null && days >= 0 ? ` (in ${days} day${days === 1 ? '' : 's'})` : ''
    const overdue = days !== null && days < 0 ? ' (retirement is overdue)' : ''
    warnings.push(
      `The model "${model}" is deprecated${when}${soon}${overdue}. Switch to ${DEFAULT_MODEL} ` +
        'in settings or CLAUDE_MODEL.',
    )
  }
  return {
    model,
    id: info.id,
    displayName: info.display_name ?? info.id,
    lifecycle,
    retiresOn: retiresOn ?? null,
    warnings,
  }
}

function daysUntil(isoDate: string, today: Date): number | null {
  const at = Date.parse(`${isoDate}T00:00:00Z`)
  if (Number.isNaN(at)) return null
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
  return Math.round((at - start) / 86_400_000)
}
