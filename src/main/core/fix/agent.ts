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
  ContentBlockParam,
  MessageParam,
  ToolTextEditor20250728,
  ToolUnion,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages'
import { EMPTY_USAGE, type Plan, type Usage } from '../../../shared/domain'
import { systemBlock, withMovingBreakpoint } from '../claude/cache-control'
import type { EffortLevel } from '../claude/capabilities'
import { textOf, toParams } from '../claude/content'
import { ClaudeAbortError, isContextWindowError, isOutage, pausesAutoFix } from '../claude/errors'
import { addUsage } from '../claude/pricing'
import { estimateInputTokens } from '../claude/rate-limit'
import { dropCutOffCall, field, firstMessage, renderContext, toolResult } from './agent-messages'
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
import {
  EDITOR_TOOL_NAME,
  type AgentOptions,
  type AgentTask,
  type RoundOptions,
  type RoundResult,
  type RoundStop,
  type ToolOutcome,
} from './agent-types'
import { AGENT_SYSTEM, DEFAULT_PROMPT_LIMITS, type PromptLimits } from './prompts'
import { SEARCH_TOOL, SEARCH_TOOL_NAME } from './search'

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
