import type { Clock } from '../../util/clock'

/** Why a Claude Code run ended. Only `success` means Claude Code finished its work normally. */
export type ClaudeCodeStopReason =
  'success' | 'max_turns' | 'budget' | 'error' | 'aborted' | 'timeout' | 'crashed'

/** Token counts of a run, in our names (Claude Code's `usage` uses the API's). */
export interface ClaudeCodeUsage {
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
}

/** What happened during a run, for the live log. Snippets are short and already redacted. */
export type ClaudeCodeEvent =
  | { type: 'init'; sessionId: string | null; model: string | null; tools: string[] }
  | { type: 'text'; text: string }
  /** `target`: the file path (relative to cwd when inside it), the Bash command, or the pattern. */
  | { type: 'tool_use'; id: string; name: string; target: string | null }
  | { type: 'tool_error'; id: string; text: string }
  /** The running cost estimate went up (only while no result has arrived). */
  | { type: 'cost'; costUsd: number }

export interface RunClaudeCodeOptions {
  /**
   * The Claude Code program: a path, or an argv prefix (`['node', 'cli.js']` for an npm `.cmd` shim
   * on Windows) as `findClaudeCode` returns in `command`.
   */
  executable: string | readonly string[]
  /** The shadow workspace root: Claude Code runs here and may edit only here. */
  cwd: string
  /** The task, written to Claude Code's stdin (no argv length limit). */
  prompt: string
  /** Fixloop's rules, appended to Claude Code's own system prompt. */
  appendSystemPrompt: string
  /**
   * The related-check command's argv. Bash is allowed for exactly this command line (see
   * `checkCommandLine`) and nothing else; tell Claude the line in the prompt.
   */
  checkCommand: readonly string[]
  /** Passed as `--max-turns`. A positive integer. */
  maxTurns: number
  /**
   * Passed as `--max-budget-usd`, and the process tree is killed when the running estimate goes
   * over it first. @default none: no budget
   */
  maxBudgetUsd?: number
  /** Passed as `--model`. @default Claude Code's own choice */
  model?: string
  /**
   * Passed as `--resume`: continue that earlier session (the task's previous round, run in the same
   * folder), so Claude Code keeps what it saw and did. @default a new session
   */
  resume?: string
  /**
   * The environment Claude Code gets, passed through as given (it may need ANTHROPIC_API_KEY or
   * its own login variables). Values that look like secrets are redacted from everything we
   * report; none is ever logged.
   */
  env: NodeJS.ProcessEnv
  /** Ends the run: the process tree is killed and the result has stopReason `aborted`. */
  signal?: AbortSignal
  /** The process tree is killed after this long (stopReason `timeout`). @default 900000 */
  timeoutMs?: number
  /** Live log. A listener that throws is ignored. @default none */
  onEvent?: (event: ClaudeCodeEvent) => void
  /** Between SIGTERM and SIGKILL when the tree is stopped. @default 2000 */
  killGraceMs?: number
  /** How long Claude Code may linger after its result message before it is killed. @default 5000 */
  exitGraceMs?: number
  /** A stdout line longer than this is skipped (a huge tool result). @default 8388608 */
  maxLineBytes?: number
  /** How much of stderr is kept. @default 16384 */
  maxStderrBytes?: number
  /** @default process.platform */
  platform?: NodeJS.Platform
  /** @default systemClock */
  clock?: Clock
}

export interface ClaudeCodeResult {
  ok: boolean
  stopReason: ClaudeCodeStopReason
  /** Claude Code's final text (the result message's `result`), redacted. */
  summary: string | null
  /** `total_cost_usd` from the result message, else our running estimate. */
  costUsd: number
  /** True when `costUsd` and `usage` are our estimate (no result message arrived). */
  costEstimated: boolean
  usage: ClaudeCodeUsage
  /** `num_turns` from the result message, else the assistant responses we saw. */
  turns: number
  durationMs: number
  sessionId: string | null
  /**
   * Project-relative paths (POSIX separators) that Edit/Write/MultiEdit/NotebookEdit tool uses
   * targeted inside cwd, deduped, in first-seen order; uses refused by Claude Code are left out.
   * A hint for the log: Fixloop's own diff of the shadow is what counts.
   */
  editedPaths: string[]
  /** Absolute edit targets outside cwd that Claude asked for (Claude Code should refuse them). */
  outsidePaths: string[]
  /** Tool uses Claude Code refused, as "Bash: git push" (from the result's permission_denials). */
  permissionDenials: string[]
  toolUses: number
  /** What went wrong and what to do, when `ok` is false. Never contains a secret value. */
  error?: string
  /** The end of stderr, redacted. */
  stderrTail: string
  exitCode: number | null
  /** The signal that ended Claude Code (SIGTERM, SIGKILL when it ignored that), or null. */
  exitSignal: string | null
}
