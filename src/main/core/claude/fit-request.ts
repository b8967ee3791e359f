/**
 * A request made to fit the model it goes to, before it is sent: an effort level the model does
 * not take is dropped (`fitEffort`), and a `max_tokens` above the model's ceiling is lowered to it.
 * Either would otherwise be a 400 that no retry can fix, on every request of a task.
 */
import { fitEffort, type Capabilities } from './capabilities'

export interface FitNotice {
  /** What was changed; the client tells the user once per model and kind. */
  kind: 'effort' | 'max_tokens'
  message: string
}

type Fittable = {
  max_tokens: number
  output_config?: { effort?: string | null } | null
}

/** `request` fitted to `capabilities`, and a notice for each change (none when it already fit). */
export function fitToModel<T extends Fittable>(
  request: T,
  capabilities: Capabilities,
): { request: T; notices: FitNotice[] } {
  const notices: FitNotice[] = []
  const effort = fitEffort(request, capabilities)
  let next = effort.request
  if (effort.notice) notices.push({ kind: 'effort', message: effort.notice })
  const ceiling = capabilities.maxOutputTokens
  if (Number.isFinite(next.max_tokens) && next.max_tokens > ceiling) {
    const from = capabilities.source === 'api' ? 'the models endpoint' : 'the built-in model table'
    notices.push({
      kind: 'max_tokens',
      message:
        `The model "${capabilities.id}" accepts at most ${ceiling} output tokens (per ${from}); ` +
        `requests asking for more (here ${next.max_tokens}) are sent with max_tokens ${ceiling}.`,
    })
    next = { ...next, max_tokens: ceiling }
  }
  return { request: next, notices }
}
