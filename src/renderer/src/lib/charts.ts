import type { TaskSummary } from '../../../shared'
import { span } from './format'

export interface Bar {
  label: string
  value: number
  /** What a person hovering or reading with a screen reader is told. */
  title: string
}

const HOUR = 3_600_000

/** Tasks finished in each of the last `hours` hours, oldest first. */
export function tasksPerHour(tasks: TaskSummary[], now: number, hours = 24): Bar[] {
  const end = Math.floor(now / HOUR) * HOUR + HOUR
  const counts = new Array<number>(hours).fill(0)
  for (const t of tasks) {
    if (!t.finishedAt) continue
    const i = hours - 1 - Math.floor((end - 1 - Date.parse(t.finishedAt)) / HOUR)
    if (i >= 0 && i < hours) counts[i] = (counts[i] ?? 0) + 1
  }
  return counts.map((value, i) => {
    const start = new Date(end - (hours - i) * HOUR)
    const hh = String(start.getHours()).padStart(2, '0')
    return { label: hh, value, title: `${hh}:00–${hh}:59: ${value} task${value === 1 ? '' : 's'}` }
  })
}

/** Time from detection to a green fix, for the last `limit` fixed tasks, oldest first. */
export function timeToFix(tasks: TaskSummary[], limit = 20): Bar[] {
  return tasks
    .filter((t) => t.outcome === 'fixed' && t.finishedAt)
    .sort((a, b) => Date.parse(a.finishedAt ?? '') - Date.parse(b.finishedAt ?? ''))
    .slice(-limit)
    .map((t) => {
      const ms = Math.max(0, Date.parse(t.finishedAt ?? '') - Date.parse(t.createdAt))
      const file = t.files[0] ?? t.id
      const name = file.slice(file.lastIndexOf('/') + 1)
      return { label: name, value: ms, title: `${name}: fixed in ${span(ms)}` }
    })
}
