/**
 * The words Fixloop sends to Claude, and the caps that keep them small: check output is trimmed to
 * its head and tail (the summary of a test run is at the end), sources are size-capped per file and in
 * total, and every path is project-relative with forward slashes.
 */
import type { CheckResult } from '../../../shared/domain'
import { toLines } from './editor-text'

/** A source file given to Claude as context. */
export interface SourceFile {
  /** Project-relative, forward slashes. */
  path: string
  content: string
  /** The line a failure points at (1-based): a large file is shown around it. */
  focusLine?: number
  /** Why the file is named but not shown (binary, too large to read, protected). */
  omitted?: string
}

export interface PromptLimits {
  /** Characters of output kept per check. @default 6000 */
  checkChars: number
  /** Characters of the change since the last green run. @default 8000 */
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

/** The change that broke the checks, under the heading that says what it is measured against. */
export function renderDiff(
  diff: string | null | undefined,
  limits: PromptLimits,
  heading = 'The change that triggered the failure',
): string {
  if (!diff || !diff.trim()) return ''
  return `${heading}:\n\`\`\`diff\n${trimMiddle(diff.trim(), limits.diffChars)}\n\`\`\``
}

/**
 * Source files in `<file>` tags, each line led by its number and a tab (stack traces cite lines;
 * `view` pads the number, here it is not: the padding costs tokens on every request). A file too big for its share is shown as a line range — around the line the failure
 * points at, when it names one — with a note saying which lines and how to view the rest; a file
 * not shown at all is named with the reason. Nothing is dropped silently.
 */
export function renderSources(sources: ReadonlyArray<SourceFile>, limits: PromptLimits): string {
  let left = limits.sourceChars
  const shown: string[] = []
  const omitted: string[] = []
  for (const source of sources) {
    const path = displayPath(source.path)
    if (source.omitted) {
      omitted.push(`${path} (${source.omitted})`)
      continue
    }
    if (left < 200) {
      omitted.push(`${path} (no room left in this message)`)
      continue
    }
    const lines = toLines(source.content)
    const range = fitRange(lines, Math.min(limits.fileChars, left), source.focusLine)
    // One enormous line (minified code) could still overflow: trimmed, and said so.
    const shownLines = lines.slice(range.from - 1, range.to)
    const body = trimMiddle(shownLines.map((l, i) => `${range.from + i}\t${l}`).join('\n'), left)
    left -= body.length
    const whole = range.from === 1 && range.to === lines.length
    const note = whole
      ? ''
      : ` lines="${range.from}-${range.to} of ${lines.length}; view other ranges with view_range"`
    shown.push(`<file path="${path}"${note}>\n${body}\n</file>`)
  }
  if (omitted.length) shown.push(`Not shown: ${omitted.join('; ')}. View them if needed.`)
  return shown.length ? shown.join('\n\n') : 'No source files were attached.'
}

/**
 * The widest run of lines within `max` characters (numbered), around `focus` when given: up to a
 * third of the room before it, the rest after (the code after a failing line matters more).
 */
function fitRange(lines: string[], max: number, focus?: number): { from: number; to: number } {
  const cost = (n: number) => (lines[n - 1]?.length ?? 0) + String(n).length + 2
  let total = 0
  for (let n = 1; n <= lines.length; n++) total += cost(n)
  if (total <= max) return { from: 1, to: lines.length }
  let from = Math.min(Math.max(focus ?? 1, 1), lines.length)
  let to = from
  let used = cost(from)
  while (from > 1 && used + cost(from - 1) <= max / 3) used += cost(--from)
  while (to < lines.length && used + cost(to + 1) <= max) used += cost(++to)
  while (from > 1 && used + cost(from - 1) <= max) used += cost(--from)
  return { from, to }
}

/**
 * The agent's standing instructions: the same for every task and round, so they sit first in the
 * cached prefix. Tool names are spelled out because the model chooses among them by name.
 */
export const AGENT_SYSTEM = `You are the fixer of Fixloop, a tool that keeps a code project's checks green while its developer works.
Checks failed after a change. Find the cause and fix it in the source code.

How to work:
1. First reply: call report_plan with the root cause, the files you will change and the steps. You may start editing in the same reply.
2. Edit with str_replace_based_edit_tool (view, str_replace, create, insert). The attached files show each line as its number, a tab, then the text; never put line numbers in old_str.
3. Use search (a regular expression over the project's files) to find definitions and callers you were not shown.
4. Use run_checks to run the related checks on your change when you are unsure. It is Fixloop's test command, not a shell.
5. When the fix is made, call finish with the root cause and a one- or two-sentence summary. Fixloop then runs the whole verification; if it fails, the failure comes back as finish's result and you go on from there.

Rules:
- Paths are relative to the project root, e.g. src/math.ts. Files outside the project, .git, node_modules, lockfiles and env files are off limits.
- Make the smallest change that fixes the cause. Do not reformat or rename unrelated code.
- Fix the source, not the tests: no skip/only markers, no deleted or loosened assertions, no edited snapshots. Only if a test plainly contradicts the code's intended behaviour, say so with tests_look_wrong and explain; such a fix is held for the developer's review.
- You work on a copy of the project; nothing reaches the developer's files unless the verification passes.`
