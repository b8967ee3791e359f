/**
 * The gate's quiet wait: checks run after the short check window, but a red task goes to Claude
 * only once every one of its files has been quiet for the fix debounce (`debounceSeconds`) since
 * its last change. A file that changes after the task took its copy makes the red result stale:
 * the task is not sent, and the newer change, a task of its own, is checked instead.
 */
import type { Clock } from '../../util/clock'
import { sleep } from '../../util/clock'
import { end } from './endings'
import type { Next } from './endings'
import type { ChangeTimes } from './ports'
import type { TaskRun } from './task-run'
import { describeFiles } from './words'

export type QuietResult =
  /** Every file has been quiet for `quietMs`; `waitedMs` is how long that took from the call. */
  | { kind: 'quiet'; waitedMs: number }
  /** `file` changed at `at`, after `since`. */
  | { kind: 'changed'; file: string; at: number }
  /** `hold` was aborted while there was still time to wait. */
  | { kind: 'held' }
  /** `signal` was aborted. */
  | { kind: 'aborted' }

export interface QuietWaitOptions {
  files: readonly string[]
  /** When the task took its copy of the files (clock ms): a change after it makes the copy stale. */
  since: number
  quietMs: number
  changes: ChangeTimes
  clock: Clock
  /** The task's own signal (cancel, the shutdown timeout). */
  signal: AbortSignal
  /** Aborted when the engine takes no new work (pause, stop); ends a wait, not a task that is quiet. */
  hold?: AbortSignal
}

/** Waits until every file is quiet, or one changes, or the wait is called off. */
export async function waitUntilQuiet(o: QuietWaitOptions): Promise<QuietResult> {
  const started = o.clock.now()
  for (;;) {
    if (o.signal.aborted) return { kind: 'aborted' }
    const last = lastChange(o.files, o.changes)
    if (last && last.at > o.since) return { kind: 'changed', ...last }
    const left = last ? last.at + o.quietMs - o.clock.now() : 0
    if (left <= 0) return { kind: 'quiet', waitedMs: o.clock.now() - started }
    if (o.hold?.aborted) return { kind: 'held' }
    // Until the quiet time is up or a file changes, whichever is first; the loop then looks again.
    const stop = new AbortController()
    const signal = AbortSignal.any([o.signal, stop.signal, ...(o.hold ? [o.hold] : [])])
    await Promise.race([sleep(left, signal, o.clock), o.changes.nextChange(o.files, signal)]).catch(
      () => undefined,
    )
    stop.abort()
  }
}

function lastChange(
  files: readonly string[],
  changes: ChangeTimes,
): { file: string; at: number } | null {
  let last: { file: string; at: number } | null = null
  for (const file of files) {
    const at = changes.lastChangeAt(file)
    if (at !== null && (last === null || at > last.at)) last = { file, at }
  }
  return last
}

/** At the gate, before anything is spent: null when the task may go on to Claude, else its end. */
export async function quietGate(run: TaskRun): Promise<Next | null> {
  const { deps, task } = run
  const changes = deps.changes?.()
  if (!changes) return null
  const seconds = deps.settings.debounceSeconds
  const startedAt = Date.parse(task.startedAt ?? '')
  const result = await waitUntilQuiet({
    files: task.files,
    since: Number.isNaN(startedAt) ? deps.clock.now() : startedAt,
    quietMs: seconds * 1000,
    changes,
    clock: deps.clock,
    signal: run.signal,
    hold: deps.intake?.(),
  })
  switch (result.kind) {
    case 'quiet':
      if (result.waitedMs > 0)
        deps.log.debug(
          `Waited ${result.waitedMs} ms for ${describeFiles(task.files)} to be quiet for ${seconds} s`,
          { taskId: run.id },
        )
      return null
    case 'changed':
      return end({
        kind: 'superseded',
        why: `${result.file} changed again before it had been quiet for ${seconds} s; the newer change is checked instead`,
      })
    case 'held':
      return end({
        kind: 'requeued',
        reason: 'Fixloop stopped taking new work while the task waited for its files to be quiet',
      })
    case 'aborted':
      return end({ kind: 'aborted' })
  }
}
