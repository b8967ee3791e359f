/**
 * `limitsNeeded` lets the store skip drafting the limits; it must say yes whenever
 * `applyStateLimits` would change something, and no only when it would not.
 */
import { produce } from 'immer'
import { describe, expect, it } from 'vitest'
import type { CheckResult, Task } from '../../../src/shared/domain'
import { complete, enqueue, takeNext } from '../../../src/main/core/queue'
import { STATE_LIMITS, freshState } from '../../../src/main/core/state'
import type { StateFile } from '../../../src/main/core/state'
import { applyStateLimits, limitsNeeded } from '../../../src/main/core/state/state-limits'

const NOW = '2030-01-01T00:00:00.000Z'
const check = (output: string): CheckResult => ({
  name: 'related',
  command: ['node', '--test'],
  passed: false,
  exitCode: 1,
  signal: null,
  timedOut: false,
  durationMs: 10,
  output,
  failures: [],
})

/** A state with `finished` completed tasks, each with a detection output of `chars`. */
function stateWith(finished: number, chars: number): StateFile {
  const state = freshState(NOW)
  let seq = 0
  const ctx = { now: NOW, nextSeq: () => seq++ }
  for (let i = 0; i < finished; i++) {
    const { task } = enqueue(state.queues, { files: [`src/${i}.js`], kind: 'file_change' }, ctx)
    takeNext(state.queues, ctx)
    ;(task as Task).detection = [check('x'.repeat(chars))]
    complete(state.queues, task.id, { outcome: 'no_fix_needed' }, ctx)
  }
  return state
}

const changes = (state: StateFile) =>
  produce(state, (d) => applyStateLimits(d, undefined, () => true)) !== state

describe('limitsNeeded', () => {
  const cases: [string, () => StateFile][] = [
    ['within every limit', () => stateWith(3, 10)],
    ['too many completed tasks', () => stateWith(51, 10)],
    ['an output to clip', () => stateWith(2, STATE_LIMITS.finishedEarlierOutputChars + 1)],
    [
      'history over its limit',
      () => {
        const s = stateWith(1, 10)
        for (let i = 0; i <= STATE_LIMITS.conversationHistory; i++)
          s.conversation_history.push({ timestamp: NOW, type: 'note' })
        return s
      },
    ],
    [
      'test results over their limit',
      () => {
        const s = stateWith(1, 10)
        for (let i = 0; i <= STATE_LIMITS.testResults; i++)
          s.test_results.push({
            task_id: null,
            timestamp: NOW,
            passed: true,
            duration: 1,
            command: [],
          })
        return s
      },
    ],
  ]
  for (const [name, make] of cases) {
    it(`agrees with applyStateLimits: ${name}`, () => {
      const state = make()
      expect(limitsNeeded(state, undefined, () => true)).toBe(changes(state))
    })
  }

  it('looks only at the finished tasks it is told to clip', () => {
    const state = stateWith(2, STATE_LIMITS.finishedEarlierOutputChars + 1)
    expect(limitsNeeded(state, undefined, () => false)).toBe(false)
    const first = state.queues.completed[0]!.id
    expect(limitsNeeded(state, undefined, (id) => id === first)).toBe(true)
  })
})
