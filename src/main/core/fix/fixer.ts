/**
 * The fixer ("headless Claude"): one attempt is a tool loop with the text editor tool. Each
 * `tool_use` goes to the sandboxed `EditorTool`, in order; its result goes back as a `tool_result`
 * (`is_error` for a refused call) until Claude ends its turn. A refused call never ends the loop.
 *
 * Bounded: turns (requests) and tokens per attempt, plus the caller's `onUsage` hook for money
 * budgets. A response's tool calls are always carried out (they are paid for and local); the limits
 * are checked before each new request. The stable prefix (instructions, tool definition, plan,
 * failing output, sources) is cached, so attempts 2..n and later turns read it from the cache.
 */
import type {
  Message,
  MessageParam,
  ToolResultBlockParam,
  ToolTextEditor20250728,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages'
import { EMPTY_USAGE, type CheckResult, type Plan, type Usage } from '../../../shared/domain'
import { systemBlock, withMovingBreakpoint } from '../claude/cache-control'
import type { ClaudeClient } from '../claude/client'
import { textOf, toParams } from '../claude/content'
import { ClaudeAbortError } from '../claude/errors'
import { addUsage } from '../claude/pricing'
import { budgetTokens } from './budget'
import type { EditorTool } from './editor-types'
import {
  DEFAULT_PROMPT_LIMITS,
  FIXER_SYSTEM,
  displayPath,
  renderChecks,
  renderDiff,
  renderFeedback,
  renderPlan,
  renderSources,
  type AttemptFeedback,
  type PromptLimits,
  type SourceFile,
} from './prompts'

export const EDITOR_TOOL_NAME = 'str_replace_based_edit_tool'

/** The text editor tool as this SDK documents it for Claude 4 and later models. */
export function editorToolDefinition(maxCharacters?: number): ToolTextEditor20250728 {
  return {
    type: 'text_editor_20250728',
    name: EDITOR_TOOL_NAME,
    ...(maxCharacters ? { max_characters: maxCharacters } : {}),
  }
}

export interface FixAttemptInput {
  /** The files the task is about, project-relative. */
  files: string[]
  /** The failing checks of the detection run. */
  checks: CheckResult[]
  diff?: string | null
  sources: SourceFile[]
  plan: Plan
  /** 1-based number of this attempt. */
  attempt: number
  maxAttempts: number
  /** What earlier attempts of this task left behind, oldest first. */
  feedback: AttemptFeedback[]
}

/** What `onUsage` answers after each response: go on, or stop before the next request. */
export type UsageDecision = 'continue' | { stop: string }

export interface ToolCallEvent {
  turn: number
  id: string
  name: string
  command: string | null
  path: string | null
  isError: boolean
  /** The result sent back, for the log (may be long). */
  result: string
}

export interface FixerOptions {
  client: ClaudeClient
  editor: EditorTool
  /** Requests per attempt. @default 25 */
  maxTurns?: number
  /**
   * Tokens per attempt, counted as budgets count them (`budgetTokens`: input, cache writes and
   * output; cache reads are left out). @default 200000 (the attemptTokens budget's default)
   */
  maxTokens?: number
  /** `max_tokens` of each response. @default 8192 */
  maxOutputTokens?: number
  /** Characters a `view` may return, passed to the tool definition. @default 40000 */
  viewMaxCharacters?: number
  /** @default DEFAULT_PROMPT_LIMITS */
  limits?: Partial<PromptLimits>
  /** Called after every response with its usage and the attempt's total so far. */
  onUsage?: (request: Usage, attemptTotal: Usage) => UsageDecision
  /** Called after every tool call, for the live log. */
  onToolCall?: (event: ToolCallEvent) => void
  signal?: AbortSignal
}

export type FixStopReason =
  /** Claude ended its turn: it believes the fix is made. */
  | 'end_turn'
  | 'max_turns'
  /** The attempt's token cap was reached. */
  | 'max_tokens'
  /** `onUsage` said stop. */
  | 'budget'
  | 'aborted'
  /** Claude declined to continue. */
  | 'refusal'
  /** The API failed (see `error`) or the context window was exceeded. */
  | 'error'

export interface FixAttemptResult {
  usage: Usage
  /** Requests made. */
  turns: number
  toolCalls: number
  stopReason: FixStopReason
  /** Words for the log: the budget's reason, the limit reached. */
  detail?: string
  /** A `ClaudeError` when the API failed; auto-fix pauses on `pausesAutoFix(error)`. */
  error?: Error
  /** Claude's closing words, when it ended its turn. */
  summary: string | null
}

/** Runs one fix attempt. Never throws; failures are in `stopReason` and `error`. */
export async function runFixAttempt(
  input: FixAttemptInput,
  options: FixerOptions,
): Promise<FixAttemptResult> {
  const maxTurns = options.maxTurns ?? 25
  const maxTokens = options.maxTokens ?? 200_000
  const limits = { ...DEFAULT_PROMPT_LIMITS, ...options.limits }
  const { client, editor, signal } = options
  const system = [systemBlock(FIXER_SYSTEM, true), systemBlock(renderContext(input, limits), true)]
  const tools = [editorToolDefinition(options.viewMaxCharacters ?? 40_000)]
  const messages: MessageParam[] = [{ role: 'user', content: renderAttempt(input, limits) }]

  let usage: Usage = EMPTY_USAGE
  let turns = 0
  let toolCalls = 0
  let budgetStop: string | null = null
  const result = (
    stopReason: FixStopReason,
    extra: Partial<FixAttemptResult> = {},
  ): FixAttemptResult => ({ usage, turns, toolCalls, stopReason, summary: null, ...extra })

  for (;;) {
    if (signal?.aborted) return result('aborted', { detail: 'aborted before the next request' })
    if (budgetStop !== null) return result('budget', { detail: budgetStop })
    if (turns >= maxTurns) return result('max_turns', { detail: `stopped after ${turns} requests` })
    if (budgetTokens(usage) >= maxTokens) {
      return result('max_tokens', { detail: `used ${budgetTokens(usage)} of ${maxTokens} tokens` })
    }

    let message: Message
    try {
      const reply = await client.createMessage(
        {
          max_tokens: options.maxOutputTokens ?? 8192,
          system,
          tools,
          messages: withMovingBreakpoint(messages),
        },
        { signal },
      )
      message = reply.message
      turns++
      usage = addUsage(usage, reply.usage)
      const decision = options.onUsage?.(reply.usage, usage) ?? 'continue'
      if (decision !== 'continue') budgetStop = decision.stop
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error))
      if (err instanceof ClaudeAbortError) return result('aborted', { error: err })
      return result('error', { error: err, detail: err.message })
    }

    messages.push({ role: 'assistant', content: toParams(message.content) })
    const calls = message.content.filter(
      (block): block is ToolUseBlock => block.type === 'tool_use',
    )

    if (calls.length > 0) {
      const results: ToolResultBlockParam[] = []
      for (const call of calls) {
        if (signal?.aborted) return result('aborted', { detail: 'aborted between tool calls' })
        const outcome = await runTool(call, editor, signal)
        toolCalls++
        results.push({
          type: 'tool_result',
          tool_use_id: call.id,
          content: outcome.content,
          ...(outcome.isError ? { is_error: true } : {}),
        })
        options.onToolCall?.({
          turn: turns,
          id: call.id,
          name: call.name,
          command: field(call.input, 'command'),
          path: field(call.input, 'path'),
          isError: outcome.isError,
          result: outcome.content,
        })
      }
      messages.push({ role: 'user', content: results })
      continue
    }

    switch (message.stop_reason) {
      case 'end_turn':
      case 'stop_sequence':
        return result('end_turn', { summary: textOf(message.content) })
      case 'pause_turn':
        // The API paused a long turn; sending the conversation back lets it continue.
        continue
      case 'max_tokens':
        messages.push({
          role: 'user',
          content: 'Your reply reached the output limit. Continue, in shorter steps.',
        })
        continue
      case 'refusal':
        return result('refusal', { detail: textOf(message.content) ?? 'Claude declined the task' })
      default:
        return result('error', {
          detail: `the reply ended with stop reason ${String(message.stop_reason)}`,
        })
    }
  }
}

async function runTool(
  call: ToolUseBlock,
  editor: EditorTool,
  signal: AbortSignal | undefined,
): Promise<{ content: string; isError: boolean }> {
  if (call.name !== EDITOR_TOOL_NAME) {
    return {
      content: `Unknown tool "${call.name}". The only tool is ${EDITOR_TOOL_NAME}.`,
      isError: true,
    }
  }
  try {
    const outcome = await editor.execute(call.input, signal)
    return { content: outcome.content, isError: outcome.isError }
  } catch (error) {
    // The editor promises not to throw; if it does, Claude still gets an answer and the loop goes on.
    const message = error instanceof Error ? error.message : String(error)
    return { content: `The editor failed: ${message}`, isError: true }
  }
}

/** The task context: stable for every attempt of a task, so it sits in the cached prefix. */
function renderContext(input: FixAttemptInput, limits: PromptLimits): string {
  return [
    `Files of this task: ${input.files.map(displayPath).join(', ') || '(none named)'}`,
    `# Plan\n${renderPlan(input.plan)}`,
    `# Failing checks\n${renderChecks(input.checks, limits)}`,
    renderDiff(input.diff, limits),
    `# Source files as they were when the task started\n${renderSources(input.sources, limits)}`,
  ]
    .filter(Boolean)
    .join('\n\n')
}

/** The first user turn: what changes between attempts. */
function renderAttempt(input: FixAttemptInput, limits: PromptLimits): string {
  const feedback = renderFeedback(input.feedback, limits)
  return [
    `This is attempt ${input.attempt} of ${input.maxAttempts}.`,
    feedback
      ? `${feedback}\n\nEarlier attempts may have changed files since the copies above; view a file before editing it.`
      : '',
    'Fix the failing checks now.',
  ]
    .filter(Boolean)
    .join('\n\n')
}

function field(input: unknown, key: string): string | null {
  if (typeof input !== 'object' || input === null) return null
  const value = (input as Record<string, unknown>)[key]
  return typeof value === 'string' ? value : null
}
