import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { MemoryControllerPort } from './support/memory-port'
import { expect, test } from './support/fixtures'

/** The README's pictures of each main view: light theme, 1280×800, a fixed clock. */
const OUT = join(process.cwd(), 'docs', 'screenshots')
const NOW = Date.parse('2025-06-03T14:30:00Z')

test.use({ colorScheme: 'light', viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' })

const SHOTS = [
  { name: 'overview', hash: '#/overview', heading: 'Overview' },
  { name: 'queue', hash: '#/queue', heading: 'Queue' },
  { name: 'task', hash: '#/task/task_cart_total', heading: 'src/cart/total.ts' },
  { name: 'log', hash: '#/log', heading: 'Live log' },
  { name: 'statistics', hash: '#/stats', heading: 'Statistics' },
  { name: 'settings', hash: '#/settings', heading: 'Settings' },
]

test('screenshots of each main view', async ({ page, dashboard }) => {
  mkdirSync(OUT, { recursive: true })
  await page.clock.setFixedTime(NOW)
  const port = new MemoryControllerPort({ now: () => NOW })
  port.seedLog(2000)
  const server = await dashboard(port)
  for (const shot of SHOTS) {
    await page.goto(`${server.url}${shot.hash}`)
    await expect(page.getByRole('heading', { name: shot.heading, level: 1 })).toBeVisible()
    // No caret or focus ring in the pictures.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.screenshot({ path: join(OUT, `${shot.name}.png`) })
  }
  const welcome = await dashboard(
    new MemoryControllerPort({ now: () => NOW, projectRoot: null, apiKeySet: false }),
  )
  await page.goto(welcome.url)
  await expect(page.getByRole('heading', { name: 'Welcome to Fixloop' })).toBeVisible()
  await page.screenshot({ path: join(OUT, 'welcome.png') })
})
