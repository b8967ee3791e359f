import type { FixloopApi } from '../../../../shared'
import type { Bridge } from '../bridge/select-bridge'
import { Ticker } from './clock.svelte'
import { Connection } from './connection.svelte'
import { EngineState } from './engine.svelte'
import { LogState } from './log.svelte'
import { Notices } from './notices.svelte'
import { ProjectPicker } from './project.svelte'
import { Router } from './router.svelte'
import { SettingsState } from './settings.svelte'
import { TaskDetail } from './task-detail.svelte'

/** Every area's state, created once per page over one bridge. */
export class AppState {
  readonly connection: Connection
  readonly engine: EngineState
  readonly log: LogState
  readonly detail: TaskDetail
  readonly settings: SettingsState
  readonly project: ProjectPicker
  readonly notices: Notices
  readonly router: Router
  readonly ticker = new Ticker()
  /**
   * The first-run guide: opened after the first load when there is no project or no API key, and
   * kept open until the user starts watching or skips it (not closed the moment the key is saved).
   */
  onboarding = $state<'unknown' | 'open' | 'done'>('unknown')

  /** No project yet, or no API key. */
  needsSetup = $derived.by(() => {
    const snapshot = this.engine.snapshot
    const view = this.settings.view
    if (!snapshot || !view) return false
    return !snapshot.projectRoot || !view.secrets.anthropicApiKey
  })

  constructor(
    readonly api: FixloopApi,
    bridge: Bridge,
    win: Window,
  ) {
    this.connection = new Connection(bridge)
    this.engine = new EngineState(api)
    this.log = new LogState(api)
    this.detail = new TaskDetail(api)
    this.settings = new SettingsState(api)
    this.project = new ProjectPicker(api, (snapshot) => (this.engine.snapshot = snapshot))
    this.notices = new Notices(api)
    this.router = new Router(win)
    this.connection.onReopen(() => void this.load())
  }

  /** Loads everything the views show; called at start and after each reconnect. */
  async load(): Promise<void> {
    const route = this.router.route
    await Promise.all([
      this.engine.refresh(),
      this.settings.load(),
      this.log.load(),
      route.view === 'task' ? this.detail.open(route.id) : Promise.resolve(),
    ])
    if (this.onboarding === 'unknown' && this.engine.snapshot && this.settings.view) {
      this.onboarding = this.needsSetup ? 'open' : 'done'
    }
  }

  finishOnboarding(): void {
    this.onboarding = 'done'
  }
}
