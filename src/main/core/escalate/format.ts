/**
 * Escalation bodies: one report rendered for each channel. Text that came from outside (test
 * output, Claude's plan, file names) is fenced or escaped so it cannot ping people (`@team`,
 * `<!channel>`) or break the layout. Secrets are not handled here: the escalator redacts the whole
 * message before any channel sees it.
 */
import type { Task } from '../../../shared/domain'
import { fingerprintMarker } from './fingerprint'
import { buildReport, type BuildReportOptions, type Report } from './report'
import type { EscalationMessage } from './types'

/** GitHub refuses bodies over 65 536 characters; stay well under. */
const MAX_MARKDOWN = 60_000
const MAX_TITLE = 120

const indent = (text: string, width = 4) =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(width)}${l}`)
    .join('\n')

/** A fence longer than any backtick run inside, so a diff holding ``` cannot close it early. */
export function fenced(text: string, lang = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}${lang}\n${text}\n${fence}`
}

/** An inline code span that survives backticks inside. */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const ticks = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${ticks}${pad}${text.replace(/\n/g, ' ')}${pad}${ticks}`
}

/** Escapes what GitHub markdown would act on in prose, `@mentions` included. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|~@!]/g, '\\$&')
}

/** Slack mrkdwn needs only &, < and > escaped; that also defuses `<!channel>` and `<@U123>`. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function title(r: Report): string {
  const where = r.tests[0]?.name ?? r.files[0] ?? r.taskId
  const more =
    r.tests.length + r.moreTests > 1 ? ` (+${r.tests.length + r.moreTests - 1} more)` : ''
  const project = r.project ? `[${r.project}] ` : ''
  const full = `${project}Fixloop could not fix ${r.errorClass} in ${where}${more}`
  return full.length <= MAX_TITLE ? full : `${full.slice(0, MAX_TITLE - 1)}…`
}

/** A path as a POSIX shell word: bare when safe, else single-quoted. */
const shellQuote = (path: string) =>
  /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`

function nextSteps(r: Report): string[] {
  const files = r.files.slice(0, 5).map(shellQuote).join(' ')
  return [
    r.rolledBack
      ? 'Nothing to undo: Fixloop rolled back every edit it made for this task; the files are as they were.'
      : 'To undo the fix Fixloop kept, use Undo on the task in the Fixloop dashboard.',
    `Fix it by hand, then save: Fixloop re-runs the related checks. \`fixloop check . ${files}\` runs them once without calling Claude.`,
    'To let Claude try again, use Retry on the task in the Fixloop dashboard (Failed tab).',
    'If auto-fix is paused for these files (breaker open after repeated failures), reset the breaker in the dashboard once the cause is fixed.',
  ]
}

function markdownBody(r: Report, diffChars: number | null, heading: string): string {
  const lines: string[] = [fingerprintMarker(r.fingerprint)]
  // Sections start after exactly one blank line, whatever the previous one ended with.
  const section = (title: string) => {
    if (lines.at(-1) !== '') lines.push('')
    lines.push(title, '')
  }
  section(`## ${heading}`)
  lines.push(
    `- **Task:** ${code(r.taskId)} (${r.kind}), failed at ${r.failedAt}`,
    `- **Reason:** ${escapeMarkdown(r.reason.replace(/\n/g, ' '))}`,
    `- **Files:** ${r.files.map(code).join(', ') || '(none)'}`,
    `- **Error class:** ${code(r.errorClass)}`,
  )
  if (r.tests.length > 0) {
    section(`### Failing tests (${r.tests.length + r.moreTests})`)
    for (const t of r.tests) {
      lines.push(`- ${code(t.name)}`, '', indent(fenced(t.message, 'text'), 2), '')
    }
    if (r.moreTests > 0) lines.push(`…and ${r.moreTests} more.`)
  }
  if (r.attempts.length > 0) {
    section(`## Attempts (${r.attempts.length})`)
    for (const a of r.attempts) {
      // Indented under the item so the block stays inside the numbered list.
      const block = indent(fenced(a.error, 'text'), `${a.n}. `.length)
      lines.push(`${a.n}. **${a.outcome}** at ${a.at}`, '', block, '')
    }
  }
  if (r.plan) {
    section(`## Plan (${r.plan.source}, risk ${r.plan.risk})`)
    lines.push(`**Root cause:** ${escapeMarkdown(r.plan.rootCause)}`, '')
    r.plan.steps.forEach((s, i) => lines.push(`${i + 1}. ${escapeMarkdown(s)}`))
  }
  if (r.diff && diffChars !== null) {
    const diff = r.diff.length > diffChars ? `${r.diff.slice(0, diffChars)}\n… (trimmed)` : r.diff
    section(`## Last diff${r.rolledBack ? ' (rolled back)' : ''}`)
    lines.push(fenced(diff, 'diff'))
  }
  section('## Next steps')
  lines.push(...nextSteps(r).map((s) => `- ${s}`))
  lines.push('', `<sub>Fingerprint ${code(r.fingerprint)} · reported by Fixloop</sub>`)
  const body = lines.join('\n')
  return body.length <= MAX_MARKDOWN ? body : `${body.slice(0, MAX_MARKDOWN)}\n\n… (trimmed)`
}

function plainText(r: Report): string {
  const lines = [
    `Fixloop could not fix a failure${r.project ? ` in ${r.project}` : ''}.`,
    '',
    `Task: ${r.taskId} (${r.kind}), failed at ${r.failedAt}`,
    `Reason: ${r.reason}`,
    `Files: ${r.files.join(', ') || '(none)'}`,
    `Error class: ${r.errorClass}`,
  ]
  if (r.issueUrl) lines.push(`Issue: ${r.issueUrl}`)
  if (r.tests.length > 0) {
    lines.push('', `FAILING TESTS (${r.tests.length + r.moreTests})`)
    for (const t of r.tests) lines.push(`* ${t.name}`, indent(t.message))
    if (r.moreTests > 0) lines.push(`…and ${r.moreTests} more.`)
  }
  if (r.attempts.length > 0) {
    lines.push('', `ATTEMPTS (${r.attempts.length})`)
    for (const a of r.attempts) lines.push(`${a.n}. ${a.outcome} at ${a.at}`, indent(a.error))
  }
  if (r.plan) {
    lines.push(
      '',
      `PLAN (${r.plan.source}, risk ${r.plan.risk})`,
      `Root cause: ${r.plan.rootCause}`,
    )
    r.plan.steps.forEach((s, i) => lines.push(`${i + 1}. ${s}`))
  }
  if (r.diff) lines.push('', `LAST DIFF${r.rolledBack ? ' (rolled back)' : ''}`, r.diff)
  lines.push('', 'NEXT STEPS', ...nextSteps(r).map((s) => `* ${s}`))
  lines.push('', `Fingerprint: ${r.fingerprint}`)
  return lines.join('\n')
}

function slackText(r: Report): string {
  const tests = r.tests.slice(0, 5).map((t) => `• \`${escapeSlack(t.name.replace(/`/g, "'"))}\``)
  const more = r.tests.length + r.moreTests - tests.length
  const lines = [
    `:rotating_light: *Fixloop could not fix a failure${r.project ? ` in ${escapeSlack(r.project)}` : ''}*`,
    `${escapeSlack(r.reason.replace(/\n/g, ' '))} (${r.attempts.length} attempt${r.attempts.length === 1 ? '' : 's'}, ${r.errorClass})`,
    `Files: ${r.files.slice(0, 5).map(escapeSlack).join(', ') || '(none)'}${r.files.length > 5 ? ` +${r.files.length - 5}` : ''}`,
  ]
  if (tests.length > 0)
    lines.push('Failing tests:', ...tests, ...(more > 0 ? [`…and ${more} more`] : []))
  if (r.issueUrl)
    lines.push(`Issue: <${r.issueUrl}|${escapeSlack(r.issueUrl.replace(/^https?:\/\//, ''))}>`)
  lines.push(`Task \`${r.taskId}\` · fingerprint \`${r.fingerprint}\``)
  return lines.join('\n')
}

export interface FormatOptions extends BuildReportOptions {
  /** Characters of the diff kept in a comment on an existing issue. @default 3000 */
  commentDiffChars?: number
}

/** Every rendering of one failed task. Not redacted: the escalator redacts the whole message. */
export function formatEscalation(task: Task, options: FormatOptions): EscalationMessage {
  const r = buildReport(task, options)
  const tests = r.tests.length + r.moreTests
  return {
    fingerprint: r.fingerprint,
    taskId: r.taskId,
    title: title(r),
    summary: [
      `${r.reason.split('\n')[0]}`,
      tests > 0 ? `${tests} failing test${tests === 1 ? '' : 's'}: ${r.tests[0]?.name}` : null,
      `Files: ${r.files.slice(0, 3).join(', ')}${r.files.length > 3 ? ` +${r.files.length - 3}` : ''}`,
    ]
      .filter((l): l is string => l !== null)
      .join('\n'),
    markdown: markdownBody(r, Number.POSITIVE_INFINITY, 'What failed'),
    comment: markdownBody(r, options.commentDiffChars ?? 3000, `Failed again at ${r.failedAt}`),
    text: plainText(r),
    slack: slackText(r),
  }
}

/** The message `testChannel` sends: clearly a test, with a fingerprint of its own. */
export function formatTestMessage(at: string): EscalationMessage {
  const body = `This is a test message from Fixloop, sent at ${at}. If you can read it, escalations to this channel work.`
  return {
    fingerprint: 'test',
    taskId: null,
    title: 'Fixloop test message',
    summary: body,
    markdown: body,
    comment: body,
    text: body,
    slack: `:white_check_mark: ${body}`,
  }
}
