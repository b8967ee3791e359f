import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { merge3 } from '../../../src/main/core/fix/merge3'

const text = (...lines: string[]) => lines.map((l) => `${l}\n`).join('')
const base = text('one', 'two', 'three', 'four', 'five', 'six', 'seven')

describe('merge3', () => {
  it('merges edits of different parts of the file from both sides', () => {
    const ours = text('one', 'TWO', 'three', 'four', 'five', 'six', 'seven')
    const theirs = text('one', 'two', 'three', 'four', 'five', 'SIX', 'seven')
    expect(merge3(base, ours, theirs)).toEqual({
      clean: true,
      text: text('one', 'TWO', 'three', 'four', 'five', 'SIX', 'seven'),
    })
  })

  it('keeps lines the other side inserted and deleted, shifting nothing', () => {
    const ours = text('one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight')
    const theirs = text('zero', 'one', 'three', 'four', 'five', 'six', 'seven')
    expect(merge3(base, ours, theirs)).toEqual({
      clean: true,
      text: text('zero', 'one', 'three', 'four', 'five', 'six', 'seven', 'eight'),
    })
  })

  it('takes the same edit made on both sides once', () => {
    const both = text('one', 'two', 'THREE', 'four', 'five', 'six', 'seven')
    expect(merge3(base, both, both)).toEqual({ clean: true, text: both })
    const ours = text('one', 'two', 'THREE', 'four', 'five', 'six', 'SEVEN')
    expect(merge3(base, ours, both)).toEqual({ clean: true, text: ours })
  })

  it('reports different edits of the same lines as a conflict, located on each side', () => {
    const ours = text('one', 'two', 'X', 'Y', 'five', 'six', 'seven')
    const theirs = text('one', 'two', 'three', 'mine', 'mine too', 'mine three', 'six', 'seven')
    expect(merge3(base, ours, theirs)).toEqual({
      clean: false,
      conflicts: [
        {
          base: { line: 3, count: 3 },
          ours: { line: 3, count: 3 },
          theirs: { line: 3, count: 4 },
        },
      ],
    })
  })

  it('reports every conflicting stretch, not only the first', () => {
    const ours = text('ONE', 'two', 'three', 'four', 'five', 'six', 'SEVEN')
    const theirs = text('uno', 'two', 'three', 'four', 'five', 'six', 'siete')
    const result = merge3(base, ours, theirs)
    expect(result.clean).toBe(false)
    if (result.clean) return
    expect(result.conflicts.map((c) => c.theirs)).toEqual([
      { line: 1, count: 1 },
      { line: 7, count: 1 },
    ])
  })

  it('reports different insertions at the same point as a conflict', () => {
    const ours = text('one', 'two', 'ours', 'three', 'four', 'five', 'six', 'seven')
    const theirs = text('one', 'two', 'theirs', 'three', 'four', 'five', 'six', 'seven')
    expect(merge3(base, ours, theirs)).toMatchObject({
      clean: false,
      conflicts: [{ base: { line: 3, count: 0 }, theirs: { line: 3, count: 1 } }],
    })
  })

  it('reports edits of neighbouring lines as a conflict, as git does', () => {
    const ours = text('one', 'two', 'THREE', 'four', 'five', 'six', 'seven')
    const theirs = text('one', 'two', 'three', 'FOUR', 'five', 'six', 'seven')
    expect(merge3(base, ours, theirs).clean).toBe(false)
  })

  it('reports an edit of lines the other side deleted as a conflict', () => {
    const ours = text('one', 'two', 'THREE', 'four', 'five', 'six', 'seven')
    const theirs = text('one', 'two', 'four', 'five', 'six', 'seven')
    expect(merge3(base, ours, theirs)).toMatchObject({
      clean: false,
      conflicts: [{ theirs: { line: 3, count: 0 } }],
    })
  })

  it('keeps CRLF line endings', () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n')
    const ours = crlf(text('one', 'TWO', 'three', 'four', 'five', 'six', 'seven'))
    const theirs = crlf(text('one', 'two', 'three', 'four', 'five', 'six', 'SEVEN'))
    expect(merge3(crlf(base), ours, theirs)).toEqual({
      clean: true,
      text: crlf(text('one', 'TWO', 'three', 'four', 'five', 'six', 'SEVEN')),
    })
  })

  it('keeps a missing final newline, and a change to it is a change of the last line', () => {
    const noEol = base.slice(0, -1)
    const ours = noEol.replace('two', 'TWO')
    const theirs = noEol.replace('four', 'FOUR')
    expect(merge3(noEol, ours, theirs)).toEqual({
      clean: true,
      text: noEol.replace('two', 'TWO').replace('four', 'FOUR'),
    })
    // Adding the newline on one side merges with an edit elsewhere on the other
    expect(merge3(noEol, ours, `${noEol}\n`)).toEqual({ clean: true, text: `${ours}\n` })
  })

  it('merges into an empty base and from an empty side', () => {
    expect(merge3('', 'a\n', '')).toEqual({ clean: true, text: 'a\n' })
    expect(merge3('a\n', 'a\n', '')).toEqual({ clean: true, text: '' })
    expect(merge3('', 'a\n', 'b\n').clean).toBe(false)
  })

  // Properties over random edits of disjoint, well-separated parts of a file
  const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'x', '}', ''), {
    minLength: 6,
    maxLength: 40,
  })
  const edit = fc.array(fc.constantFrom('p', 'q', 'a', '}'), { maxLength: 3 })

  it('a clean merge of edits to two separate halves contains both edits', () => {
    fc.assert(
      fc.property(lines, lines, edit, edit, (top, bottom, e1, e2) => {
        // A unique fence line keeps the halves from touching
        const b = [...top, 'FENCE-1', 'FENCE-2', ...bottom]
        const o = [...top.slice(0, 2), ...e1, ...top.slice(3), 'FENCE-1', 'FENCE-2', ...bottom]
        const t = [...top, 'FENCE-1', 'FENCE-2', ...bottom.slice(0, 2), ...e2, ...bottom.slice(3)]
        const result = merge3(text(...b), text(...o), text(...t))
        const expected = [...o.slice(0, o.indexOf('FENCE-1')), ...t.slice(t.indexOf('FENCE-1'))]
        expect(result).toEqual({ clean: true, text: text(...expected) })
      }),
    )
  })

  it('never loses a side: merging with an unchanged side gives the other side', () => {
    fc.assert(
      fc.property(lines, lines, (b, o) => {
        expect(merge3(text(...b), text(...o), text(...b))).toEqual({
          clean: true,
          text: text(...o),
        })
        expect(merge3(text(...b), text(...b), text(...o))).toEqual({
          clean: true,
          text: text(...o),
        })
      }),
    )
  })

  it('is symmetric: swapping the sides gives the same clean text or conflicts in the same places', () => {
    fc.assert(
      fc.property(lines, lines, lines, (b, o, t) => {
        const one = merge3(text(...b), text(...o), text(...t))
        const two = merge3(text(...b), text(...t), text(...o))
        expect(one.clean).toBe(two.clean)
        if (one.clean && two.clean) expect(one.text).toBe(two.text)
        if (!one.clean && !two.clean)
          expect(one.conflicts.map((c) => c.base)).toEqual(two.conflicts.map((c) => c.base))
      }),
    )
  })
})
