/**
 * The "claude-code" fixer backend: runs the user's own Claude Code headless (`claude -p`) in a
 * shadow workspace and reports what happened. It never touches the user's tree; Fixloop's own
 * verification, integrity checks and apply stay the judge of what Claude Code changed.
 *
 * Why the `claude` CLI found on PATH and not `@anthropic-ai/claude-agent-sdk` (looked at 0.3.334
 * on the npm registry; engines node >= 18.14, so Node 20 would be fine):
 * - The SDK is not a thin client: its per-platform optional dependency ships a whole Claude Code
 *   binary (linux-x64: 192 MB packed, 417 MB unpacked), one per OS and CPU. Fixloop's installers
 *   would carry it, and the user would have a second Claude Code besides their own, of another
 *   version, with their settings but our update cadence.
 * - The backend exists for developers who already have Claude Code: the CLI is their install,
 *   their version, their login (subscription or key) and their settings, and costs us no
 *   dependency. The SDK also pulls peers (@modelcontextprotocol/sdk, a second @anthropic-ai/sdk
 *   range, zod) into our tree.
 * - What the SDK adds over the CLI (in-process `canUseTool` callbacks, hooks as functions) we do
 *   not need: the permission rules on the command line say what is allowed, and the stream-json
 *   output is the same message stream the SDK yields.
 * What we pay: the CLI's flags and output format are an interface we do not pin, so the argv is
 * built in one place (`args.ts`), the stream is read defensively (`stream-messages.ts`), and
 * `findClaudeCode` refuses versions older than the 2.x the flags are from.
 */
export { allowRules, bashRule, buildClaudeArgs, checkCommandLine } from './args'
export { clearClaudeCodeCache, findClaudeCode, MIN_CLAUDE_CODE_VERSION } from './find-claude-code'
export type { ClaudeCodeFound, FindClaudeCodeOptions } from './find-claude-code'
export { claudeCodeHealth } from './health'
export { DEFAULT_TIMEOUT_MS, runClaudeCode } from './run-claude-code'
export type {
  ClaudeCodeEvent,
  ClaudeCodeResult,
  ClaudeCodeStopReason,
  ClaudeCodeUsage,
  RunClaudeCodeOptions,
} from './types'
