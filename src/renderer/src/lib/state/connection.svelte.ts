import type { Bridge } from '../bridge/select-bridge'
import type { LinkStatus } from '../bridge/ws-client'

/**
 * The link to the engine as the page shows it. In Electron the preload is always there; on the web
 * the WebSocket may drop, and every re-open is announced so the other states can fetch what they
 * missed.
 */
export class Connection {
  status = $state<LinkStatus>('connecting')
  attempts = $state(0)
  retryAt = $state<number | null>(null)
  readonly kind: Bridge['kind']
  // Plain callbacks, not state: nothing renders from this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly reopenListeners = new Set<() => void>()
  private wasOpen = false

  constructor(private readonly bridge: Bridge) {
    this.kind = bridge.kind
    if (bridge.kind === 'electron') this.status = 'open'
    if (bridge.kind === 'none') this.status = 'closed'
    bridge.client?.onLink((link) => {
      this.status = link.status
      this.attempts = link.attempts
      this.retryAt = link.retryAt
      if (link.status === 'open') {
        if (this.wasOpen) for (const listener of this.reopenListeners) listener()
        this.wasOpen = true
      }
    })
  }

  /** Runs `listener` each time the link opens again after a drop (not the first time). */
  onReopen(listener: () => void): () => void {
    this.reopenListeners.add(listener)
    return () => this.reopenListeners.delete(listener)
  }

  reconnectNow(): void {
    this.bridge.client?.reconnectNow()
  }
}
