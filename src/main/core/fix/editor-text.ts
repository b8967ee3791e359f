/** Text helpers for the editor's results: numbered lines, snippets, match positions, hints. */

/** Lines of a text for display and numbering: no terminators, no phantom line after a final newline. */
export function toLines(text: string): string[] {
  if (text.length === 0) return []
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  if (text.endsWith('\n')) lines.pop()
  return lines
}

export function numbered(lines: string[], first: number): string {
  return lines.map((line, i) => `${String(first + i).padStart(6)}\t${line}`).join('\n')
}

/** Lines `from`..`to` (1-based) with a few lines of context, numbered. */
export function snippet(text: string, from: number, to: number, context = 4): string {
  const lines = toLines(text)
  const start = Math.max(1, from - context)
  const end = Math.min(lines.length, Math.max(to, from) + context)
  return numbered(lines.slice(start - 1, end), start)
}

/** Start offsets of every occurrence, overlapping ones included: any second start is ambiguous. */
export function occurrences(text: string, needle: string): number[] {
  const out: number[] = []
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) out.push(i)
  return out
}

/** 1-based line numbers of sorted offsets, in one pass over the text. */
export function linesAt(text: string, offsets: number[]): number[] {
  const out: number[] = []
  let line = 1
  let from = 0
  for (const offset of offsets) {
    for (let i = text.indexOf('\n', from); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++
      from = i + 1
    }
    out.push(line)
  }
  return out
}

/** 1-based line number of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

/** A hint when old_str would match but for whitespace, the commonest slip. */
export function nearMiss(text: string, oldStr: string): string {
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim()
  const target = squash(oldStr)
  if (target.length === 0) return ''
  const lines = toLines(text)
  const want = toLines(oldStr).length || 1
  // The scan is lines × want; past these sizes the hint is not worth the time.
  if (want > 200 || lines.length > 20_000) return ''
  for (let i = 0; i + want <= lines.length; i++) {
    if (squash(lines.slice(i, i + want).join('\n')) === target) {
      return ` A block at line ${i + 1} matches if whitespace is ignored: check indentation and spaces.`
    }
  }
  return ''
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, max)}\n… (output cut at ${max} characters; use view_range to see the rest)`
}
