/**
 * Playwright fixtures for the web dashboard: `dashboard(port)` starts the server on any
 * ControllerPort (the in-memory one here, the real Controller in the lead's engine tests), opens
 * the page and records console errors (a CSP violation is one); every server is closed after the
 * test, and the test fails if the page logged an error.
 */
import AxeBuilder from '@axe-core/playwright'
import { expect, test as base } from '@playwright/test'
import type { Page } from '@playwright/test'
import type { ControllerPort } from '../../../../src/main/core/bridge/controller-port'
import type {
  DashboardServer,
  DashboardServerOptions,
} from '../../../../src/main/cli/dashboard/server'
import { startTestDashboard } from './dashboard'

export interface DashboardFixture {
  /** Starts a dashboard on `port` and opens it at `hash` (e.g. '#/queue'). */
  (
    port: ControllerPort,
    options?: { hash?: string } & Partial<Omit<DashboardServerOptions, 'port'>>,
  ): Promise<DashboardServer>
}

export const test = base.extend<{ dashboard: DashboardFixture; consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`)
    })
    await use(errors)
  },
  dashboard: async ({ page, consoleErrors }, use) => {
    const started: DashboardServer[] = []
    await use(async (port, options = {}) => {
      const { hash = '', ...serverOptions } = options
      const server = await startTestDashboard(port, serverOptions)
      started.push(server)
      await page.goto(`${server.url}${hash}`)
      return server
    })
    await Promise.all(started.map((s) => s.close()))
    // Lost connections are expected when a test stops its server on purpose.
    expect(consoleErrors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(e))).toEqual([])
  },
})

export { expect }

/** Serious and critical axe violations on the page as it is now, summarised for a readable diff. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa'])
    .analyze()
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

/** True when nothing on the page is wider than the viewport. */
export async function fitsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1,
  )
}
