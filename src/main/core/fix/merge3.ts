/**
 * A three-way merge of text by lines (diff3): the changes from `base` to `ours` and from `base` to
 * `theirs` are laid side by side on the base's lines. A stretch only one side changed takes that
 * side's version; one both sides changed the same way is taken once; one both changed differently is
 * a conflict. Changes that merely touch (neighbouring lines, insertions at one point) count as
 * overlapping, as git and GNU diff3 judge them: when in doubt, the user's file is left alone.
 *
 * Lines keep their terminators, so CRLF files and a missing final newline come through unchanged.
 * Built on the Myers diff of `diff.ts`; past its work cap that diff is correct but not minimal, which
 * can only add conflicts, never merge wrongly.
 */
import { type LineOp, diffLines, splitLines } from './diff'

/** A stretch of lines: `line` is 1-based; with `count` 0 the stretch is empty and sits before `line`. */
export interface LineSpan {
  line: number
  count: number
}

/** One stretch both sides changed differently, located in each of the three texts. */
export interface MergeConflict {
  base: LineSpan
  ours: LineSpan
  theirs: LineSpan
}

export type Merge3Result =
  { clean: true; text: string } | { clean: false; conflicts: MergeConflict[] }

/** The shape of a three-way merge, so a caller can be handed another one. */
export type Merge3 = (base: string, ours: string, theirs: string) => Merge3Result

/** A run of changed lines from the base to one side, half-open index ranges on each. */
interface Hunk {
  side: 'ours' | 'theirs'
  aStart: number
  aEnd: number
  xStart: number
  xEnd: number
}

/** Merges `ours` and `theirs`, both derived from `base`. */
export const merge3: Merge3 = (base, ours, theirs) => {
  // The common cases need no diff at all.
  if (ours === theirs || base === theirs) return { clean: true, text: ours }
  if (base === ours) return { clean: true, text: theirs }
  const a = splitLines(base)
  const sides = { ours: splitLines(ours), theirs: splitLines(theirs) }
  const hunks = [
    ...hunksOf(diffLines(a, sides.ours), 'ours'),
    ...hunksOf(diffLines(a, sides.theirs), 'theirs'),
  ].sort((p, q) => p.aStart - q.aStart || p.aEnd - q.aEnd)

  const out: string[] = []
  const conflicts: MergeConflict[] = []
  let done = 0
  for (let i = 0; i < hunks.length;) {
    // A region: hunks chained while each starts at or before the end of the region so far.
    const group = [hunks[i++]!]
    const start = group[0]!.aStart
    let end = group[0]!.aEnd
    while (i < hunks.length && hunks[i]!.aStart <= end) {
      end = Math.max(end, hunks[i]!.aEnd)
      group.push(hunks[i++]!)
    }
    for (let k = done; k < start; k++) out.push(a[k]!)
    done = end
    const mine = span(group, 'ours', start, end)
    const yours = span(group, 'theirs', start, end)
    const oursLines = mine && sides.ours.slice(mine.from, mine.to)
    const theirsLines = yours && sides.theirs.slice(yours.from, yours.to)
    if (oursLines && theirsLines && !sameLines(oursLines, theirsLines)) {
      conflicts.push({
        base: { line: start + 1, count: end - start },
        ours: { line: mine.from + 1, count: mine.to - mine.from },
        theirs: { line: yours.from + 1, count: yours.to - yours.from },
      })
      continue
    }
    out.push(...(oursLines ?? theirsLines ?? []))
  }
  if (conflicts.length > 0) return { clean: false, conflicts }
  for (let k = done; k < a.length; k++) out.push(a[k]!)
  return { clean: true, text: out.join('') }
}

/** The maximal runs of non-equal steps of an edit script. */
function hunksOf(ops: readonly LineOp[], side: Hunk['side']): Hunk[] {
  const out: Hunk[] = []
  let open: Hunk | null = null
  let a = 0
  let x = 0
  for (const op of ops) {
    if (op.op === 'equal') {
      if (open) out.push(open)
      open = null
      a++
      x++
      continue
    }
    open ??= { side, aStart: a, aEnd: a, xStart: x, xEnd: x }
    if (op.op === 'delete') open.aEnd = ++a
    else open.xEnd = ++x
  }
  if (open) out.push(open)
  return out
}

/**
 * The lines of one side that stand for base lines [start, end), or null when that side left them
 * alone. Around its hunks the side equals the base, so the edges map by a plain offset.
 */
function span(group: readonly Hunk[], side: Hunk['side'], start: number, end: number) {
  const own = group.filter((h) => h.side === side)
  if (own.length === 0) return null
  const first = own[0]!
  const last = own.at(-1)!
  return { from: first.xStart - (first.aStart - start), to: last.xEnd + (end - last.aEnd) }
}

function sameLines(p: readonly string[], q: readonly string[]): boolean {
  return p.length === q.length && p.every((line, i) => line === q[i])
}
