import { describe, expect, it } from 'vitest'
import { TailBuffer } from '../../../src/main/core/checks/tail-buffer'

describe('TailBuffer', () => {
  it('keeps everything while under the bound', () => {
    const buffer = new TailBuffer(10)
    buffer.push(Buffer.from('abc'))
    buffer.push(Buffer.from('def'))
    expect(buffer.text()).toBe('abcdef')
  })

  it('keeps the last bytes and says how many were dropped', () => {
    const buffer = new TailBuffer(4)
    for (const chunk of ['0123', '4567', '89']) buffer.push(Buffer.from(chunk))
    expect(buffer.text()).toBe('[… 6 earlier bytes omitted]\n6789')
  })

  it('never starts the tail in the middle of a UTF-8 character', () => {
    const buffer = new TailBuffer(5)
    buffer.push(Buffer.from('ééé')) // 6 bytes: the cut lands inside the first é
    expect(buffer.text()).toBe('[… 2 earlier bytes omitted]\néé')
  })

  it('rejects a bound that is not a positive integer', () => {
    expect(() => new TailBuffer(0)).toThrow(RangeError)
  })
})
