/** How the fix agent's messages are shaped: the context, the first turn, tool results. */
import type { ContentBlock, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages'
import type { AgentTask, ToolOutcome } from './agent-types'
import { displayPath, renderChecks, renderDiff, renderSources, type PromptLimits } from './prompts'

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

export function toolResult(id: string, outcome: ToolOutcome): ToolResultBlockParam {
  return {
    type: 'tool_result',
    tool_use_id: id,
    content: outcome.content,
    ...(outcome.isError ? { is_error: true } : {}),
  }
}

/** The task context: the same for every round, so it sits in the cached prefix. */
export function renderContext(task: AgentTask, limits: PromptLimits): string {
  return [
    `Files of this task: ${task.files.map(displayPath).join(', ') || '(none named)'}`,
    `# Failing checks\n${renderChecks(task.checks, limits)}`,
    task.change ? renderDiff(task.change.diff, limits, task.change.heading) : '',
    `# Source files as they were when the task started\n${renderSources(task.sources, limits)}`,
  ]
    .filter(Boolean)
    .join('\n\n')
}

export function firstMessage(task: AgentTask, n: number): string {
  return `Fix the failing checks. This is round ${n} of ${task.maxRounds}: each finish is verified, and a failed verification comes back to you.`
}

export function field(input: unknown, key: string): string | null {
  if (typeof input !== 'object' || input === null) return null
  const value = (input as Record<string, unknown>)[key]
  return typeof value === 'string' ? value : null
}
