/**
 * The argv of a headless Claude Code run. Every flag is from Claude Code's CLI reference and
 * headless docs (code.claude.com/docs/en/cli-reference, /headless, /permissions,
 * /permission-modes); none was tried against a real Claude Code here.
 *
 * - `-p` with no prompt argument: the prompt is read from stdin, so its length is not bounded
 *   by argv limits (32 K characters on Windows), and the variadic `--allowedTools` cannot swallow it.
 * - `--output-format stream-json` needs `--verbose` in print mode ("When using --print,
 *   --output-format=stream-json requires --verbose", Claude Code 2.1.x).
 * - `--permission-mode dontAsk`: anything not pre-approved is denied rather than asked (there is
 *   no one to ask). `acceptEdits` would also auto-approve mkdir, touch, rm, rmdir, mv, cp and sed,
 *   which is more Bash than the one check command. Never `--dangerously-skip-permissions`.
 * - `--tools`: the only built-in tools that exist for the run (no WebFetch, WebSearch, Task
 *   subagents, notebooks); `--strict-mcp-config` without `--mcp-config`: no MCP servers either.
 * - `--allowedTools`: reads and edits under the working directory (`./**` is relative to it), and
 *   Bash for exactly the check command line (a rule without `*` matches only that exact command).
 *   Rules in the user's or project's Claude Code settings still add to these: Claude Code stays
 *   the user's own, and Fixloop's verification and integrity checks judge what it did.
 */

/** What the argv is built from; see `RunClaudeCodeOptions` for each field. */
export interface ClaudeArgsInput {
  appendSystemPrompt: string
  checkCommand: readonly string[]
  maxTurns: number
  maxBudgetUsd?: number
  model?: string
  resume?: string
}

/** The built-in tools a run can use at all. MultiEdit is gone from Claude Code 2.x. */
export const CLAUDE_TOOLS = ['Read', 'Edit', 'Write', 'Glob', 'Grep', 'Bash'] as const

export function buildClaudeArgs(input: ClaudeArgsInput): string[] {
  validate(input)
  const args = [
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    '--permission-mode',
    'dontAsk',
    '--tools',
    CLAUDE_TOOLS.join(','),
    '--allowedTools',
    ...allowRules(input.checkCommand),
    '--strict-mcp-config',
    '--max-turns',
    String(input.maxTurns),
  ]
  if (input.maxBudgetUsd !== undefined) args.push('--max-budget-usd', String(input.maxBudgetUsd))
  if (input.model !== undefined) args.push('--model', input.model)
  if (input.resume !== undefined) args.push('--resume', input.resume)
  args.push('--append-system-prompt', input.appendSystemPrompt)
  return args
}

/** The `--allowedTools` rules: one argv element each, as the CLI reference writes them. */
export function allowRules(checkCommand: readonly string[]): string[] {
  return ['Read(./**)', 'Edit(./**)', 'Write(./**)', bashRule(checkCommand)]
}

/**
 * `Bash(<command line>)`, matching only that exact line. In the rule `*` is a wildcard and `\` its
 * escape, so both are escaped: a literal `*` in a test glob must not widen the rule (an older
 * Claude Code without escapes then matches nothing, which denies rather than allows).
 */
export function bashRule(checkCommand: readonly string[]): string {
  const line = checkCommandLine(checkCommand)
  return `Bash(${line.replace(/[\\*]/g, (c) => `\\${c}`)})`
}

/**
 * The check command as one POSIX shell line (Claude Code's Bash tool runs bash, Git Bash on
 * Windows): plain words as they are, others in single quotes. The prompt must give Claude this
 * exact line, since the permission rule matches the text Claude runs.
 */
export function checkCommandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ')
}

export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replace(/'/g, `'\\''`)}'`
}

function validate(input: ClaudeArgsInput): void {
  if (!Number.isInteger(input.maxTurns) || input.maxTurns <= 0)
    throw new RangeError(`maxTurns must be a positive integer, got ${input.maxTurns}`)
  if (
    input.maxBudgetUsd !== undefined &&
    !(Number.isFinite(input.maxBudgetUsd) && input.maxBudgetUsd > 0)
  )
    throw new RangeError(`maxBudgetUsd must be a positive number, got ${input.maxBudgetUsd}`)
  if (input.checkCommand.length === 0 || input.checkCommand.some((w) => w.length === 0))
    throw new RangeError('checkCommand must be a non-empty argv without empty words')
  if (input.checkCommand.some((w) => /[\r\n\0]/.test(w)))
    throw new RangeError('checkCommand words must not contain line breaks or NUL')
  if (input.resume !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]{7,63}$/.test(input.resume))
    throw new RangeError(`resume must be a session id, got ${JSON.stringify(input.resume)}`)
  if (input.model !== undefined && !/^[A-Za-z0-9._:[\]-]+$/.test(input.model))
    throw new RangeError(`model must be a model id or alias, got ${JSON.stringify(input.model)}`)
}
