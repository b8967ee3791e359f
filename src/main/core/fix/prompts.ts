/**
 * The words Fixloop sends to Claude, and the caps that keep them small: check output is trimmed to
 * its head and tail (the summary of a test run is at the end), sources are size-capped per file and in
 * total, and every path is project-relative with forward slashes.
 */
import type { CheckResult, Plan } from '../../../shared/domain'

/** A source file given to Claude as context. */
export interface SourceFile {
  /** Project-relative, forward slashes. */
  path: string
  content: string
}

/** What an earlier attempt left behind, fed into the next one. */
export interface AttemptFeedback {
  attempt: number
  /** The checks that ran after that attempt's edits. */
  checks: CheckResult[]
  /** Paths that attempt edited, project-relative. */
  edited?: string[]
  /** Why the attempt ended early, when it did (budget, error). */
  error?: string
}

export interface PromptLimits {
  /** Characters of output kept per check. @default 6000 */
  checkChars: number
  /** Characters of the triggering diff. @default 8000 */
  diffChars: number
  /** Characters per source file. @default 24000 */
  fileChars: number
  /** Characters of all source files together. @default 80000 */
  sourceChars: number
}

export const DEFAULT_PROMPT_LIMITS: PromptLimits = Object.freeze({
  checkChars: 6000,
  diffChars: 8000,
  fileChars: 24_000,
  sourceChars: 80_000,
})

/**
 * Keeps the first 30 % and the last 70 % of `text` within `max` characters, saying how much was cut.
 * The tail gets more because runners print their summary and the failing assertion last.
 */
export function trimMiddle(text: string, max: number): string {
  if (text.length <= max) return text
  const marker = (n: number) => `\n… [${n} characters cut] …\n`
  const budget = Math.max(0, max - marker(text.length).length)
  const head = Math.floor(budget * 0.3)
  const tail = budget - head
  return text.slice(0, head) + marker(text.length - head - tail) + text.slice(text.length - tail)
}

/** `a\b/./c` → `a/b/c`; leading `./` and `/` dropped. For display only; the editor resolves for real. */
export function displayPath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/')
}

export function renderChecks(checks: ReadonlyArray<CheckResult>, limits: PromptLimits): string {
  const failing = checks.filter((check) => !check.passed)
  if (failing.length === 0) return 'No failing checks were reported.'
  return failing
    .map((check) => {
      const how = check.timedOut
        ? 'timed out'
        : check.signal
          ? `killed by ${check.signal}`
          : `exit code ${check.exitCode ?? 'unknown'}`
      const failures = check.failures
        .slice(0, 20)
        .map(
          (f) =>
            `- ${f.name}${f.file ? ` (${displayPath(f.file)})` : ''}: ${trimMiddle(f.message, 500)}`,
        )
        .join('\n')
      const output = trimMiddle(check.output.trim(), limits.checkChars)
      return [
        `### Check "${check.name}" failed (${how}): ${check.command.join(' ')}`,
        failures ? `Failures:\n${failures}` : '',
        output ? `Output:\n\`\`\`\n${output}\n\`\`\`` : 'No output.',
      ]
        .filter(Boolean)
        .join('\n')
    })
    .join('\n\n')
}

export function renderDiff(diff: string | null | undefined, limits: PromptLimits): string {
  if (!diff || !diff.trim()) return ''
  return `The change that triggered the failure:\n\`\`\`diff\n${trimMiddle(diff.trim(), limits.diffChars)}\n\`\`\``
}

/** Source files in `<file>` tags, each capped, all together capped; what was left out is named. */
export function renderSources(sources: ReadonlyArray<SourceFile>, limits: PromptLimits): string {
  let left = limits.sourceChars
  const shown: string[] = []
  const omitted: string[] = []
  for (const source of sources) {
    const path = displayPath(source.path)
    if (left <= 0) {
      omitted.push(path)
      continue
    }
    const cap = Math.min(limits.fileChars, left)
    const truncated = source.content.length > cap
    const body = truncated ? source.content.slice(0, cap) : source.content
    left -= body.length
    const note = truncated
      ? ` truncated="first ${body.length} of ${source.content.length} characters; view the file for the rest"`
      : ''
    shown.push(`<file path="${path}"${note}>\n${body}\n</file>`)
  }
  if (omitted.length) shown.push(`Not shown for size (view them if needed): ${omitted.join(', ')}`)
  return shown.length ? shown.join('\n\n') : 'No source files were attached.'
}

export function renderPlan(plan: Plan): string {
  const lines = [
    `Root cause: ${plan.rootCause}`,
    plan.files.length ? `Files to change: ${plan.files.map(displayPath).join(', ')}` : '',
    plan.steps.length ? `Steps:\n${plan.steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}` : '',
    `Risk: ${plan.risk}`,
    plan.testsLookWrong
      ? 'The planner thinks the tests themselves may be wrong. Change a test only if it plainly contradicts the code’s intended behaviour, and say so in your summary.'
      : 'The tests are believed correct: fix the source, not the tests.',
    plan.source === 'default' ? '(Planning failed; this is a default plan.)' : '',
  ]
  return lines.filter(Boolean).join('\n')
}

export function renderFeedback(
  feedback: ReadonlyArray<AttemptFeedback>,
  limits: PromptLimits,
): string {
  if (feedback.length === 0) return ''
  // Older attempts get less room: the latest failure is the one that matters most.
  return feedback
    .map((entry, i) => {
      const share =
        i === feedback.length - 1 ? limits.checkChars : Math.floor(limits.checkChars / 3)
      const edited = entry.edited?.length
        ? `It edited: ${entry.edited.map(displayPath).join(', ')}.`
        : 'It made no edits.'
      const error = entry.error ? `It ended early: ${entry.error}` : ''
      const checks = renderChecks(entry.checks, { ...limits, checkChars: share })
      return [`## Attempt ${entry.attempt} did not fix it`, edited, error, checks]
        .filter(Boolean)
        .join('\n')
    })
    .join('\n\n')
}

export const PLANNER_SYSTEM = `You are the planner of Fixloop, a tool that keeps a code project's checks green.
Checks failed after a change. Work out why, and plan the smallest fix.
Answer only by calling the submit_plan tool, once, with:
- rootCause: the cause in one or two sentences, naming the function or line;
- files: project-relative paths of the files to change (usually source files, not tests);
- steps: short, concrete edit steps;
- risk: low, medium or high, for how likely the fix breaks something else;
- testsLookWrong: true only if a test plainly contradicts the code's intended behaviour.
Paths are relative to the project root.`

export const FIXER_SYSTEM = `You are the fixer of Fixloop, a tool that keeps a code project's checks green.
Checks failed. Fix the cause in the source code with the str_replace_based_edit_tool (view, create, str_replace, insert).
Rules:
- Paths are relative to the project root, e.g. src/math.ts. Files outside the project, .git, node_modules, lockfiles and env files are off limits.
- Make the smallest change that fixes the cause. Do not reformat or rename unrelated code.
- Do not weaken tests: no skip/only markers, no deleted assertions, no edited snapshots, unless the plan says the tests are wrong.
- str_replace needs old_str to match exactly once; view the file first if unsure of its current text.
- You cannot run commands. Fixloop runs the checks again after you finish.
- When the fix is made, stop calling tools and reply with one or two sentences saying what you changed and why.`
