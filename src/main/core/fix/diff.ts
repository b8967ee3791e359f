/**
 * A compact unified diff (the `diff -u` / `git diff` text format) for showing edits to a person.
 *
 * Lines are compared with Myers' O(ND) algorithm in its linear-space form (middle snake, as in
 * diff-match-patch's `diff_bisect`), after trimming the common prefix and suffix. A work cap keeps a
 * pathological pair of large, very different files from taking seconds: past it, lines unique to
 * both sides anchor the comparison (as in patience diff) and what lies between anchors is diffed on
 * its own, which stays correct and readable, if not always minimal.
 */

/**
 * One step of an edit script. `a` and `b` index the old and new lines; a deletion's `b` (and an
 * insertion's `a`) is where it lands on the other side, so a hunk with no lines on one side can still
 * be numbered.
 */
export interface LineOp {
  op: 'equal' | 'delete' | 'insert'
  a: number
  b: number
}

export interface DiffOptions {
  /** Unchanged lines shown around each change. @default 3 */
  context?: number
  /**
   * Snake steps the line comparison may spend before it settles for a non-minimal diff.
   * @default 2_000_000
   */
  maxWork?: number
}

/**
 * The edit script turning `a` into `b`, as indices into each. Equal lines are found by Myers' algorithm;
 * the script is minimal unless `maxWork` was exceeded.
 */
export function diffLines(
  a: readonly string[],
  b: readonly string[],
  maxWork = 2_000_000,
): LineOp[] {
  const ids = new Map<string, number>()
  const intern = (line: string) => {
    let id = ids.get(line)
    if (id === undefined) ids.set(line, (id = ids.size))
    return id
  }
  const ta = Int32Array.from(a, intern)
  const tb = Int32Array.from(b, intern)
  const ops: LineOp[] = []
  const work = { left: maxWork }
  diffRange(ta, tb, 0, ta.length, 0, tb.length, ops, work)
  return deletionsFirst(ops)
}

/** Within each run of changes, shows removed lines before added ones, as people expect to read them. */
function deletionsFirst(ops: LineOp[]): LineOp[] {
  const out: LineOp[] = []
  let i = 0
  while (i < ops.length) {
    if (ops[i]!.op === 'equal') {
      out.push(ops[i++]!)
      continue
    }
    const aFrom = ops[i]!.a
    const bFrom = ops[i]!.b
    const dels: number[] = []
    const ins: number[] = []
    for (; i < ops.length && ops[i]!.op !== 'equal'; i++) {
      if (ops[i]!.op === 'delete') dels.push(ops[i]!.a)
      else ins.push(ops[i]!.b)
    }
    for (const a of dels) out.push(deleteAt(a, bFrom))
    for (const b of ins) out.push(insertAt(b, aFrom + dels.length))
  }
  return out
}

/** Splits text into lines, each keeping its terminator, so "no newline at end" stays visible. */
export function splitLines(text: string): string[] {
  const lines: string[] = []
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    lines.push(text.slice(start, i + 1))
    start = i + 1
  }
  if (start < text.length) lines.push(text.slice(start))
  return lines
}

/**
 * The unified diff of one file, `''` when nothing changed. `null` stands for a file that does not exist
 * (created or deleted), shown as `/dev/null` like git does. Carriage returns are dropped from the shown
 * lines so CRLF files read cleanly.
 */
export function unifiedDiff(
  path: string,
  before: string | null,
  after: string | null,
  options: DiffOptions = {},
): string {
  const context = options.context ?? 3
  if (before === after) return ''
  const a = splitLines(before ?? '')
  const b = splitLines(after ?? '')
  const ops = diffLines(a, b, options.maxWork)
  const hunks = buildHunks(ops, a, b, context)
  const head = [
    `--- ${before === null ? '/dev/null' : `a/${path}`}`,
    `+++ ${after === null ? '/dev/null' : `b/${path}`}`,
  ]
  // A file created empty or emptied still deserves its header so the change is visible.
  return [...head, ...hunks].join('\n') + '\n'
}

function buildHunks(ops: LineOp[], a: readonly string[], b: readonly string[], context: number) {
  const out: string[] = []
  let i = 0
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.op === 'equal') i++
    if (i >= ops.length) break
    // Extend the hunk while the next change is close enough that the contexts would touch.
    let end = i
    for (;;) {
      while (end < ops.length && ops[end]!.op !== 'equal') end++
      let next = end
      while (next < ops.length && ops[next]!.op === 'equal') next++
      if (next < ops.length && next - end <= context * 2) end = next
      else break
    }
    const from = Math.max(0, i - context)
    const to = Math.min(ops.length, end + context)
    out.push(renderHunk(ops.slice(from, to), a, b))
    i = to
  }
  return out
}

function renderHunk(ops: LineOp[], a: readonly string[], b: readonly string[]) {
  const lines: string[] = []
  let aLen = 0
  let bLen = 0
  const show = (sign: string, line: string) => {
    const bare = line.endsWith('\n') ? line.slice(0, -1) : line
    lines.push(sign + (bare.endsWith('\r') ? bare.slice(0, -1) : bare))
    if (!line.endsWith('\n')) lines.push('\\ No newline at end of file')
  }
  for (const op of ops) {
    if (op.op !== 'insert') aLen++
    if (op.op !== 'delete') bLen++
    show(
      op.op === 'equal' ? ' ' : op.op === 'delete' ? '-' : '+',
      op.op === 'insert' ? b[op.b]! : a[op.a]!,
    )
  }
  // An empty side is numbered by the line before it (0 at the start of the file), as GNU diff does.
  const range = (start: number, len: number) =>
    len === 0 ? `${start},0` : len === 1 ? `${start + 1}` : `${start + 1},${len}`
  const first = ops[0]!
  return [`@@ -${range(first.a, aLen)} +${range(first.b, bLen)} @@`, ...lines].join('\n')
}

function diffRange(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  ops: LineOp[],
  work: { left: number },
): void {
  // Common prefix.
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) ops.push({ op: 'equal', a: aLo++, b: bLo++ })
  // Common suffix, emitted after the middle.
  let suffix = 0
  while (aHi - suffix > aLo && bHi - suffix > bLo && a[aHi - suffix - 1] === b[bHi - suffix - 1]) {
    suffix++
  }
  aHi -= suffix
  bHi -= suffix
  if (aLo === aHi) {
    for (let j = bLo; j < bHi; j++) ops.push(insertAt(j, aLo))
  } else if (bLo === bHi) {
    for (let i = aLo; i < aHi; i++) ops.push(deleteAt(i, bLo))
  } else {
    const split = bisect(a, b, aLo, aHi, bLo, bHi, work)
    if (split) {
      diffRange(a, b, aLo, split[0], bLo, split[1], ops, work)
      diffRange(a, b, split[0], aHi, split[1], bHi, ops, work)
    } else {
      const anchors = uniqueAnchors(a, b, aLo, aHi, bLo, bHi)
      let ai = aLo
      let bi = bLo
      for (const [x, y] of anchors) {
        diffRange(a, b, ai, x, bi, y, ops, work)
        ops.push({ op: 'equal', a: x, b: y })
        ai = x + 1
        bi = y + 1
      }
      if (anchors.length === 0) {
        for (let i = aLo; i < aHi; i++) ops.push(deleteAt(i, bLo))
        for (let j = bLo; j < bHi; j++) ops.push(insertAt(j, aHi))
      } else diffRange(a, b, ai, aHi, bi, bHi, ops, work)
    }
  }
  for (let s = 0; s < suffix; s++) ops.push({ op: 'equal', a: aHi + s, b: bHi + s })
}

/**
 * The fallback when Myers runs out of work: lines that occur exactly once on each side, kept in an
 * order increasing on both (patience diff's anchors, via a longest increasing subsequence). The gaps
 * between anchors are small and get diffed on their own.
 */
function uniqueAnchors(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): [number, number][] {
  const seen = new Map<number, { na: number; nb: number; ia: number; ib: number }>()
  for (let i = aLo; i < aHi; i++) {
    const e = seen.get(a[i]!)
    if (e) e.na++
    else seen.set(a[i]!, { na: 1, nb: 0, ia: i, ib: -1 })
  }
  for (let j = bLo; j < bHi; j++) {
    const e = seen.get(b[j]!)
    if (e) {
      e.nb++
      e.ib = j
    }
  }
  const pairs: [number, number][] = []
  for (const e of seen.values()) if (e.na === 1 && e.nb === 1) pairs.push([e.ia, e.ib])
  pairs.sort((p, q) => p[0] - q[0])
  // Longest increasing subsequence on the b index (patience sorting with back links).
  const tails: number[] = []
  const back = new Int32Array(pairs.length).fill(-1)
  for (let k = 0; k < pairs.length; k++) {
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (pairs[tails[mid]!]![1] < pairs[k]![1]) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) back[k] = tails[lo - 1]!
    tails[lo] = k
  }
  const out: [number, number][] = []
  for (let k = tails.at(-1) ?? -1; k !== -1; k = back[k]!) out.push(pairs[k]!)
  return out.reverse()
}

const deleteAt = (a: number, b: number): LineOp => ({ op: 'delete', a, b })
const insertAt = (b: number, a: number): LineOp => ({ op: 'insert', a, b })

/**
 * Finds the middle snake of the region and returns the point where the forward and reverse paths
 * meet, or null when there is nothing in common (or the work cap ran out).
 */
function bisect(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  work: { left: number },
): [number, number] | null {
  const n = aHi - aLo
  const m = bHi - bLo
  const maxD = Math.ceil((n + m) / 2)
  const offset = maxD
  const size = 2 * maxD + 2
  const v1 = new Int32Array(size).fill(-1)
  const v2 = new Int32Array(size).fill(-1)
  v1[offset + 1] = 0
  v2[offset + 1] = 0
  const delta = n - m
  // With an odd delta the paths meet on a forward step; with an even one, on a reverse step.
  const front = delta % 2 !== 0
  let k1start = 0
  let k1end = 0
  let k2start = 0
  let k2end = 0
  // A local counter keeps the hot loops free of property writes; it is settled on every exit.
  let left = work.left
  for (let d = 0; d < maxD; d++) {
    if (left <= 0) {
      work.left = 0
      return null
    }
    for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
      const k1o = offset + k1
      let x1 =
        k1 === -d || (k1 !== d && v1[k1o - 1]! < v1[k1o + 1]!) ? v1[k1o + 1]! : v1[k1o - 1]! + 1
      let y1 = x1 - k1
      const x1From = x1
      while (x1 < n && y1 < m && a[aLo + x1] === b[bLo + y1]) {
        x1++
        y1++
      }
      left -= 1 + x1 - x1From
      v1[k1o] = x1
      if (x1 > n) k1end += 2
      else if (y1 > m) k1start += 2
      else if (front) {
        const k2o = offset + delta - k1
        if (k2o >= 0 && k2o < size && v2[k2o] !== -1) {
          if (x1 >= n - v2[k2o]!) {
            work.left = left
            return [aLo + x1, bLo + y1]
          }
        }
      }
    }
    for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
      const k2o = offset + k2
      let x2 =
        k2 === -d || (k2 !== d && v2[k2o - 1]! < v2[k2o + 1]!) ? v2[k2o + 1]! : v2[k2o - 1]! + 1
      let y2 = x2 - k2
      const x2From = x2
      while (x2 < n && y2 < m && a[aLo + n - x2 - 1] === b[bLo + m - y2 - 1]) {
        x2++
        y2++
      }
      left -= 1 + x2 - x2From
      v2[k2o] = x2
      if (x2 > n) k2end += 2
      else if (y2 > m) k2start += 2
      else if (!front) {
        const k1o = offset + delta - k2
        if (k1o >= 0 && k1o < size && v1[k1o] !== -1) {
          const x1 = v1[k1o]!
          const y1 = offset + x1 - k1o
          if (x1 >= n - x2) {
            work.left = left
            return [aLo + x1, bLo + y1]
          }
        }
      }
    }
  }
  work.left = left
  return null
}
