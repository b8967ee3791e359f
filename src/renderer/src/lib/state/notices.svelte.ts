import type { EventPayload, FixloopApi } from '../../../../shared'

export type Notice = EventPayload<'notice'> & { id: number }

/** Things the user must be told: the engine's notices, and errors from actions. */
export class Notices {
  items = $state.raw<Notice[]>([])
  private nextId = 1

  constructor(api: FixloopApi | null) {
    api?.on('notice', (notice) => this.add(notice))
  }

  add(notice: EventPayload<'notice'>): void {
    const item = { ...notice, id: this.nextId++ }
    this.items = [...this.items.slice(-4), item]
    // Information fades; warnings and errors stay until dismissed.
    if (notice.level === 'info') setTimeout(() => this.dismiss(item.id), 8000)
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id)
  }
}
