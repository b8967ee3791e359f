import type { EngineSnapshot, FixloopApi, TaskSummary } from '../../../../shared'

export const LANES = ['pending', 'in_progress', 'completed', 'failed'] as const
export type Lane = (typeof LANES)[number]
export const LANE_LABELS: Record<Lane, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  completed: 'Completed',
  failed: 'Failed',
}

/** The engine's snapshot (replaced whole on every `snapshot` event) and the run controls. */
export class EngineState {
  snapshot = $state.raw<EngineSnapshot | null>(null)
  /** Why the last load or run command failed, in words. */
  error = $state<string | null>(null)
  busy = $state(false)

  status = $derived(this.snapshot?.status ?? null)
  counts = $derived(
    Object.fromEntries(LANES.map((l) => [l, this.snapshot?.queues[l].length ?? 0])) as Record<
      Lane,
      number
    >,
  )
  /** Every task the snapshot lists, newest first. */
  allTasks = $derived<TaskSummary[]>(
    this.snapshot ? LANES.flatMap((l) => (this.snapshot as EngineSnapshot).queues[l]) : [],
  )
  openBreakers = $derived(this.snapshot?.breakers.filter((b) => b.state !== 'closed') ?? [])

  constructor(private readonly api: FixloopApi) {
    api.on('snapshot', (snapshot) => (this.snapshot = snapshot))
  }

  async refresh(): Promise<void> {
    const outcome = await this.api.getSnapshot({})
    if (outcome.ok) {
      this.snapshot = outcome.value
      this.error = null
    } else this.error = outcome.error.message
  }

  /** Start, pause or resume; the snapshot it answers replaces ours. */
  async run(command: 'start' | 'pause' | 'resume'): Promise<void> {
    this.busy = true
    try {
      const outcome = await this.api[command]({})
      if (outcome.ok) {
        this.snapshot = outcome.value
        this.error = null
      } else this.error = outcome.error.message
    } finally {
      this.busy = false
    }
  }

  async resetBreaker(file: string): Promise<string | null> {
    const outcome = await this.api.resetBreaker({ file })
    if (!outcome.ok) return outcome.error.message
    await this.refresh()
    return null
  }
}
