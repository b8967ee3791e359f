import { describe, expect, it } from 'vitest'
import { splitCommands, splitShellWords } from '../../../src/main/core/checks/shell-words'

describe('splitShellWords', () => {
  it('splits on whitespace and keeps quoted words whole', () => {
    expect(splitShellWords(`node --test "a b.js" 'c "d".js' e\\ f.js`)).toEqual([
      'node',
      '--test',
      'a b.js',
      'c "d".js',
      'e f.js',
    ])
  })

  it('cuts a script into its commands at && || ; |', () => {
    const words = splitShellWords('tsc&&vitest run || echo "a && b"; x | y')
    expect(splitCommands(words)).toEqual([
      ['tsc'],
      ['vitest', 'run'],
      ['echo', 'a && b'],
      ['x'],
      ['y'],
    ])
  })
})
