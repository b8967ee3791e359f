/**
 * The fixer: ONE conversation per task, in rounds. A round is Claude working with its tools (the
 * sandboxed editor, search, run_checks, report_plan) until it calls `finish`; Fixloop then verifies.
 * Red verification comes back as `finish`'s `tool_result` with `is_error`, in the same conversation,
 * whose prefix stays cached — Claude sees its own earlier reasoning, edits and failures. A fresh
 * conversation, seeded with the edits so far and the last summary, only when the context window
 * demands it.
 *
 * The API's answers are read before anything runs: a tool call cut off by `max_tokens` is dropped
 * (never executed) and the turn continued; a refusal gets one try on the fallback model; an outage,
 * a billing stop or an abort end the round with that reason for the caller to judge.
 */
import type {
  ContentBlock,
  ContentBlockParam,
  MessageParam,
  ToolUnion,
  ToolResultBlockParam,
  ToolTextEditor20250728,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages'
import { EMPTY_USAGE, type CheckResult, type Plan, type Usage } from '../../../shared/domain'
import { systemBlock, withMovingBreakpoint } from '../claude/cache-control'
import type { Capabilities, EffortLevel } from '../claude/capabilities'
import type { ClaudeClient } from '../claude/client'
import { textOf, toParams } from '../claude/content'
import { ClaudeAbortError, isContextWindowError, isOutage, pausesAutoFix } from '../claude/errors'
import { addUsage } from '../claude/pricing'
import { estimateInputTokens } from '../claude/rate-limit'
import {
  FINISH_TOOL_NAME,
  REPORT_PLAN_TOOL_NAME,
  RUN_CHECKS_TOOL_NAME,
  finishTool,
  parseFinish,
  parsePlan,
  parseRunChecks,
  reportPlanTool,
  runChecksTool,
  type Finish,
} from './agent-tools'
import type { EditorTool } from './editor-types'
import {
  AGENT_SYSTEM,
  DEFAULT_PROMPT_LIMITS,
  displayPath,
  renderChecks,
  renderDiff,
  renderSources,
  type PromptLimits,
  type SourceFile,
} from './prompts'
import { SEARCH_TOOL, SEARCH_TOOL_NAME } from './search'

export const EDITOR_TOOL_NAME = 'str_replace_based_edit_tool'

export type EffortSetting = 'auto' | EffortLevel

export interface ToolOutcome {
  content: string
  isError: boolean
}

/** What the task is about: the stable part of the conversation (it sits in the cached prefix). */
export interface AgentTask {
  files: string[]
  /** The red checks of the detection run. */
  checks: CheckResult[]
  /** The change since the last green run (or since HEAD), with the heading saying which. */
  change: { heading: string; diff: string } | null
  sources: SourceFile[]
  maxRounds: number
}

export interface AgentToolbox {
  editor: EditorTool
  /** The related checks of `files` (null: the task's and the edited files), in the shadow. */
  runChecks: (files: string[] | null, signal?: AbortSignal) => Promise<ToolOutcome>
  search: { execute(input: unknown, signal?: AbortSignal): Promise<ToolOutcome> }
  /** `run_checks` calls a round may make. @default 4 */
  maxChecksPerRound?: number
}

/** What `onUsage` answers after each response: go on, or stop before the next request. */
export type UsageDecision = 'continue' | { stop: string }

export interface ToolCallEvent {
  round: number
  name: string
  command: string | null
  path: string | null
  isError: boolean
  /** The result sent back (may be long). */
  result: string
}

export interface AgentOptions {
  client: ClaudeClient
  tools: AgentToolbox
  capabilities: Capabilities
  /** Tried once when the model refuses. @default none */
  fallbackModel?: string | null
  /** 'auto': medium on the first round, high after. @default 'auto' */
  effort?: EffortSetting
  /** Requests per round. @default 25 */
  maxTurnsPerRound?: number
  limits?: Partial<PromptLimits>
  /** The diff of every edit so far: the seed of a fresh conversation. */
  editsSoFar: () => string
  onToolCall?: (event: ToolCallEvent) => void
  /**
   * Waits before a request of about this many input tokens when the rate limit says so (used when
   * several tasks share the key). @default none
   */
  pace?: (estimatedInputTokens: number, signal?: AbortSignal) => Promise<void>
  /** Things worth a log line: a fallback model, a fresh conversation. */
  onNote?: (message: string) => void
}

export interface RoundOptions {
  signal?: AbortSignal
  /** After every response, with its usage and the round's total so far. */
  onUsage?: (request: Usage, roundTotal: Usage) => UsageDecision
}

export type RoundStop =
  /** Claude called finish: verify. */
  | 'finish'
  /** Claude ended its turn without finish: verify what it did, its text is the summary. */
  | 'end_turn'
  | 'max_turns'
  | 'budget'
  | 'aborted'
  /** Claude declined, on the fallback model too (see `refusal`). */
  | 'refusal'
  /** The API is unavailable (outlasted the retry layer): `error` says how. Not the task's fault. */
  | 'outage'
  /** A billing, spend-limit or key answer: auto-fix waits for the user. */
  | 'paused'
  | 'error'

export interface RoundResult {
  stop: RoundStop
  usage: Usage
  /** Requests this round. */
  turns: number
  toolCalls: number
  finish: Finish | null
  /** Claude's closing words (finish's summary, or its final text). */
  summary: string | null
  detail?: string
  error?: Error
  /** `stop_details.category` of a refusal (null when the API named none). */
  refusal?: string | null
}

const CONTEXT_SHARE = 0.85

export class FixAgent {
  /** The strategy Claude reported (report_plan), null until it does. */
  plan: Plan | null = null
  lastFinish: Finish | null = null
  /** The model in use: the fallback once a refusal moved the conversation there. */
  model: string
  /** Fresh conversations started (context window). */
  restarts = 0
  readonly #system
  readonly #tools: ToolUnion[]
  readonly #limits: PromptLimits
  #messages: MessageParam[] = []
  /** The finish call awaiting its result (the next round's feedback). */
  #pendingFinish: string | null = null
  #lastPrompt = 0
  #lastFeedback: string | null = null

  constructor(
    readonly task: AgentTask,
    readonly options: AgentOptions,
  ) {
    this.model = options.client.model
    this.#limits = { ...DEFAULT_PROMPT_LIMITS, ...options.limits }
    this.#system = [
      systemBlock(AGENT_SYSTEM, true),
      systemBlock(renderContext(task, this.#limits), true),
    ]
    const strict = options.capabilities.structuredOutputs
    const editor: ToolTextEditor20250728 = {
      type: 'text_editor_20250728',
      name: EDITOR_TOOL_NAME,
      max_characters: 40_000,
    }
    this.#tools = [
      editor,
      SEARCH_TOOL,
      runChecksTool(options.tools.maxChecksPerRound ?? 4),
      reportPlanTool(strict),
      finishTool(strict),
    ]
  }

  /** Requests the conversation holds now, for tests and the log. */
  get length(): number {
    return this.#messages.length
  }

  /**
   * Runs round `n`. `feedback` is what Fixloop found after the previous round (the red
   * verification, or "no edits"); null on the first round. Never throws.
   */
  async round(n: number, feedback: string | null, hooks: RoundOptions = {}): Promise<RoundResult> {
    const { signal } = hooks
    const maxTurns = this.options.maxTurnsPerRound ?? 25
    const maxChecks = this.options.tools.maxChecksPerRound ?? 4
    this.#open(n, feedback)
    let usage: Usage = EMPTY_USAGE
    let turns = 0
    let toolCalls = 0
    let checksRun = 0
    let budgetStop: string | null = null
    let restarted = false
    const done = (stop: RoundStop, extra: Partial<RoundResult> = {}): RoundResult => ({
      stop,
      usage,
      turns,
      toolCalls,
      finish: null,
      summary: null,
      ...extra,
    })

    for (;;) {
      if (signal?.aborted) return done('aborted')
      if (budgetStop !== null) return done('budget', { detail: budgetStop })
      if (turns >= maxTurns) return done('max_turns', { detail: `stopped after ${turns} requests` })
      const { effort, maxTokens } = this.#output(n)
      if (!restarted && this.#lastPrompt + maxTokens > this.#contextRoom()) {
        restarted = true
        this.#restart('the conversation neared the context window')
      }

      let message
      try {
        const request = {
          model: this.model,
          max_tokens: maxTokens,
          system: this.#system,
          tools: this.#tools,
          messages: withMovingBreakpoint(this.#messages),
          ...(effort ? { output_config: { effort } } : {}),
        }
        await this.options.pace?.(estimateInputTokens(request), signal)
        const reply = await this.options.client.createMessage(request, { signal })
        message = reply.message
        turns++
        usage = addUsage(usage, reply.usage)
        const u = reply.usage
        this.#lastPrompt = u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens
        const decision = hooks.onUsage?.(reply.usage, usage) ?? 'continue'
        if (decision !== 'continue') budgetStop = decision.stop
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error))
        if (err instanceof ClaudeAbortError || signal?.aborted)
          return done('aborted', { error: err })
        if (isContextWindowError(err) && !restarted) {
          restarted = true
          this.#restart('the request no longer fit the context window')
          continue
        }
        if (pausesAutoFix(err)) return done('paused', { error: err, detail: err.message })
        if (isOutage(err)) return done('outage', { error: err, detail: err.message })
        return done('error', { error: err, detail: err.message })
      }

      if (message.stop_reason === 'refusal') {
        const fallback = this.options.fallbackModel
        const category = message.stop_details?.category ?? null
        if (fallback && fallback !== this.model) {
          this.options.onNote?.(
            `${this.model} declined (${category ?? 'no category'}); trying ${fallback} once`,
          )
          this.model = fallback
          continue
        }
        return done('refusal', {
          refusal: category,
          detail: `Claude (${this.model}) declined the task${category ? ` (category: ${category})` : ''}`,
        })
      }
      if (message.stop_reason === 'model_context_window_exceeded' && !restarted) {
        restarted = true
        this.#restart('the reply hit the context window')
        continue
      }

      const { kept, cut } = dropCutOffCall(message.content, message.stop_reason)
      if (kept.length) this.#messages.push({ role: 'assistant', content: toParams(kept) })
      const results: ContentBlockParam[] = []
      let finish: { id: string; value: Finish } | null = null
      for (const call of kept.filter((b): b is ToolUseBlock => b.type === 'tool_use')) {
        if (signal?.aborted) return done('aborted', { detail: 'aborted between tool calls' })
        toolCalls++
        if (call.name === FINISH_TOOL_NAME && !finish) {
          const parsed = parseFinish(call.input)
          if (parsed.ok) {
            finish = { id: call.id, value: parsed.value }
            continue
          }
          results.push(toolResult(call.id, { content: parsed.error, isError: true }))
          continue
        }
        const limited = call.name === RUN_CHECKS_TOOL_NAME && checksRun >= maxChecks
        if (call.name === RUN_CHECKS_TOOL_NAME && !limited) checksRun++
        const outcome = limited
          ? {
              content: `run_checks ran ${maxChecks} times this round; call finish and Fixloop verifies.`,
              isError: true,
            }
          : await this.#run(call, signal)
        results.push(toolResult(call.id, outcome))
        this.options.onToolCall?.({
          round: n,
          name: call.name,
          command: field(call.input, 'command'),
          path: field(call.input, 'path'),
          isError: outcome.isError,
          result: outcome.content,
        })
      }
      if (cut) {
        results.push({
          type: 'text',
          text:
            `Your reply reached max_tokens while writing a ${cut} call; that call was cut off and ` +
            'was NOT run. Continue in smaller steps (large files in parts: create, then insert).',
        })
      }
      if (results.length) this.#pushUser(results)
      if (finish) {
        this.#pendingFinish = finish.id
        this.lastFinish = finish.value
        return done('finish', { finish: finish.value, summary: finish.value.summary })
      }
      if (results.length) continue

      switch (message.stop_reason) {
        case 'end_turn':
        case 'stop_sequence':
          return done('end_turn', { summary: textOf(message.content) })
        case 'pause_turn':
          continue
        case 'max_tokens':
          this.#pushUser([{ type: 'text', text: 'Your reply reached max_tokens. Continue.' }])
          continue
        default:
          return done('error', { detail: `the reply ended with ${String(message.stop_reason)}` })
      }
    }
  }

  /** The round's first user content: the task, or the feedback on the previous round. */
  #open(n: number, feedback: string | null): void {
    if (feedback !== null) this.#lastFeedback = feedback
    if (this.#messages.length === 0) {
      this.#messages.push({ role: 'user', content: firstMessage(this.task, n) })
      this.#pendingFinish = null
      return
    }
    const text = `${feedback ?? 'Continue.'}\n\nThis is round ${n} of ${this.task.maxRounds}.`
    if (this.#pendingFinish) {
      this.#pushUser([toolResult(this.#pendingFinish, { content: text, isError: true })])
    } else this.#pushUser([{ type: 'text', text }])
    this.#pendingFinish = null
  }

  /** A fresh conversation seeded with the edits so far, the last summary and the last feedback. */
  #restart(why: string): void {
    this.restarts++
    this.options.onNote?.(`Starting a fresh conversation: ${why}`)
    const diff = this.options.editsSoFar()
    const seed = [
      `This is a fresh conversation about the same task: the previous one was closed because ${why}.`,
      diff.trim()
        ? `Your edits so far are in the files:\n\`\`\`diff\n${diff.trim().slice(-this.#limits.diffChars)}\n\`\`\``
        : 'No edits were made so far.',
      this.lastFinish ? `Your last summary: ${this.lastFinish.summary}` : '',
      this.#lastFeedback ?? '',
      'Continue the fix.',
    ]
    this.#messages = [{ role: 'user', content: seed.filter(Boolean).join('\n\n') }]
    this.#pendingFinish = null
    this.#lastPrompt = 0
  }

  #pushUser(blocks: ContentBlockParam[]): void {
    const last = this.#messages.at(-1)
    if (last?.role === 'user') {
      const content =
        typeof last.content === 'string'
          ? [{ type: 'text' as const, text: last.content }]
          : last.content
      // Tool results must lead the user turn that answers the tool calls.
      const merged = [...content, ...blocks]
      merged.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'))
      last.content = merged
    } else this.#messages.push({ role: 'user', content: blocks })
  }

  /** Effort and max_tokens of a round: medium and 16k first, high and 32k after (capped). */
  #output(n: number): { effort: EffortLevel | null; maxTokens: number } {
    const setting = this.options.effort ?? 'auto'
    const effort: EffortLevel = setting === 'auto' ? (n === 1 ? 'medium' : 'high') : setting
    const wanted = effort === 'low' || effort === 'medium' ? 16_000 : 32_000
    const cap = this.options.capabilities
    return {
      effort: cap.effort.supported ? effort : null,
      maxTokens: Math.min(wanted, cap.maxOutputTokens),
    }
  }

  #contextRoom(): number {
    return this.options.capabilities.maxInputTokens * CONTEXT_SHARE
  }

  async #run(call: ToolUseBlock, signal: AbortSignal | undefined): Promise<ToolOutcome> {
    const tools = this.options.tools
    try {
      switch (call.name) {
        case EDITOR_TOOL_NAME:
          return await tools.editor.execute(call.input, signal)
        case SEARCH_TOOL_NAME:
          return await tools.search.execute(call.input, signal)
        case RUN_CHECKS_TOOL_NAME: {
          const parsed = parseRunChecks(call.input)
          if (!parsed.ok) return { content: parsed.error, isError: true }
          return await tools.runChecks(parsed.value, signal)
        }
        case REPORT_PLAN_TOOL_NAME: {
          const parsed = parsePlan(call.input)
          if (!parsed.ok) return { content: parsed.error, isError: true }
          this.plan = parsed.value
          return { content: 'Plan recorded; the user sees it. Go ahead.', isError: false }
        }
        case FINISH_TOOL_NAME:
          return { content: 'finish was already called in this reply.', isError: true }
        default:
          return { content: `Unknown tool "${call.name}".`, isError: true }
      }
    } catch (error) {
      // The tools promise not to throw; if one does, Claude still gets an answer and the loop goes on.
      const message = error instanceof Error ? error.message : String(error)
      return { content: `${call.name} failed: ${message}`, isError: true }
    }
  }
}

/**
 * At `max_tokens`, a reply that ends in a tool call ended inside it: its input is incomplete, so it
 * is dropped, never run. Earlier calls in the reply are whole.
 */
export function dropCutOffCall(
  content: ReadonlyArray<ContentBlock>,
  stopReason: string | null,
): { kept: ContentBlock[]; cut: string | null } {
  const last = content.at(-1)
  if (stopReason === 'max_tokens' && last?.type === 'tool_use') {
    return { kept: content.slice(0, -1), cut: last.name }
  }
  return { kept: [...content], cut: null }
}

function toolResult(id: string, outcome: ToolOutcome): ToolResultBlockParam {
  return {
    type: 'tool_result',
    tool_use_id: id,
    content: outcome.content,
    ...(outcome.isError ? { is_error: true } : {}),
  }
}

/** The task context: the same for every round, so it sits in the cached prefix. */
function renderContext(task: AgentTask, limits: PromptLimits): string {
  return [
    `Files of this task: ${task.files.map(displayPath).join(', ') || '(none named)'}`,
    `# Failing checks\n${renderChecks(task.checks, limits)}`,
    task.change ? renderDiff(task.change.diff, limits, task.change.heading) : '',
    `# Source files as they were when the task started\n${renderSources(task.sources, limits)}`,
  ]
    .filter(Boolean)
    .join('\n\n')
}

function firstMessage(task: AgentTask, n: number): string {
  return `Fix the failing checks. This is round ${n} of ${task.maxRounds}: each finish is verified, and a failed verification comes back to you.`
}

function field(input: unknown, key: string): string | null {
  if (typeof input !== 'object' || input === null) return null
  const value = (input as Record<string, unknown>)[key]
  return typeof value === 'string' ? value : null
}
