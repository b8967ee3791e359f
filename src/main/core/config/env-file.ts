/**
 * A small `.env` reader: `KEY=value`, optional `export `, `#` comments, single or double quotes
 * (double quotes understand \n, \t, \" and \\). Nothing is executed or interpolated.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (!m) continue
    const key = m[1] as string
    let value = (m[2] as string).trim()
    if (value.startsWith('"')) {
      const end = findClosingQuote(value, '"')
      value = value
        .slice(1, end)
        .replace(/\\([nt"\\])/g, (_s, c: string) =>
          c === 'n' ? '\n' : c === 't' ? '\t' : c === '"' ? '"' : '\\',
        )
    } else if (value.startsWith("'")) {
      const end = value.indexOf("'", 1)
      value = value.slice(1, end === -1 ? undefined : end)
    } else {
      const hash = value.search(/\s#/)
      if (hash !== -1) value = value.slice(0, hash).trimEnd()
    }
    out[key] = value
  }
  return out
}

function findClosingQuote(value: string, quote: string): number {
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '\\') i++
    else if (value[i] === quote) return i
  }
  return value.length
}
