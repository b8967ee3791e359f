/**
 * Turns what happened (the result message, or how the process ended) into a `ClaudeCodeResult`.
 * Errors are classified here, where they enter: a login problem and a billing problem each say
 * what to do; every text is redacted before it leaves.
 */
import type { Redactor } from '../../util/redact'
import type { RunTally } from './run-tally'
import type { ResultMessage } from './stream-messages'
import type { ClaudeCodeResult, ClaudeCodeStopReason } from './types'

/** How the process ended, as the runner saw it. */
export interface ProcessEnd {
  /** Set when we stopped the run before a result message arrived. */
  stoppedBy: 'aborted' | 'timeout' | 'budget' | null
  /** The spawn failed (ENOENT, EACCES, a .cmd we cannot run without a shell). */
  startError: string | null
  exitCode: number | null
  signal: string | null
  durationMs: number
  stderrTail: string
}

export interface OutcomeContext {
  maxTurns: number
  maxBudgetUsd?: number
  timeoutMs: number
  redact: Redactor
}

const AUTH =
  /invalid api key|please run \/login|not logged in|log ?in again|authenticat|oauth token|unauthori[sz]ed|\b401\b/i
const BILLING = /credit balance|billing|quota|usage limit|spend limit/i

export function buildOutcome(
  tally: RunTally,
  end: ProcessEnd,
  ctx: OutcomeContext,
): ClaudeCodeResult {
  const result = end.stoppedBy === null ? tally.result : null
  const { stopReason, error } = result
    ? fromResult(result, ctx)
    : fromProcess(end, ctx, tally.estimate().costUsd)
  const estimate = tally.estimate()
  const usage = result?.usage
    ? {
        inputTokens: result.usage.input_tokens,
        outputTokens: result.usage.output_tokens,
        cacheReadTokens: result.usage.cache_read_input_tokens ?? 0,
        cacheWriteTokens: result.usage.cache_creation_input_tokens ?? 0,
      }
    : estimate.usage
  const costKnown = result !== null && result.totalCostUsd !== null
  const stderrTail = ctx.redact(end.stderrTail)
  return {
    ok: stopReason === 'success',
    stopReason,
    summary: result?.result != null ? ctx.redact(result.result) : null,
    costUsd: costKnown ? (result.totalCostUsd as number) : estimate.costUsd,
    costEstimated: !costKnown,
    usage,
    turns: result?.numTurns ?? tally.responsesSeen,
    durationMs: end.durationMs,
    sessionId: tally.sessionId,
    editedPaths: tally.editedPaths,
    outsidePaths: tally.outsidePaths,
    permissionDenials: (tally.result?.permissionDenials ?? []).map((d) =>
      ctx.redact(`${d.toolName}${describeInput(d.input)}`),
    ),
    toolUses: tally.toolUses,
    ...(error === undefined ? {} : { error: ctx.redact(error) }),
    stderrTail,
    exitCode: end.exitCode,
    exitSignal: end.signal,
  }
}

interface Verdict {
  stopReason: ClaudeCodeStopReason
  error?: string
}

function fromResult(result: ResultMessage, ctx: OutcomeContext): Verdict {
  const said = [result.result ?? '', ...result.errors].filter((t) => t.trim() !== '').join('; ')
  switch (result.subtype) {
    case 'success':
      if (!result.isError) return { stopReason: 'success' }
      return { stopReason: 'error', error: classify(said) }
    case 'error_max_turns':
      return {
        stopReason: 'max_turns',
        error: `Claude Code used its ${ctx.maxTurns} turns (--max-turns) before it finished.`,
      }
    case 'error_max_budget_usd':
      return {
        stopReason: 'budget',
        error: `Claude Code reached the $${ctx.maxBudgetUsd ?? '?'} budget (--max-budget-usd) before it finished.`,
      }
    default:
      return {
        stopReason: 'error',
        error: said ? classify(said) : `Claude Code ended with ${result.subtype}.`,
      }
  }
}

function fromProcess(end: ProcessEnd, ctx: OutcomeContext, costUsd: number): Verdict {
  switch (end.stoppedBy) {
    case 'aborted':
      return { stopReason: 'aborted', error: 'The Claude Code run was cancelled.' }
    case 'timeout':
      return {
        stopReason: 'timeout',
        error: `Claude Code did not finish within ${minutes(ctx.timeoutMs)}; it was stopped.`,
      }
    case 'budget':
      return {
        stopReason: 'budget',
        error: `Claude Code's running cost (about $${costUsd.toFixed(2)}) went over the $${ctx.maxBudgetUsd} budget; it was stopped.`,
      }
    case null:
      break
  }
  if (end.startError !== null)
    return {
      stopReason: 'crashed',
      error: `Could not start Claude Code: ${end.startError}. Check that it is installed (\`claude --version\`), or set fixer to api.`,
    }
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.exitCode}`
  const tail = lastLines(end.stderrTail)
  const said = tail ? `: ${tail}` : ' and printed nothing on stderr'
  const hint = AUTH.test(tail) ? ` ${classify(tail)}` : ''
  return {
    stopReason: 'crashed',
    error: `Claude Code ${how} before it reported a result${said}${hint}`,
  }
}

/** An error Claude Code reported, with what to do when we recognise it. */
function classify(text: string): string {
  const quoted = text.length > 500 ? `${text.slice(0, 500)}…` : text
  if (AUTH.test(text))
    return `Claude Code could not sign in ("${quoted}"). Its login is its own: run \`claude\` once and log in, or set fixer to api.`
  if (BILLING.test(text))
    return `Claude Code's account cannot pay for this run ("${quoted}"). Check the plan or credits of the account Claude Code uses, or set fixer to api.`
  return `Claude Code reported an error: ${quoted}`
}

function describeInput(input: Record<string, unknown>): string {
  const value = input.command ?? input.file_path ?? input.notebook_path ?? input.url ?? input.path
  if (typeof value !== 'string') return ''
  return `: ${value.length > 200 ? `${value.slice(0, 200)}…` : value}`
}

function lastLines(text: string, maxChars = 600): string {
  const trimmed = text.trim()
  return trimmed.length > maxChars ? `…${trimmed.slice(-maxChars)}` : trimmed
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6000) / 10} min` : `${Math.round(ms / 100) / 10} s`
}
