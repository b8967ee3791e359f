import type { FixloopApi, LogEntry, LogLevel } from '../../../../shared'

export const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error']
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** Lines kept in the page; older ones are dropped first. */
export const MAX_LINES = 20_000
const PAGE = 5000

/**
 * The live log: a backlog fetched page by page, then the `log` events, batched so a burst of lines
 * costs one update rather than one per line. Filters are plain state; the filtered list is derived.
 */
export class LogState {
  lines = $state.raw<LogEntry[]>([])
  level = $state<LogLevel | 'all'>('all')
  taskId = $state('')
  search = $state('')
  /** Keep the newest line in view. */
  follow = $state(true)
  error = $state<string | null>(null)

  filtered = $derived.by(() => {
    const min = this.level === 'all' ? -1 : RANK[this.level]
    const task = this.taskId
    const needle = this.search.trim().toLowerCase()
    if (min < 0 && !task && !needle) return this.lines
    return this.lines.filter(
      (l) =>
        RANK[l.level] >= min &&
        (!task || l.taskId === task) &&
        (!needle || l.message.toLowerCase().includes(needle)),
    )
  })
  taskIds = $derived.by(() => {
    const seen: Record<string, true> = {}
    for (const l of this.lines) if (l.taskId) seen[l.taskId] = true
    return Object.keys(seen).sort()
  })
  filtering = $derived(this.level !== 'all' || this.taskId !== '' || this.search.trim() !== '')

  private lastSeq = -1
  private buffer: LogEntry[] = []
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private loading = false

  constructor(private readonly api: FixloopApi) {
    api.on('log', (entry) => {
      this.buffer.push(entry)
      this.flushTimer ??= setTimeout(() => this.flush(), 100)
    })
  }

  /** Fetches what the page has not seen yet (all of the backlog the first time). */
  async load(): Promise<void> {
    if (this.loading) return
    this.loading = true
    try {
      for (let page = 0; page < 10; page++) {
        const after = this.lastSeq >= 0 ? { afterSeq: this.lastSeq } : {}
        const outcome = await this.api.getLog({ ...after, limit: PAGE })
        if (!outcome.ok) {
          this.error = outcome.error.message
          return
        }
        this.error = null
        this.append(outcome.value)
        if (outcome.value.length < PAGE) break
      }
    } finally {
      this.loading = false
      this.flush()
    }
  }

  clearFilters(): void {
    this.level = 'all'
    this.taskId = ''
    this.search = ''
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    // Events that came while the backlog loads wait, so the backlog is not skipped as "old".
    if (this.loading || this.buffer.length === 0) return
    const batch = this.buffer
    this.buffer = []
    this.append(batch)
  }

  private append(entries: LogEntry[]): void {
    const fresh = entries.filter((e) => e.seq > this.lastSeq)
    if (fresh.length === 0) return
    fresh.sort((a, b) => a.seq - b.seq)
    this.lastSeq = (fresh[fresh.length - 1] as LogEntry).seq
    const next = this.lines.concat(fresh)
    this.lines = next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next
  }
}
