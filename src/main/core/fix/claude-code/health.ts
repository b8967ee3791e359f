import type { ClaudeCodeFound } from './find-claude-code'

/**
 * One line for the dashboard's and the CLI's health: "Claude Code 2.1.59 at /usr/local/bin/claude
 * (…login…)" or "Claude Code not found on PATH: install it or set fixer to api". Login is not
 * checked: it is Claude Code's own, and Fixloop never looks at its credentials.
 */
export function claudeCodeHealth(found: ClaudeCodeFound): string {
  if (!found.usable) return `Claude Code ${found.reason}`
  return `Claude Code ${found.version} at ${found.path} (login is Claude Code's own: if a run says it is not signed in, run \`claude\` once and log in)`
}
