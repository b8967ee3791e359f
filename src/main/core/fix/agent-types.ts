/** The fix agent's vocabulary: what it is given, what it may use, and how a round ends. */
import type { CheckResult, Usage } from '../../../shared/domain'
import type { Capabilities, EffortLevel } from '../claude/capabilities'
import type { ClaudeClient } from '../claude/client'
import type { EditorTool } from './editor-types'
import type { Finish } from './agent-tools'
import type { PromptLimits, SourceFile } from './prompts'

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
