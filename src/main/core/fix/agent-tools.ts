/**
 * The fix agent's own tools, besides the text editor and search: `report_plan` (the strategy,
 * stated before editing: the seed's "interactive Claude" step), `run_checks` (Fixloop's related
 * checks, not a shell) and `finish` (the round ends; Fixloop verifies). Inputs are validated here:
 * the schemas are strict where the model supports it, and checked again so a malformed call is
 * answered with an error the model can correct rather than trusted.
 */
import type { Tool } from '@anthropic-ai/sdk/resources/messages'
import { z } from 'zod'
import type { Plan } from '../../../shared/domain'
import { displayPath } from './prompts'

export const REPORT_PLAN_TOOL_NAME = 'report_plan'
export const FINISH_TOOL_NAME = 'finish'
export const RUN_CHECKS_TOOL_NAME = 'run_checks'

const text = (description: string) => ({ type: 'string', description })
const flag = {
  type: 'boolean',
  description:
    'True only if a test plainly contradicts the intended behaviour of the code (then say which, and why).',
}

export function reportPlanTool(strict: boolean): Tool {
  return {
    name: REPORT_PLAN_TOOL_NAME,
    description:
      'State your strategy before you edit: the root cause, the files you will change and the steps. ' +
      'Call it once, in your first reply (you may edit in the same reply). The user sees it.',
    ...(strict ? { strict: true } : {}),
    input_schema: {
      type: 'object',
      additionalProperties: false,
      required: ['root_cause', 'files', 'steps', 'risk', 'tests_look_wrong'],
      properties: {
        root_cause: text(
          'Why the checks fail, in one or two sentences, naming the function or line.',
        ),
        files: { type: 'array', items: { type: 'string' }, description: 'Project-relative paths.' },
        steps: { type: 'array', items: { type: 'string' }, description: 'Short, concrete steps.' },
        risk: { type: 'string', enum: ['low', 'medium', 'high'] },
        tests_look_wrong: flag,
      },
    },
  }
}

export function finishTool(strict: boolean): Tool {
  return {
    name: FINISH_TOOL_NAME,
    description:
      'Call when your fix is made. Fixloop then runs the full verification (related checks, the ' +
      'whole suite, extra checks) and the test-integrity check in the sandbox; if they fail, the ' +
      'failure comes back as this tool’s result and you continue.',
    ...(strict ? { strict: true } : {}),
    input_schema: {
      type: 'object',
      additionalProperties: false,
      required: ['root_cause', 'summary', 'tests_look_wrong'],
      properties: {
        root_cause: text('The cause you found (it may revise the plan).'),
        summary: text('What you changed and why, in one or two sentences.'),
        tests_look_wrong: flag,
      },
    },
  }
}

export function runChecksTool(maxPerRound: number): Tool {
  return {
    name: RUN_CHECKS_TOOL_NAME,
    description:
      'Runs the checks related to the given files (default: the task’s files and the files you ' +
      `edited) with Fixloop’s own test command, in the sandbox, and returns their output. Not a shell. ` +
      `At most ${maxPerRound} runs per round; you need not run them before finish.`,
    input_schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        files: {
          type: 'array',
          items: { type: 'string' },
          description: 'Project-relative source or test files whose related checks to run.',
        },
      },
    },
  }
}

const Str = z.string().trim().min(1).max(4000)

const PlanInput = z.object({
  root_cause: Str,
  files: z.array(z.string().trim().min(1).max(500)).max(50),
  steps: z.array(z.string().trim().min(1).max(2000)).max(30),
  risk: z.enum(['low', 'medium', 'high']),
  tests_look_wrong: z.boolean(),
})

const FinishInput = z.object({ root_cause: Str, summary: Str, tests_look_wrong: z.boolean() })

const RunChecksInput = z.object({ files: z.array(z.string().min(1).max(500)).max(50).optional() })

export interface Finish {
  rootCause: string
  summary: string
  testsLookWrong: boolean
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

function parse<T>(schema: z.ZodType<T>, input: unknown, tool: string): Parsed<T> {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
  return { ok: false, error: `Invalid ${tool} input (${issues.join('; ')}). Call it again.` }
}

export function parsePlan(input: unknown): Parsed<Plan> {
  const parsed = parse(PlanInput, input, REPORT_PLAN_TOOL_NAME)
  if (!parsed.ok) return parsed
  const v = parsed.value
  return {
    ok: true,
    value: {
      rootCause: v.root_cause,
      files: [...new Set(v.files.map(displayPath).filter(Boolean))],
      steps: v.steps,
      risk: v.risk,
      testsLookWrong: v.tests_look_wrong,
      source: 'claude',
    },
  }
}

export function parseFinish(input: unknown): Parsed<Finish> {
  const parsed = parse(FinishInput, input, FINISH_TOOL_NAME)
  if (!parsed.ok) return parsed
  const v = parsed.value
  return {
    ok: true,
    value: { rootCause: v.root_cause, summary: v.summary, testsLookWrong: v.tests_look_wrong },
  }
}

export function parseRunChecks(input: unknown): Parsed<string[] | null> {
  const parsed = parse(RunChecksInput, input ?? {}, RUN_CHECKS_TOOL_NAME)
  if (!parsed.ok) return parsed
  const files = parsed.value.files?.map(displayPath).filter(Boolean)
  return { ok: true, value: files?.length ? files : null }
}

/** The plan shown when the agent finished without reporting one: its finish says what it did. */
export function planFromFinish(finish: Finish, edited: readonly string[]): Plan {
  return {
    rootCause: finish.rootCause,
    files: [...edited],
    steps: [finish.summary],
    risk: 'medium',
    testsLookWrong: finish.testsLookWrong,
    source: 'claude',
  }
}
