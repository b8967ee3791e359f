import type { Queues } from '../../../src/shared/domain'
import type { QueueContext } from '../../../src/main/core/queue'

export function emptyQueues(): Queues {
  return { pending: [], in_progress: [], completed: [], failed: [] }
}

/** A context with its own sequence counter and a clock that advances one second per call. */
export function testContext(start = Date.UTC(2025, 0, 1)): QueueContext & { tick(): string } {
  let seq = 0
  let t = start
  const ctx = {
    now: new Date(t).toISOString(),
    nextSeq: () => seq++,
    tick() {
      t += 1000
      ctx.now = new Date(t).toISOString()
      return ctx.now
    },
  }
  return ctx
}
