/**
 * The view shown, kept in the URL hash (`#/queue`, `#/task/task_abc`) so back/forward and reloads
 * work in both the Electron window and the browser, and the query (the web token) is never touched.
 */
export const VIEWS = ['overview', 'queue', 'log', 'stats', 'settings'] as const
export type MainView = (typeof VIEWS)[number]
export type Route = { view: MainView } | { view: 'task'; id: string }

export const VIEW_LABELS: Record<MainView, string> = {
  overview: 'Overview',
  queue: 'Queue',
  log: 'Live log',
  stats: 'Statistics',
  settings: 'Settings',
}

export function parseHash(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/')
  if (view === 'task' && id) return { view: 'task', id: decodeURIComponent(id) }
  return (VIEWS as readonly string[]).includes(view ?? '')
    ? { view: view as MainView }
    : { view: 'overview' }
}

export function href(route: Route): string {
  return route.view === 'task' ? `#/task/${encodeURIComponent(route.id)}` : `#/${route.view}`
}

export class Router {
  route = $state.raw<Route>({ view: 'overview' })
  /** The main view the current route belongs to (a task belongs to the queue). */
  section = $derived<MainView>(this.route.view === 'task' ? 'queue' : this.route.view)

  constructor(win: Window) {
    this.route = parseHash(win.location.hash)
    win.addEventListener('hashchange', () => (this.route = parseHash(win.location.hash)))
  }

  go(route: Route): void {
    window.location.hash = href(route)
  }
}
