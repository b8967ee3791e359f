import { describe, expect, it } from 'vitest'
import type { WindowLike } from '../../src/main/app/window-logic'
import {
  DashboardSlot,
  boundsVisible,
  dashboardUrl,
  routeHash,
} from '../../src/main/app/window-logic'

/** A window as the slot sees it, recording what was done to it. */
class TestWindow implements WindowLike {
  destroyed = false
  minimized = false
  calls: string[] = []
  urls: string[] = []
  constructor(
    url: string,
    readonly onClosed: () => void,
  ) {
    this.urls.push(url)
  }
  isDestroyed = () => this.destroyed
  isMinimized = () => this.minimized
  restore = () => void this.calls.push('restore')
  show = () => void this.calls.push('show')
  focus = () => void this.calls.push('focus')
  loadURL = async (url: string) => void this.urls.push(url)
  close() {
    this.destroyed = true
    this.onClosed()
  }
}

const BASE = 'app://fixloop/index.html'

function slot() {
  const created: TestWindow[] = []
  const s = new DashboardSlot<TestWindow>({
    baseUrl: BASE,
    create: (url, onClosed) => {
      const w = new TestWindow(url, onClosed)
      created.push(w)
      return w
    },
  })
  return { s, created }
}

describe('routes', () => {
  it('use the renderer hash routes', () => {
    expect(routeHash({ view: 'task', id: 'task_a/b' })).toBe('#/task/task_a%2Fb')
    expect(routeHash({ view: 'settings' })).toBe('#/settings')
    expect(dashboardUrl(`${BASE}#/queue`, { view: 'task', id: 'task_1' })).toBe(
      `${BASE}#/task/task_1`,
    )
    expect(dashboardUrl(`${BASE}#/queue`)).toBe(BASE)
  })
})

describe('DashboardSlot', () => {
  it('has no window until asked for one', () => {
    const { s, created } = slot()
    expect(s.current()).toBeNull()
    expect(created).toHaveLength(0)
  })

  it('creates one window and brings it forward on the next open', () => {
    const { s, created } = slot()
    const w = s.open()
    expect(w.urls).toEqual([BASE])
    w.minimized = true
    expect(s.open()).toBe(w)
    expect(created).toHaveLength(1)
    expect(w.calls).toEqual(['restore', 'show', 'focus'])
  })

  it('opens on a task, and moves an open window to a task without a new window', () => {
    const { s, created } = slot()
    expect(s.open({ view: 'task', id: 'task_1' }).urls).toEqual([`${BASE}#/task/task_1`])
    s.open({ view: 'task', id: 'task_2' })
    expect(created).toHaveLength(1)
    expect(created[0]?.urls.at(-1)).toBe(`${BASE}#/task/task_2`)
  })

  it('forgets a closed window and makes a new one next time', () => {
    const { s, created } = slot()
    s.open().close()
    expect(s.current()).toBeNull()
    s.open()
    expect(created).toHaveLength(2)
    // A window destroyed without its close event is not handed out either.
    created[1]!.destroyed = true
    expect(s.current()).toBeNull()
  })
})

describe('boundsVisible', () => {
  const screen = { x: 0, y: 0, width: 1920, height: 1080 }
  it('accepts bounds on a screen and refuses bounds off every screen', () => {
    expect(boundsVisible({ x: 100, y: 100, width: 900, height: 700 }, [screen])).toBe(true)
    expect(boundsVisible({ x: 1850, y: 100, width: 900, height: 700 }, [screen])).toBe(false)
    expect(boundsVisible({ x: 2000, y: 100, width: 900, height: 700 }, [screen])).toBe(false)
    expect(
      boundsVisible({ x: 2000, y: 100, width: 900, height: 700 }, [screen, { ...screen, x: 1920 }]),
    ).toBe(true)
    expect(boundsVisible({ x: 100, y: -40, width: 900, height: 700 }, [screen])).toBe(false)
  })
})
