import { MemoryControllerPort } from './support/memory-port'
import { expect, fitsHorizontally, seriousViolations, test } from './support/fixtures'

const VIEWS = [
  { hash: '#/overview', heading: 'Overview' },
  { hash: '#/queue', heading: 'Queue' },
  { hash: '#/task/task_cart_total', heading: 'src/cart/total.ts' },
  { hash: '#/task/task_discount', heading: 'src/pricing/discount.ts' },
  { hash: '#/log', heading: 'Live log' },
  { hash: '#/stats', heading: 'Statistics' },
  { hash: '#/settings', heading: 'Settings' },
]

function portWithLog(): MemoryControllerPort {
  const port = new MemoryControllerPort()
  port.seedLog(400)
  return port
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`accessibility (${scheme} theme)`, () => {
    test.use({ colorScheme: scheme })

    test('no serious or critical axe violation on any view', async ({ page, dashboard }) => {
      const server = await dashboard(portWithLog())
      for (const view of VIEWS) {
        await page.goto(`${server.url}${view.hash}`)
        await expect(page.getByRole('heading', { name: view.heading, level: 1 })).toBeVisible()
        // Open the disclosures so their contents are checked too.
        for (const summary of await page.locator('summary').all()) await summary.click()
        expect(await seriousViolations(page), view.hash).toEqual([])
      }
    })
  })
}

test('the first-run guide has no serious or critical axe violation', async ({
  page,
  dashboard,
}) => {
  await dashboard(new MemoryControllerPort({ projectRoot: null, apiKeySet: false }))
  await expect(page.getByRole('heading', { name: 'Welcome to Fixloop' })).toBeVisible()
  expect(await seriousViolations(page)).toEqual([])
})

for (const size of [
  { width: 800, height: 600 },
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
]) {
  test(`no view overflows sideways at ${size.width}×${size.height}`, async ({
    page,
    dashboard,
  }) => {
    await page.setViewportSize(size)
    const server = await dashboard(portWithLog())
    for (const view of VIEWS) {
      await page.goto(`${server.url}${view.hash}`)
      await expect(page.getByRole('heading', { name: view.heading, level: 1 })).toBeVisible()
      expect(await fitsHorizontally(page), `${view.hash} at ${size.width}px`).toBe(true)
    }
    // The navigation stays on screen and usable.
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeInViewport()
  })
}
