import { describe, expect, it } from 'vitest'
import {
  createInMemoryEscalationMemory,
  emptyMemoryEntry,
} from '../../../src/main/core/escalate/memory'

const entry = (issue: number) => ({
  ...emptyMemoryEntry(),
  githubIssue: issue,
  lastAt: { slack: '2026-03-01T10:00:00.000Z' },
})

describe('createInMemoryEscalationMemory', () => {
  it('returns copies, so a caller cannot change what is stored', () => {
    const memory = createInMemoryEscalationMemory()
    memory.set('fp', entry(1))
    const got = memory.get('fp')!
    got.lastAt.email = 'x'
    got.githubIssue = 99
    expect(memory.get('fp')).toEqual(entry(1))
  })

  it('drops the least recently written fingerprint past maxEntries', () => {
    const memory = createInMemoryEscalationMemory({ maxEntries: 2 })
    memory.set('a', entry(1))
    memory.set('b', entry(2))
    memory.set('a', entry(3))
    memory.set('c', entry(4))
    expect(Object.keys(memory.entries())).toEqual(['a', 'c'])
  })

  it('starts from initial entries and reports every write', () => {
    const writes: string[][] = []
    const memory = createInMemoryEscalationMemory({
      initial: { old: entry(7) },
      onChange: (all) => writes.push(Object.keys(all)),
    })
    expect(memory.get('old')?.githubIssue).toBe(7)
    memory.set('new', entry(8))
    expect(writes).toEqual([['old', 'new']])
  })

  it('rejects a maxEntries that is not a positive integer', () => {
    expect(() => createInMemoryEscalationMemory({ maxEntries: 0 })).toThrow(/positive integer/)
  })
})
