/**
 * The planner ("interactive Claude"): one request per task, answered through the `submit_plan` tool
 * whose JSON schema matches `Plan`. The answer is validated with zod; anything else (an API error, no
 * tool call, a malformed input) yields a default plan that records why, so the fixer still runs.
 *
 * `tool_choice` forces the tool where the model accepts it. Sonnet 5.5, Opus 5.5 and Fable 5.1 answer a
 * forced tool_choice with a 400, so for them (and unknown models) the choice is `auto` and the prompt
 * asks for the tool; a plan written as JSON in text is accepted too.
 */
import type { Tool, ToolChoice } from '@anthropic-ai/sdk/resources/messages'
import { z } from 'zod'
import { EMPTY_USAGE, Plan, type CheckResult, type Usage } from '../../../shared/domain'
import { systemBlock } from '../claude/cache-control'
import type { ClaudeClient } from '../claude/client'
import { ClaudeAbortError, ClaudeRequestError, pausesAutoFix } from '../claude/errors'
import { acceptsForcedToolChoice } from '../claude/models'
import { addUsage } from '../claude/pricing'
import {
  DEFAULT_PROMPT_LIMITS,
  PLANNER_SYSTEM,
  displayPath,
  renderChecks,
  renderDiff,
  renderSources,
  type PromptLimits,
  type SourceFile,
} from './prompts'

export const PLAN_TOOL_NAME = 'submit_plan'

export const PLAN_TOOL: Tool = {
  name: PLAN_TOOL_NAME,
  description: 'Submit the plan for fixing the failing checks. Call exactly once.',
  input_schema: {
    type: 'object',
    additionalProperties: false,
    required: ['rootCause', 'files', 'steps', 'risk', 'testsLookWrong'],
    properties: {
      rootCause: { type: 'string', description: 'Why the checks fail, in one or two sentences.' },
      files: {
        type: 'array',
        items: { type: 'string' },
        description: 'Project-relative paths of the files to change.',
      },
      steps: { type: 'array', items: { type: 'string' }, description: 'Concrete edit steps.' },
      risk: { type: 'string', enum: ['low', 'medium', 'high'] },
      testsLookWrong: {
        type: 'boolean',
        description: 'True only if a test plainly contradicts the intended behaviour.',
      },
    },
  },
}

/** What Claude must send; bounded so a runaway answer cannot flood the task record. */
const PlanAnswer = z.object({
  rootCause: z.string().trim().min(1).max(4000),
  files: z.array(z.string().trim().min(1).max(500)).max(50),
  steps: z.array(z.string().trim().min(1).max(2000)).max(30),
  risk: z.enum(['low', 'medium', 'high']),
  testsLookWrong: z.boolean(),
})

export interface PlanInput {
  /** The files the task is about, project-relative. */
  files: string[]
  /** The checks of the detection run; the failing ones are shown. */
  checks: CheckResult[]
  /** Unified diff of the change that triggered the task, when git is present. */
  diff?: string | null
  /** Relevant source files, project-relative paths. Capped by `limits`. */
  sources: SourceFile[]
}

export interface PlannerOptions {
  client: ClaudeClient
  /** @default 2048 */
  maxOutputTokens?: number
  /** @default DEFAULT_PROMPT_LIMITS */
  limits?: Partial<PromptLimits>
  /** Force the plan tool with tool_choice. @default acceptsForcedToolChoice(client.model) */
  forceToolChoice?: boolean
  signal?: AbortSignal
}

export interface PlanOutcome {
  plan: Plan
  /** Usage of the planning request(s); empty when none was answered. */
  usage: Usage
  /** Why the plan is the default one. A `ClaudeError` when the API failed (see `pausesAutoFix`). */
  error?: Error
}

/** Plans the fix for one task. Never throws: failures give a default plan with the error recorded. */
export async function planFix(input: PlanInput, options: PlannerOptions): Promise<PlanOutcome> {
  const limits = { ...DEFAULT_PROMPT_LIMITS, ...options.limits }
  const force = options.forceToolChoice ?? acceptsForcedToolChoice(options.client.model)
  let usage = EMPTY_USAGE
  try {
    const ask = async (forced: boolean) => {
      const reply = await options.client.createMessage(
        {
          max_tokens: options.maxOutputTokens ?? 2048,
          system: [systemBlock(PLANNER_SYSTEM, true)],
          tools: [PLAN_TOOL],
          tool_choice: forced ? toolChoiceFor(PLAN_TOOL_NAME) : { type: 'auto' },
          messages: [{ role: 'user', content: renderRequest(input, limits) }],
        },
        { signal: options.signal },
      )
      usage = addUsage(usage, reply.usage)
      return reply
    }
    let reply
    try {
      reply = await ask(force)
    } catch (error) {
      // A model that rejects forced tool use says so with a 400; ask again the way it accepts.
      if (!(force && error instanceof ClaudeRequestError && /tool_choice/i.test(error.message))) {
        throw error
      }
      reply = await ask(false)
    }
    const answer = extractAnswer(reply.message.content)
    if (!answer.ok) {
      return fallback(
        input,
        usage,
        new Error(`${answer.error} (stop reason ${reply.message.stop_reason})`),
      )
    }
    return {
      plan: {
        ...answer.value,
        files: unique(answer.value.files.map(displayPath).filter(Boolean)),
        source: 'claude',
      },
      usage,
    }
  } catch (error) {
    return fallback(input, usage, error instanceof Error ? error : new Error(String(error)))
  }
}

/** The plan the fixer works from when planning failed. */
export function defaultPlan(files: ReadonlyArray<string>, error: string): Plan {
  return {
    rootCause: 'Unknown: planning failed, so the fixer works from the failing output alone.',
    files: files.map(displayPath),
    steps: [
      'Read the failing check output and the files involved.',
      'Find the cause in the source code and fix it there with the smallest change.',
      'Leave the tests alone unless they plainly contradict the intended behaviour.',
    ],
    risk: 'medium',
    testsLookWrong: false,
    source: 'default',
    error,
  }
}

/** True when planning failed in a way that will fail the fixer too (key rejected, spend limit, abort). */
export function planningStopsTask(outcome: PlanOutcome): boolean {
  return pausesAutoFix(outcome.error) || outcome.error instanceof ClaudeAbortError
}

function fallback(input: PlanInput, usage: Usage, error: Error): PlanOutcome {
  const plan = Plan.parse(defaultPlan(input.files, error.message))
  return { plan, usage, error }
}

function toolChoiceFor(name: string): ToolChoice {
  return { type: 'tool', name }
}

function renderRequest(input: PlanInput, limits: PromptLimits): string {
  const files = input.files.map(displayPath).join(', ') || '(none named)'
  return [
    `Files of this task: ${files}`,
    renderChecks(input.checks, limits),
    renderDiff(input.diff, limits),
    renderSources(input.sources, limits),
    `Call ${PLAN_TOOL_NAME} with the plan.`,
  ]
    .filter(Boolean)
    .join('\n\n')
}

type Extracted = { ok: true; value: z.infer<typeof PlanAnswer> } | { ok: false; error: string }

function extractAnswer(content: ReadonlyArray<{ type: string }>): Extracted {
  const call = content.find(
    (block): block is { type: 'tool_use'; name: string; input: unknown } =>
      block.type === 'tool_use' && (block as { name?: unknown }).name === PLAN_TOOL_NAME,
  )
  if (call) return validate(call.input, 'the submit_plan input')
  // With tool_choice auto a model may write the plan as JSON instead of calling the tool.
  const text = content
    .filter((block): block is { type: 'text'; text: string } => block.type === 'text')
    .map((block) => block.text)
    .join('\n')
  const json = /\{[\s\S]*\}/.exec(text)?.[0]
  if (json) {
    try {
      return validate(JSON.parse(json), 'the plan written as text')
    } catch {
      // Not JSON after all; fall through to "no plan".
    }
  }
  return { ok: false, error: 'Claude answered without calling submit_plan' }
}

function validate(value: unknown, what: string): Extracted {
  const parsed = PlanAnswer.safeParse(value)
  if (parsed.success) return { ok: true, value: parsed.data }
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
  return { ok: false, error: `Claude's plan did not match the schema in ${what}: ${issues}` }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}
