/**
 * The one dashboard window, as logic: created on demand, focused when it exists, forgotten when it
 * closes (Electron destroys a closed window, so an idle Fixloop holds no renderer), and pointed at a
 * route. Routes are the renderer's hash routes (`#/task/<id>`), so opening a task in a window that is
 * already showing is an in-page hash change, not a reload.
 */

/** A route of the renderer (src/renderer/src/lib/state/router.svelte.ts). */
export type DashboardRoute =
  { view: 'task'; id: string } | { view: 'overview' | 'queue' | 'log' | 'stats' | 'settings' }

export function routeHash(route: DashboardRoute): string {
  return route.view === 'task' ? `#/task/${encodeURIComponent(route.id)}` : `#/${route.view}`
}

/** The renderer URL for a route: the base without its hash, then the route's hash. */
export function dashboardUrl(base: string, route?: DashboardRoute): string {
  const bare = base.replace(/#.*$/, '')
  return route ? `${bare}${routeHash(route)}` : bare
}

/** What the slot needs of a window (Electron's BrowserWindow). */
export interface WindowLike {
  isDestroyed(): boolean
  isMinimized(): boolean
  restore(): void
  show(): void
  focus(): void
  loadURL(url: string): Promise<void>
}

export interface DashboardSlotOptions<W extends WindowLike> {
  /** The renderer's entry URL (`app://fixloop/index.html`, or the dev server). */
  baseUrl: string
  /** Creates a window loading `url`; calls `onClosed` when it is gone. */
  create: (url: string, onClosed: () => void) => W
}

export class DashboardSlot<W extends WindowLike> {
  readonly #options: DashboardSlotOptions<W>
  #window: W | null = null

  constructor(options: DashboardSlotOptions<W>) {
    this.#options = options
  }

  /** The window, or null when there is none. */
  current(): W | null {
    if (this.#window?.isDestroyed()) this.#window = null
    return this.#window
  }

  /** Opens the window (or brings it forward), on `route` when given. */
  open(route?: DashboardRoute): W {
    const existing = this.current()
    const url = dashboardUrl(this.#options.baseUrl, route)
    if (existing) {
      if (existing.isMinimized()) existing.restore()
      existing.show()
      existing.focus()
      // Same document, another hash: the renderer's router follows without reloading.
      if (route) void existing.loadURL(url).catch(() => undefined)
      return existing
    }
    const created = this.#options.create(url, () => {
      if (this.#window === created) this.#window = null
    })
    this.#window = created
    return created
  }
}

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/**
 * Whether saved bounds still suit the screens there are now: at least a 100×50 corner of the window
 * (its title bar) must lie on one display's work area, or the window would open out of reach.
 */
export function boundsVisible(bounds: Rect, workAreas: readonly Rect[]): boolean {
  return workAreas.some((a) => {
    const w = Math.min(bounds.x + bounds.width, a.x + a.width) - Math.max(bounds.x, a.x)
    const h = Math.min(bounds.y + 50, a.y + a.height) - Math.max(bounds.y, a.y)
    return w >= 100 && h >= 50
  })
}
