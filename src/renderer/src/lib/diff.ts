/** A unified diff split into lines with their kind and numbers, for colouring and reading. */
export type DiffLineKind = 'file' | 'hunk' | 'add' | 'del' | 'ctx' | 'meta'

export interface DiffLine {
  kind: DiffLineKind
  text: string
  oldNo: number | null
  newNo: number | null
}

export function parseDiff(text: string): DiffLine[] {
  const out: DiffLine[] = []
  let oldNo = 0
  let newNo = 0
  const rows = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  for (const line of rows) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line)
    if (hunk) {
      oldNo = Number(hunk[1])
      newNo = Number(hunk[2])
      out.push({ kind: 'hunk', text: line, oldNo: null, newNo: null })
    } else if (/^(---|\+\+\+|diff |index )/.test(line)) {
      out.push({ kind: 'file', text: line, oldNo: null, newNo: null })
    } else if (line.startsWith('+')) {
      out.push({ kind: 'add', text: line, oldNo: null, newNo: newNo++ })
    } else if (line.startsWith('-')) {
      out.push({ kind: 'del', text: line, oldNo: oldNo++, newNo: null })
    } else if (line.startsWith('\\')) {
      out.push({ kind: 'meta', text: line, oldNo: null, newNo: null })
    } else {
      out.push({ kind: 'ctx', text: line, oldNo: oldNo++, newNo: newNo++ })
    }
  }
  return out
}

/** Lines added and removed, for a summary ("+3 −2"). */
export function diffStat(lines: DiffLine[]): { added: number; removed: number } {
  let added = 0
  let removed = 0
  for (const l of lines) {
    if (l.kind === 'add') added++
    else if (l.kind === 'del') removed++
  }
  return { added, removed }
}
