/**
 * The victim of the crash-safety test: opens the store on argv[2] and applies random queue
 * transitions as fast as it can. Before each write it prints what the write will contain
 * ("intent"), after it the same summary as written ("done"). Printing is synchronous, so the parent
 * has every line the child got out before SIGKILL.
 * Usage: node --import tsx test/core/state/crash-child.ts <projectRoot>
 * With FIXLOOP_CRASH_WAIT=1 it loads, then waits for a line on stdin before opening the store, so
 * the test can start the next victim while the current one runs.
 */
import { writeSync } from 'node:fs'
import type { Queues } from '../../../src/shared/domain'
import {
  applyLimits,
  cancel,
  complete,
  enqueue,
  fail,
  retry,
  takeNext,
} from '../../../src/main/core/queue'
import type { QueueContext } from '../../../src/main/core/queue'
import { StateStore } from '../../../src/main/core/state'
import { summarise } from './crash-summary'

const FILES = Array.from({ length: 12 }, (_, i) => `src/module-${i}.ts`)
const OUTPUT =
  'FAIL src/module.test.ts > adds numbers\nAssertionError: expected 3 to be 4\n'.repeat(20)

const pickOne = <T>(list: readonly T[]): T | undefined =>
  list[Math.floor(Math.random() * list.length)]

function randomTransition(q: Queues, ctx: QueueContext): void {
  const roll = Math.random()
  const running = pickOne(q.in_progress)
  if (roll < 0.35 || q.pending.length + q.in_progress.length + q.failed.length === 0) {
    const files = FILES.filter(() => Math.random() < 0.15)
    enqueue(
      q,
      {
        files: files.length ? files : [pickOne(FILES)!],
        kind: 'file_change',
        priority: Math.floor(Math.random() * 3),
      },
      ctx,
    )
  } else if (roll < 0.55) {
    takeNext(q, ctx)
  } else if (roll < 0.7 && running) {
    complete(q, running.id, { outcome: 'fixed', diff: OUTPUT.slice(0, 600) }, ctx)
  } else if (roll < 0.82 && running) {
    fail(q, running.id, OUTPUT.slice(0, 300), {}, ctx)
  } else if (roll < 0.92 && q.failed.length > 0) {
    retry(q, pickOne(q.failed)!.id, ctx)
  } else if (q.pending.length > 0) {
    cancel(q, pickOne(q.pending)!.id, ctx)
  } else {
    takeNext(q, ctx)
  }
}

const print = (value: unknown) => writeSync(1, JSON.stringify(value) + '\n')

if (process.env.FIXLOOP_CRASH_WAIT === '1') {
  await new Promise((resolve) => process.stdin.once('data', resolve))
}
const store = await StateStore.open({
  projectRoot: process.argv[2]!,
  onEvent: (name, payload) => print({ kind: 'event', name, payload }),
})
print({ kind: 'ready', ...summarise(store.state) })
for (;;) {
  await store.update((draft) => {
    randomTransition(draft.queues, store.queueContext(draft))
    // The store applies the same limits; applying them here makes the announced summary exact.
    applyLimits(draft.queues)
    draft.test_results.push({
      task_id: null,
      timestamp: new Date().toISOString(),
      passed: Math.random() < 0.5,
      duration: 1.5,
      command: ['npx', 'vitest', 'run'],
    })
    print({ kind: 'intent', ...summarise({ ...draft, generation: draft.generation + 1 }) })
  })
  print({ kind: 'done', ...summarise(store.state) })
}
