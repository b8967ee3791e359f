/**
 * Renders `state.json`. Sections and task summaries are immutable, so each one's JSON is kept by
 * reference and a write stringifies only what it changed. The result is what `JSON.stringify` gives
 * (compact, the schema's key order), with tasks as `storedSummary` shows them.
 */
import type { Task } from '../../../shared/domain'
import type { StateFile } from './schema'
import { QUEUE_NAMES, SECTION_KEYS } from './state-diff'
import { storedSummary } from './task-details'

export interface RenderedState {
  json: string
  bytes: number
  /**
   * Byte offset of the orchestrator's `last_heartbeat` value (the first character inside its
   * quotes), or null when it is null. It sits in the file's first few hundred bytes.
   */
  heartbeatOffset: number | null
}

const HEARTBEAT_KEY = '"last_heartbeat":"'

export class StateJson {
  private readonly sections = new WeakMap<object, string>()
  private readonly tasks = new WeakMap<Task, string>()

  render(state: StateFile): RenderedState {
    let json = '{'
    let heartbeatOffset: number | null = null
    SECTION_KEYS.forEach((key, i) => {
      const value = state[key]
      const part =
        key === 'queues'
          ? this.queues(state.queues)
          : typeof value === 'object' && value !== null
            ? this.section(value)
            : JSON.stringify(value)
      if (part === undefined) return
      json += `${i === 0 ? '' : ','}${JSON.stringify(key)}:`
      if (key === 'processes') {
        const at = part.indexOf(HEARTBEAT_KEY)
        if (at >= 0) heartbeatOffset = Buffer.byteLength(json) + at + HEARTBEAT_KEY.length
      }
      json += part
    })
    json += '}\n'
    return { json, bytes: Buffer.byteLength(json), heartbeatOffset }
  }

  private section(value: object): string {
    let text = this.sections.get(value)
    if (text === undefined) this.sections.set(value, (text = JSON.stringify(value)))
    return text
  }

  private queues(queues: StateFile['queues']): string {
    let text = this.sections.get(queues)
    if (text !== undefined) return text
    text = `{${QUEUE_NAMES.map((name) => `"${name}":[${queues[name].map((t) => this.task(t)).join(',')}]`).join(',')}}`
    this.sections.set(queues, text)
    return text
  }

  private task(task: Task): string {
    let text = this.tasks.get(task)
    if (text === undefined) this.tasks.set(task, (text = JSON.stringify(storedSummary(task))))
    return text
  }
}
