import { MemoryControllerPort } from './support/memory-port'
import { expect, test } from './support/fixtures'

test.describe('the dashboard views over the web bridge', () => {
  test('Overview shows status, project, heartbeat and health with reasons', async ({
    page,
    dashboard,
  }) => {
    await dashboard(new MemoryControllerPort())
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible()
    await expect(page.getByTestId('engine-status')).toHaveText('running')
    await expect(page.getByTestId('project-root')).toHaveText('/home/dev/shop-api')
    await expect(page.getByText(/\d+ s ago/).first()).toBeVisible()
    await expect(page.getByText('DEGRADED')).toBeVisible()
    await expect(page.getByText('src/pricing/discount.ts is open after 3 failures')).toBeVisible()
  })

  test('Pause and Resume drive the engine and the page follows its snapshot', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    await dashboard(port)
    await page.getByRole('button', { name: 'Pause' }).click()
    await expect(page.getByTestId('engine-status')).toHaveText('paused')
    expect(port.status).toBe('paused')
    await expect(page.getByText('Paused by you.')).toBeVisible()
    await page.getByRole('button', { name: 'Resume' }).click()
    await expect(page.getByTestId('engine-status')).toHaveText('running')
    // A change the engine pushes (here: stopped elsewhere) shows without a reload.
    port.status = 'stopped'
    port.emit('snapshot', port.snapshot())
    await expect(page.getByRole('button', { name: 'Start' })).toBeVisible()
  })

  test('Queue shows four lanes with their counts and task cards', async ({ page, dashboard }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/queue' })
    const snap = port.snapshot()
    for (const lane of ['pending', 'in_progress', 'completed', 'failed'] as const) {
      const section = page.getByTestId(`lane-${lane}`)
      await expect(section.getByTestId('lane-count')).toHaveText(String(snap.queues[lane].length))
      await expect(section.getByRole('link')).toHaveCount(snap.queues[lane].length)
    }
    const card = page.getByRole('link', { name: /src\/cart\/total\.ts/ })
    await expect(card).toContainText('Fixed')
    await expect(card).toContainText('2 attempts')
    await expect(page.getByTestId('lane-pending').getByText('batch')).toBeVisible()
  })

  test('Task detail shows the timeline, plan, coloured diff, test reasons and cost', async ({
    page,
    dashboard,
  }) => {
    await dashboard(new MemoryControllerPort(), { hash: '#/task/task_cart_total' })
    await expect(page.getByRole('heading', { name: 'src/cart/total.ts', level: 1 })).toBeVisible()
    const timeline = page.getByRole('region', { name: 'Timeline' })
    for (const step of [
      'Detected',
      'Checks on the change',
      'Plan',
      'Attempt 1',
      'Attempt 2',
      'Finished',
    ]) {
      await expect(timeline.getByRole('heading', { name: new RegExp(step) })).toBeVisible()
    }
    await timeline.getByText('Output of related').first().click()
    await expect(
      timeline.getByText('AssertionError: expected 0.30000000000000004').first(),
    ).toBeVisible()
    await expect(
      page.getByText('Prices are summed as floating-point dollars').first(),
    ).toBeVisible()
    const diff = page.getByRole('region', { name: /^Diff of / }).first()
    await expect(diff.locator('tr.add')).toHaveCount(3)
    await expect(diff.locator('tr.del')).toHaveCount(2)
    const added = await diff
      .locator('tr.add')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor)
    const context = await diff
      .locator('tr.ctx')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor)
    expect(added).not.toBe(context)
    await expect(
      page.getByText('imports the changed file (dependency graph)').first(),
    ).toBeVisible()
    await expect(page.getByText('its name matches the changed file')).toBeVisible()
    const usage = page.getByRole('region', { name: 'Tokens and cost' })
    await expect(usage.getByRole('row', { name: /Input tokens/ })).toContainText('28,000')
    await expect(usage.getByRole('row', { name: /Cost/ })).toContainText('$0.078')
  })

  test('each task action is enabled only when legal, and acting updates the task', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    const enabled = async () => {
      const names = ['Retry', 'Cancel', 'Undo fix', 'Approve', 'Reject']
      const out: string[] = []
      for (const name of names) {
        if (await page.getByRole('button', { name, exact: true }).isEnabled()) out.push(name)
      }
      return out
    }
    await dashboard(port, { hash: '#/task/task_cart_total' })
    await expect(page.getByTestId('task-state')).toHaveText('Fixed')
    expect(await enabled()).toEqual(['Undo fix'])
    await page.getByRole('button', { name: 'Undo fix' }).click()
    await expect(page.getByTestId('task-state')).toHaveText('Undone')
    expect(await enabled()).toEqual([])

    await page.goto(page.url().replace(/#.*$/, '#/task/task_cart_test'))
    await expect(page.getByTestId('task-state')).toHaveText('Needs review')
    await expect(page.getByText('weakens an assertion (toBe → toBeCloseTo)')).toBeVisible()
    expect(await enabled()).toEqual(['Approve', 'Reject'])
    await page.getByRole('button', { name: 'Approve' }).click()
    await expect(page.getByTestId('task-state')).toHaveText('Fixed')

    await page.goto(page.url().replace(/#.*$/, '#/task/task_discount'))
    await expect(page.getByTestId('task-state')).toHaveText('Failed')
    expect(await enabled()).toEqual(['Retry'])
    await expect(page.getByText('issue #12 opened')).toBeVisible()
    await expect(page.getByText('HTTP 500 after 3 tries')).toBeVisible()
    const reset = page.getByRole('button', { name: 'Reset breaker: src/pricing/discount.ts' })
    await reset.click()
    await expect(reset).toHaveCount(0)
    expect(port.breakers[0]?.state).toBe('closed')
    await page.getByRole('button', { name: 'Retry' }).click()
    await expect(page.getByTestId('task-state')).toHaveText('Pending')
    expect(await enabled()).toEqual(['Cancel'])
  })

  test('a refused action shows the engine’s reason', async ({ page, dashboard }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/task/task_routes' })
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeEnabled()
    // The task starts elsewhere before the click arrives: the engine refuses with a conflict.
    port.tasks = port.tasks.map((t) =>
      t.id === 'task_routes' ? { ...t, status: 'in_progress' } : t,
    )
    await page.getByRole('button', { name: 'Cancel' }).click()
    await expect(page.getByRole('alert')).toHaveText('Only a pending task can be cancelled.')
  })

  test('Statistics shows counters, success rate, spend against budget and two charts', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    await dashboard(port, { hash: '#/stats' })
    const stats = port.snapshot().stats
    await expect(page.getByTestId('success-rate')).toHaveText(
      `${Math.round((stats.successRate ?? 0) * 100)} %`,
    )
    await expect(
      page.getByRole('meter', { name: 'Spend today against the daily budget' }),
    ).toBeVisible()
    await expect(page.getByText('of $10.00 a day')).toBeVisible()
    await expect(page.getByRole('img', { name: /Tasks finished per hour/ })).toBeVisible()
    await expect(page.getByRole('img', { name: /Time from detection to fix/ })).toBeVisible()
    expect(await page.locator('svg rect').count()).toBeGreaterThan(24)
  })

  test('views are reachable by keyboard alone, with focus moved to each view’s heading', async ({
    page,
    dashboard,
  }) => {
    await dashboard(new MemoryControllerPort())
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
    await page.keyboard.press('Tab')
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused()
    await page.keyboard.press('Tab')
    await expect(page.getByRole('link', { name: 'Overview' })).toBeFocused()
    await page.keyboard.press('Tab')
    await expect(page.getByRole('link', { name: /^Queue/ })).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.getByRole('heading', { name: 'Queue', level: 1 })).toBeFocused()
    await page.keyboard.press('Tab')
    await expect(page.getByRole('link', { name: /src\/api\/routes\.ts/ })).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.getByRole('heading', { name: 'src/api/routes.ts', level: 1 })).toBeVisible()
    // The focus ring is visible: an outline is drawn on the focused control.
    await page.keyboard.press('Shift+Tab')
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    )
    expect(outline).not.toBe('none')
    // Back in history by keyboard works too: the route lives in the URL.
    await page.goBack()
    await expect(page.getByRole('heading', { name: 'Queue', level: 1 })).toBeVisible()
  })

  test('the page says clearly when the connection drops, and recovers when it is back', async ({
    page,
    dashboard,
  }) => {
    const port = new MemoryControllerPort()
    const server = await dashboard(port)
    await expect(page.getByTestId('engine-status')).toHaveText('running')
    await server.close()
    await expect(page.getByTestId('connection-banner')).toContainText('Disconnected from Fixloop')
    // What happened meanwhile is fetched again on reconnect.
    port.status = 'paused'
    const again = await dashboard(port, {
      listenPort: server.listenPort,
      token: server.token,
      hash: '#/',
    })
    expect(again.url).toBe(server.url)
    await expect(page.getByTestId('connection-banner')).toHaveCount(0)
    await expect(page.getByTestId('engine-status')).toHaveText('paused')
  })

  test('engine notices are shown and can be dismissed', async ({ page, dashboard }) => {
    const port = new MemoryControllerPort()
    await dashboard(port)
    await expect(page.getByTestId('engine-status')).toHaveText('running')
    port.emit('notice', {
      level: 'warn',
      title: 'Daily budget reached',
      body: 'Auto-fix is paused until tomorrow.',
      taskId: null,
    })
    await expect(page.getByText('Daily budget reached')).toBeVisible()
    await page.getByRole('button', { name: 'Dismiss: Daily budget reached' }).click()
    await expect(page.getByText('Daily budget reached')).toHaveCount(0)
  })
})
