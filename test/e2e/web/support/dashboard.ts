/**
 * Starts the web dashboard on any ControllerPort, for browser tests. The in-memory port tests the
 * UI and the bridge; the lead's e2e tests pass the real engine's Controller instead.
 *
 *   const dashboard = await startTestDashboard(controller)
 *   await page.goto(dashboard.url)
 *   …
 *   await dashboard.close()
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { ControllerPort } from '../../../../src/main/core/bridge/controller-port'
import { startDashboardServer } from '../../../../src/main/cli/dashboard/server'
import type {
  DashboardServer,
  DashboardServerOptions,
} from '../../../../src/main/cli/dashboard/server'

/** The built renderer these tests serve: `out/renderer` (built by `npx electron-vite build`). */
export const RENDERER_DIR = join(process.cwd(), 'out', 'renderer')

export async function startTestDashboard(
  port: ControllerPort,
  options: Partial<Omit<DashboardServerOptions, 'port'>> = {},
): Promise<DashboardServer> {
  const rendererDir = options.rendererDir ?? RENDERER_DIR
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`No built renderer in ${rendererDir}: run \`npx electron-vite build\` first.`)
  }
  return startDashboardServer({ ...options, port, rendererDir })
}
