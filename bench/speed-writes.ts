/**
 * Counts the engine's state writes from outside, on the file system (the store's `written` event is
 * not exposed by the orchestrator):
 * - `state`: `.fixloop/state.json` replaced (an atomic write renames its temp file over it: one
 *   `rename` event for the name `state.json` per write); `stateInPlace`: change events on it (a
 *   write in place, such as a heartbeat-only update, if the store does those);
 * - `taskFiles`: files under `.fixloop/tasks/` (if the store keeps task details there), counted by
 *   final name: `replaced` = rename events (atomic writes), `modified` = change events (in-place
 *   writes; the kernel may merge back-to-back ones, so read it as "at least").
 * Temp files (`*.tmp-*`) are not counted.
 */
import { existsSync, readFileSync, watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import { join } from 'node:path'

export interface WriteCounts {
  state: number
  stateInPlace: number
  taskReplaced: number
  taskModified: number
}

export class WriteCounter {
  readonly #dir: string
  readonly #counts: WriteCounts = {
    state: 0,
    stateInPlace: 0,
    taskReplaced: 0,
    taskModified: 0,
  }
  #watchers: FSWatcher[] = []
  #tasksWatched = false

  constructor(projectRoot: string) {
    this.#dir = join(projectRoot, '.fixloop')
    const top = watch(this.#dir, (event, name) => {
      if (name === 'state.json') this.#counts[event === 'rename' ? 'state' : 'stateInPlace']++
      if (name === 'tasks') this.#watchTasks()
    })
    this.#watchers.push(top)
    this.#watchTasks()
  }

  #watchTasks(): void {
    const dir = join(this.#dir, 'tasks')
    if (this.#tasksWatched || !existsSync(dir)) return
    this.#tasksWatched = true
    this.#watchers.push(
      watch(dir, (event, name) => {
        if (!name || name.includes('.tmp-')) return
        if (event === 'rename') {
          // A rename event also comes when a file is deleted: only count names that exist.
          if (existsSync(join(dir, name))) this.#counts.taskReplaced++
        } else this.#counts.taskModified++
      }),
    )
  }

  /** Whether `.fixloop/tasks/` exists (the store keeps task details apart). */
  get hasTaskFiles(): boolean {
    return this.#tasksWatched
  }

  snapshot(): WriteCounts & { generation: number | null } {
    return { ...this.#counts, generation: this.generation() }
  }

  /** The state file's `generation` (one more per write), if it still has one. */
  generation(): number | null {
    try {
      const g = (
        JSON.parse(readFileSync(join(this.#dir, 'state.json'), 'utf8')) as {
          generation?: unknown
        }
      ).generation
      return typeof g === 'number' ? g : null
    } catch {
      return null
    }
  }

  close(): void {
    for (const w of this.#watchers) w.close()
    this.#watchers = []
  }
}

export function diffCounts(
  a: ReturnType<WriteCounter['snapshot']>,
  b: ReturnType<WriteCounter['snapshot']>,
): WriteCounts & { generation: number | null } {
  return {
    state: b.state - a.state,
    stateInPlace: b.stateInPlace - a.stateInPlace,
    taskReplaced: b.taskReplaced - a.taskReplaced,
    taskModified: b.taskModified - a.taskModified,
    generation: a.generation !== null && b.generation !== null ? b.generation - a.generation : null,
  }
}
