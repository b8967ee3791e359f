import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffLines, splitLines, unifiedDiff } from '../../../src/main/core/fix/diff'

/** Applies a unified diff made by unifiedDiff to `before`, as `patch` would. */
function applyPatch(before: string, patch: string): string {
  const a = splitLines(before)
  const lines = patch.split('\n')
  const out: string[] = []
  let ai = 0
  let i = 2
  while (i < lines.length && lines[i]!.startsWith('@@')) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i]!)
    if (!m) throw new Error(`bad hunk header ${lines[i]}`)
    const start = Number(m[1]) - (m[2] === '0' ? 0 : 1)
    while (ai < start) out.push(a[ai++]!)
    i++
    while (i < lines.length && /^[ +\-\\]/.test(lines[i]!)) {
      const line = lines[i]!
      const noEol = lines[i + 1] === '\\ No newline at end of file'
      const text = line.slice(1) + (noEol ? '' : '\n')
      if (line[0] === ' ') {
        expect(a[ai]).toBe(text)
        out.push(a[ai++]!)
      } else if (line[0] === '-') {
        expect(a[ai]).toBe(text)
        ai++
      } else if (line[0] === '+') out.push(text)
      i += noEol ? 2 : 1
    }
  }
  while (ai < a.length) out.push(a[ai++]!)
  return out.join('')
}

/** Length of the longest common subsequence, the number of equal lines a minimal diff keeps. */
function lcs(a: string[], b: string[]): number {
  const row = new Array<number>(b.length + 1).fill(0)
  for (let i = 1; i <= a.length; i++) {
    let diag = 0
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!
      row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(row[j]!, row[j - 1]!)
      diag = up
    }
  }
  return row[b.length]!
}

const text = fc
  .array(fc.constantFrom('a', 'b', 'c', 'd', '', '  x'), { maxLength: 40 })
  .chain((lines) =>
    fc
      .boolean()
      .map((finalNewline) => lines.join('\n') + (finalNewline && lines.length ? '\n' : '')),
  )

describe('unifiedDiff', () => {
  it('is empty when nothing changed', () => {
    expect(unifiedDiff('f', 'a\nb\n', 'a\nb\n')).toBe('')
  })

  it('shows a change with three lines of context and merges close hunks', () => {
    const before = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\n'
    const after = before.replace('l2\n', 'L2\n').replace('l8\n', 'L8\n').replace('l16\n', 'L16\n')
    expect(unifiedDiff('src/x.ts', before, after)).toBe(
      [
        '--- a/src/x.ts',
        '+++ b/src/x.ts',
        '@@ -1,11 +1,11 @@',
        ' l1',
        '-l2',
        '+L2',
        ' l3',
        ' l4',
        ' l5',
        ' l6',
        ' l7',
        '-l8',
        '+L8',
        ' l9',
        ' l10',
        ' l11',
        '@@ -13,4 +13,4 @@',
        ' l13',
        ' l14',
        ' l15',
        '-l16',
        '+L16',
        '',
      ].join('\n'),
    )
  })

  it('shows created and deleted files against /dev/null', () => {
    expect(unifiedDiff('n.ts', null, 'a\nb\n')).toBe(
      '--- /dev/null\n+++ b/n.ts\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    )
    expect(unifiedDiff('n.ts', 'a\n', null)).toBe('--- a/n.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n')
  })

  it('marks a missing final newline', () => {
    expect(unifiedDiff('f', 'a\nb', 'a\nb\n')).toBe(
      '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n',
    )
  })

  it('shows removed lines before added ones', () => {
    expect(unifiedDiff('f', 'k\nz\n', 'K\nl\nz\n')).toBe(
      '--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n-k\n+K\n+l\n z\n',
    )
  })

  it('patches the old text into the new one (property)', () => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        const patch = unifiedDiff('f', before, after)
        expect(patch === '' ? before : applyPatch(before, patch)).toBe(after)
      }),
      { numRuns: 400 },
    )
  })
})

describe('diffLines', () => {
  it('keeps as many equal lines as the longest common subsequence (property)', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 60 })
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const ops = diffLines(a, b)
        expect(ops.filter((o) => o.op !== 'insert').map((o) => a[o.a])).toEqual(a)
        expect(ops.filter((o) => o.op !== 'delete').map((o) => b[o.b])).toEqual(b)
        expect(ops.filter((o) => o.op === 'equal').length).toBe(lcs(a, b))
      }),
      { numRuns: 400 },
    )
  })

  it('stays correct, if not minimal, when the work cap runs out', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `line ${(i * 7) % 1000}`)
    const b = Array.from({ length: 3000 }, (_, i) => `line ${(i * 13) % 1000}`)
    const ops = diffLines(a, b, 10_000)
    expect(ops.filter((o) => o.op !== 'insert').map((o) => a[o.a])).toEqual(a)
    expect(ops.filter((o) => o.op !== 'delete').map((o) => b[o.b])).toEqual(b)
  })

  it('diffs two unrelated 10,000-line files in well under a second', () => {
    const a = Array.from({ length: 10_000 }, (_, i) => `a ${i}`)
    const b = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? `a ${i}` : `b ${i}`))
    const started = performance.now()
    const ops = diffLines(a, b)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(ops.filter((o) => o.op === 'equal').length).toBe(3334)
  })
})
