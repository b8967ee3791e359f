/**
 * A round by the developer's own Claude Code (`fixer: "claude-code"`): `claude -p` runs in the
 * SHADOW workspace with Read/Edit/Write/Glob/Grep and Bash for exactly the failing check's command.
 * Claude Code writes the shadow's files itself, so after the run Fixloop journals what it changed:
 * each edited file's base is the content the shadow had when the task began (known by hash), taken
 * from the user's tree only when it still has that content — a file the user changed meanwhile
 * cannot be based safely and ends the round as an error, nothing recorded for it. Verification,
 * integrity and apply then judge it as they judge the API fixer's edits.
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { Attempt, Usage } from '../../../../shared/domain'
import { checkBudgets } from '../../fix/budget'
import { findClaudeCode, runClaudeCode, type ClaudeCodeResult } from '../../fix/claude-code'
import { DEFAULT_PROMPT_LIMITS, renderChecks, renderDiff, renderSources } from '../../fix/prompts'
import { contentHash } from '../../util/hash'
import type { RoundReport } from './stage-fix'
import type { TaskRun } from './task-run'
import { firstLine } from './words'

/** Turns per round: Claude Code's own loop reads, edits and runs the check many times. */
const MAX_TURNS = 40

export const CLAUDE_CODE_RULES = `You are working for Fixloop, a tool that keeps this project's checks green. You are in a copy of the project; Fixloop verifies your change and applies it to the developer's files only if its checks pass.
- Make the smallest change that fixes the failing checks, in the source code. Do not reformat or rename unrelated code.
- Fix the source, not the tests: no skip/only markers, no deleted or loosened assertions, no edited snapshots, unless a test plainly contradicts the intended behaviour (then say so).
- Do not touch .git, node_modules, lockfiles or env files. Do not run commands other than the check command you are given.
- End with one or two sentences saying what you changed and why.`

export async function claudeCodeRound(run: TaskRun, attempt: Attempt): Promise<RoundReport> {
  const { deps, fix, signal } = run
  const lease = run.lease!
  const env = deps.checkEnv()
  const found = await findClaudeCode({ env })
  if (!found.usable) {
    return { stop: 'paused', summary: null, detail: `Claude Code ${found.reason}` }
  }
  const checkCommand = run.red.find((c) => !c.passed)?.command ?? run.red[0]?.command
  if (!checkCommand)
    return { stop: 'error', summary: null, detail: 'no check command to give Claude Code' }
  const budgets = deps.settings.budgets
  // Claude Code writes the shadow itself: what it held before is known by hash, taken once.
  fix.shadowHashes ??= await hashTree(lease.root, signal)

  const run1 = (resume: string | undefined) =>
    runClaudeCode({
      executable: found.command,
      cwd: lease.root,
      prompt: resume ? followUp(run, attempt.n) : prompt(run, attempt.n, checkCommand),
      appendSystemPrompt: CLAUDE_CODE_RULES,
      checkCommand,
      maxTurns: MAX_TURNS,
      maxBudgetUsd: Math.max(
        0.01,
        Math.min(budgets.attemptUsd, budgets.taskUsd - fix.usage.costUsd),
      ),
      model: deps.settings.model,
      ...(resume ? { resume } : {}),
      env,
      signal,
      timeoutMs: deps.settings.checkTimeoutSeconds * 1000 * 4,
      onEvent: (event) => {
        if (event.type === 'tool_use' && !['Read', 'Grep', 'Glob'].includes(event.name))
          deps.log.info(`Claude Code: ${event.name} ${event.target ?? ''}`, {
            taskId: run.id,
            source: 'fixer',
          })
      },
    })
  // Later rounds continue the task's Claude Code session (same folder), as the API agent continues
  // its conversation; a session Claude Code cannot resume is started afresh, once.
  let result = await run1(fix.claudeCodeSession)
  if (fix.claudeCodeSession && !result.ok && result.turns === 0 && !signal.aborted) {
    deps.log.warn(
      `Claude Code could not resume its session (${result.error ?? result.stopReason}); starting a new one`,
      {
        taskId: run.id,
        source: 'fixer',
      },
    )
    result = await run1(undefined)
  }
  if (result.sessionId) fix.claudeCodeSession = result.sessionId
  const usage = usageOf(result)
  run.addUsage(usage)
  attempt.usage = usage
  const journaled = await journalEdits(run, result.editedPaths)
  if (result.summary)
    deps.log.info(`Claude Code: ${firstLine(result.summary)}`, { taskId: run.id, source: 'fixer' })
  const over = checkBudgets({ attempt: usage, task: fix.usage, day: deps.spend.today() }, budgets)
  const budget = over ? { reason: over.reason, pause: over.scope !== 'attempt' } : undefined
  if (journaled.refused.length) {
    return {
      stop: 'stale',
      summary: result.summary,
      detail: `${journaled.refused.join(', ')} changed in your tree while Claude Code worked, so its fix was not taken; your change is checked on its own`,
      ...(budget ? { budget } : {}),
    }
  }
  const stop: RoundReport['stop'] =
    result.stopReason === 'success'
      ? 'end_turn'
      : result.stopReason === 'aborted'
        ? 'aborted'
        : result.stopReason === 'max_turns'
          ? 'max_turns'
          : result.stopReason === 'budget'
            ? 'budget'
            : 'error'
  return {
    stop,
    summary: result.summary,
    ...(result.ok ? {} : { detail: result.error ?? `Claude Code stopped: ${result.stopReason}` }),
    ...(budget ? { budget } : {}),
  }
}

function prompt(run: TaskRun, n: number, checkCommand: readonly string[]): string {
  const { fix, deps } = run
  const limits = DEFAULT_PROMPT_LIMITS
  return [
    `The checks of this project fail. Fix the cause. This is attempt ${n} of ${deps.settings.maxRetries}.`,
    `Files of this task: ${run.task.files.join(', ')}`,
    `# Failing checks\n${renderChecks(run.red, limits)}`,
    fix.change ? renderDiff(fix.change.diff, limits, fix.change.heading) : '',
    n === 1 ? `# Source files\n${renderSources(fix.sources, limits)}` : '',
    fix.feedback ? `# Your previous attempt\n${fix.feedback}` : '',
    `You may run the failing check with Bash, exactly as: ${checkCommand.join(' ')}`,
  ]
    .filter(Boolean)
    .join('\n\n')
}

/** A resumed session has the task already: only what the last round's verification found. */
function followUp(run: TaskRun, n: number): string {
  return [
    `Attempt ${n} of ${run.deps.settings.maxRetries}.`,
    run.fix.feedback ?? 'The checks still fail.',
    'Continue the fix.',
  ].join('\n\n')
}

function usageOf(result: ClaudeCodeResult): Usage {
  const u = result.usage
  return {
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    cacheCreationInputTokens: u.cacheWriteTokens,
    cacheReadInputTokens: u.cacheReadTokens,
    costUsd: result.costUsd,
    requests: result.turns,
  }
}

/**
 * Journals what Claude Code wrote in the shadow. The base of a path the journal has not seen is the
 * user's file, if it still has the content the shadow started with; else it is refused.
 */
async function journalEdits(
  run: TaskRun,
  paths: readonly string[],
): Promise<{ recorded: string[]; refused: string[] }> {
  const journal = run.fix.journal!
  const lease = run.lease!
  const known = new Set(journal.paths())
  const recorded: string[] = []
  const refused: string[] = []
  const inputs = []
  for (const path of paths) {
    const after = await read(join(lease.root, path))
    if (after === null) continue
    if (known.has(path)) {
      inputs.push({ path, before: null, after })
      recorded.push(path)
      continue
    }
    const base = run.fix.shadowHashes?.get(path)
    const user = await read(join(run.deps.root, path))
    const userHash = user === null ? null : contentHash(user)
    // Absent from the start hashes: a file Claude Code created (the user must not have one either).
    if ((base ?? null) !== userHash) {
      refused.push(path)
      continue
    }
    if (user !== null && contentHash(after) === userHash) continue
    inputs.push({ path, before: user, after })
    recorded.push(path)
  }
  if (inputs.length) await journal.recordAll(inputs)
  return { recorded, refused }
}

async function read(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path)
  } catch {
    return null
  }
}

/** Content hashes of the shadow's own files (not its dependency links, .git or node_modules). */
async function hashTree(root: string, signal: AbortSignal): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  for (const entry of entries) {
    if (signal.aborted) break
    if (!entry.isFile()) continue
    const abs = join(entry.parentPath, entry.name)
    const rel = relative(root, abs).split(sep).join('/')
    if (/(^|\/)(\.git|node_modules)\//.test(rel)) continue
    const info = await stat(abs).catch(() => null)
    if (!info || info.size > MAX_HASHED_BYTES) continue
    const bytes = await read(abs)
    if (bytes) hashes.set(rel, contentHash(bytes))
  }
  return hashes
}

const MAX_HASHED_BYTES = 4 * 1024 * 1024
