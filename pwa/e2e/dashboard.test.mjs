// The dashboard (数据看板, issue 12 part 3) in real headless Chromium against a real `minxin serve`
// on a fresh demo database (two townships, 青山镇 and 绿水乡), at 360 × 640: the inspector opens
// it from the home page and sees both townships in the chart and the list with the figures the
// server's district view gives; changes the period with the calendar (axe on it, the last day
// chosen with the keyboard); taps a township (its name in the chart, then its card) and sees its
// table; then, offline, reloads and still reads the last figures with the time they were
// fetched, and a township's table from them; back online, the page fetches again by itself.
// A township's lead sees only their own township, in the cards even when ECharts cannot load.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, screenshot, startServer } from './harness.mjs'

let server
let browser
let page
let inspectorToken

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
const yearStart = `${today.slice(0, 4)}-01-01`
const monthStart = `${today.slice(0, 7)}-01`

async function district(from, to, token = inspectorToken) {
  const res = await fetch(`${server.url}/api/v1/scorecards?${new URLSearchParams({ from, to })}`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(res.status, 200, await res.clone().text())
  return res.json()
}

/** The dashboard's percentage: rounded, but 100 only for all and 0 only for none (figures.ts). */
function pct(num, den) {
  if (den <= 0) return null
  if (num === 0) return 0
  if (num >= den) return Math.round((num / den) * 100)
  return Math.min(99, Math.max(1, Math.round((num / den) * 100)))
}

/** What a township's card says of its nights and petitions, as zh-CN text. */
function expectedTexts(summary) {
  const share = (num, den) => (pct(num, den) === null ? '无数据' : `${pct(num, den)}%（${num}/${den}）`)
  const onTimeDen = summary.triggers_on_time + summary.triggers_late + summary.triggers_overdue
  return [
    share(summary.weeks_met, summary.weeks),
    share(summary.members - summary.stationing_behind, summary.members),
    share(summary.triggers_on_time, onTimeDen),
    share(summary.petitions_replied_on_time, summary.petitions_assigned),
    `${summary.audits_violations} 条`,
  ]
}

async function expectCardsMatch(answer) {
  assert.equal(answer.townships.length, 2, 'the demo has two townships')
  for (const tw of answer.townships) {
    const card = page.getByTestId('township').filter({ hasText: tw.name })
    await card.waitFor()
    const text = await card.innerText()
    for (const want of expectedTexts(tw.summary)) assert.ok(text.includes(want), `${tw.name}: "${want}" in:\n${text}`)
  }
}

async function expectNoAxeViolations(where) {
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `axe on ${where}:\n${violations.join('\n')}`)
}

before(async () => {
  server = await startServer()
  inspectorToken = await apiLogin(server.url, 'inspector')
  browser = await openBrowser()
  page = await browser.context.newPage()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

describe('dashboard', () => {
  test('the inspector reads the district by township, changes the period, opens a township, and reads it all offline', { timeout: 180_000 }, async () => {
    await page.goto(`${server.url}/login`)
    await page.getByLabel('用户名').fill('inspector')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${server.url}/home`)
    await page.getByText('全区数据看板', { exact: true }).click()
    await page.waitForURL(`${server.url}/dashboard`)

    // This year so far, both townships, with the server's figures.
    const yearAnswer = await district(yearStart, today)
    await page.getByTestId('period').getByText(`${yearStart} 至 ${today}`).waitFor()
    await page.getByTestId('fetched-at').getByText(/^数据获取于 /).waitFor()
    await expectCardsMatch(yearAnswer)
    const chart = page.getByTestId('chart')
    for (const name of ['青山镇', '绿水乡']) await chart.locator('svg text', { hasText: name }).first().waitFor()
    assert.match((await chart.getAttribute('aria-label')) ?? '', /^各镇乡住夜周达标率：(青山镇|绿水乡)：\d+%；(青山镇|绿水乡)：\d+%$/)
    await expectNoAxeViolations('/dashboard')
    await screenshot(page, 'dashboard-01-year')

    // Another figure in the chart.
    await page.getByRole('radio', { name: '信访按期答复率' }).check()
    await page.getByRole('heading', { name: '各镇乡信访按期答复率' }).waitFor()
    assert.match((await chart.getAttribute('aria-label')) ?? '', /^各镇乡信访按期答复率：/)

    // The period from the calendar: from the first of this month to today.
    await page.getByRole('button', { name: /统计期间/ }).click()
    const calendar = page.getByRole('dialog', { name: '选择统计期间' })
    await calendar.waitFor()
    const [y, m, d] = today.split('-').map(Number)
    // Months render their days when scrolled to; then the month is a grid named by its title.
    await calendar.locator('.van-calendar__month-title', { hasText: new RegExp(`^${y}年${m}月$`) }).scrollIntoViewIfNeeded()
    const month = calendar.getByRole('grid', { name: `${y}年${m}月`, exact: true })
    await month.getByRole('gridcell', { name: '1', exact: true }).waitFor()
    await expectNoAxeViolations('the period calendar')
    await screenshot(page, 'dashboard-02-calendar')
    await month.getByRole('gridcell', { name: '1', exact: true }).click()
    // The last day with the keyboard; the chosen ends are named with 开始 and 结束.
    await month.getByRole('gridcell', { name: d === 1 ? /^1\s*开始$/ : String(d), exact: true }).focus()
    await page.keyboard.press('Enter')
    const end = month.getByRole('gridcell', { name: d === 1 ? /^1\s*开始\/结束$/ : new RegExp(`^${d}\\s*结束$`) })
    assert.equal(await end.getAttribute('aria-selected'), 'true')
    // The confirm button fades in from its disabled look once both ends are chosen.
    const confirm = calendar.getByRole('button', { name: '确认' })
    await page.waitForFunction((el) => getComputedStyle(el).opacity === '1', await confirm.elementHandle())
    await expectNoAxeViolations('the calendar with a period chosen')
    const fetched = page.waitForResponse((res) => res.url().includes(`/api/v1/scorecards?from=${monthStart}&to=${today}`))
    await confirm.click()
    await calendar.waitFor({ state: 'hidden' })
    await page.waitForURL(`${server.url}/dashboard?from=${monthStart}&to=${today}`)
    assert.equal((await fetched).status(), 200)
    await page.getByTestId('period').getByText(`${monthStart} 至 ${today}`).waitFor()
    const monthAnswer = await district(monthStart, today)
    await expectCardsMatch(monthAnswer)
    await expectNoAxeViolations('/dashboard after choosing a period')
    await screenshot(page, 'dashboard-03-month')

    // A tap on a township's name in the chart opens its table.
    const lvshui = monthAnswer.townships.find((tw) => tw.name === '绿水乡')
    await chart.locator('svg text', { hasText: '绿水乡' }).first().click()
    await page.waitForURL(`${server.url}/dashboard/townships/${lvshui.township_id}?from=${monthStart}&to=${today}`)
    const table = page.getByTestId('township-table')
    for (const row of lvshui.rows) await table.getByRole('rowheader', { name: row.display_name }).waitFor()
    assert.equal(await table.locator('tbody tr').count(), lvshui.rows.length)
    await page.getByRole('heading', { name: '绿水乡' }).waitFor()
    await expectNoAxeViolations('/dashboard/townships/:id')
    await screenshot(page, 'dashboard-04-township')

    // Back, and a tap on the other township's card.
    await page.getByRole('button', { name: '返回' }).click()
    await page.waitForURL(`${server.url}/dashboard?from=${monthStart}&to=${today}`)
    const qingshan = monthAnswer.townships.find((tw) => tw.name === '青山镇')
    await page.getByTestId('township').filter({ hasText: '青山镇' }).click()
    await page.waitForURL(`${server.url}/dashboard/townships/${qingshan.township_id}?from=${monthStart}&to=${today}`)
    for (const row of qingshan.rows) await table.getByRole('rowheader', { name: row.display_name }).waitFor()
    const onlineRow = await table.locator('tbody tr').first().innerText()

    // Offline: the dashboard reloads from the service worker and shows the figures saved for
    // the period, with the time they were fetched.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await page.goto(`${server.url}/dashboard?from=${monthStart}&to=${today}`)
    await page.getByTestId('fetched-at').waitFor()
    const fetchedAt = await page.getByTestId('fetched-at').innerText()
    await browser.context.setOffline(true)
    try {
      const reachable = await page.evaluate(() =>
        fetch('/readyz', { cache: 'no-store' }).then(
          () => true,
          () => false,
        ),
      )
      assert.equal(reachable, false, 'the browser is offline')
      await page.reload()
      const notice = page.getByTestId('offline')
      await notice.getByText('当前没有网络，显示的是上次获取的数据').waitFor()
      assert.ok((await notice.innerText()).includes(fetchedAt), `the notice says when: ${fetchedAt}`)
      assert.equal(await page.getByTestId('fetched-at').innerText(), fetchedAt)
      await page.getByTestId('period').getByText(`${monthStart} 至 ${today}`).waitFor()
      await expectCardsMatch(monthAnswer)
      const chartShown = await chart.locator('svg').count()
      console.log(`offline: the chart ${chartShown ? 'loaded from the HTTP cache' : 'did not load; the list shows the figures'}`)
      await expectNoAxeViolations('/dashboard offline')
      await screenshot(page, 'dashboard-05-offline')

      // A township's table offline, from the saved district view.
      await page.getByTestId('township').filter({ hasText: '青山镇' }).click()
      await page.waitForURL(`${server.url}/dashboard/townships/${qingshan.township_id}?from=${monthStart}&to=${today}`)
      await page.getByTestId('offline').getByText('当前没有网络').waitFor()
      await page.getByTestId('fetched-at').getByText(fetchedAt).waitFor()
      assert.equal(await table.locator('tbody tr').first().innerText(), onlineRow)
      await expectNoAxeViolations('/dashboard/townships/:id offline')
      await screenshot(page, 'dashboard-06-township-offline')

      // The year, fetched first, is saved too.
      await page.goto(`${server.url}/dashboard`)
      await page.getByTestId('offline').waitFor()
      await page.getByTestId('period').getByText(`${yearStart} 至 ${today}`).waitFor()
      await expectCardsMatch(yearAnswer)
    } finally {
      await browser.context.setOffline(false)
    }
    // Back online, the page fetches again by itself.
    await page.getByTestId('offline').waitFor({ state: 'detached' })
    assert.notEqual(await page.getByTestId('fetched-at').innerText(), '')
  })

  test('a township’s lead sees only their own township, its figures readable when ECharts cannot load', { timeout: 60_000 }, async () => {
    await page.goto(`${server.url}/home`)
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL(`${server.url}/`)
    await page.goto(`${server.url}/login`)
    await page.getByLabel('用户名').fill('qs-official1')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${server.url}/home`)
    // ECharts cannot be had (offline with an empty HTTP cache): the cards still show the figures.
    await browser.context.route(/\/assets\/echarts-[^/]+\.js$/, (route) => route.abort('internetdisconnected'))
    await page.getByText('本镇数据看板', { exact: true }).click()
    await page.waitForURL(`${server.url}/dashboard`)
    await page.getByTestId('township').filter({ hasText: '青山镇' }).waitFor()
    await page.getByText('图表需要联网才能加载；下面是各镇乡的数字。').waitFor()
    assert.equal(await page.getByTestId('chart').isVisible(), false)
    await browser.context.unrouteAll()
    const lead = await district(yearStart, today, await apiLogin(server.url, 'qs-official1'))
    assert.deepEqual(lead.townships.map((tw) => tw.name), ['青山镇'])
    const card = await page.getByTestId('township').innerText()
    for (const want of expectedTexts(lead.townships[0].summary)) assert.ok(card.includes(want), `"${want}" in:\n${card}`)
    assert.equal(await page.getByTestId('township').count(), 1)
    assert.equal(await page.getByText('绿水乡').count(), 0)
    // One township: no district total.
    assert.equal(await page.getByRole('heading', { name: '全区合计' }).count(), 0)
    await screenshot(page, 'dashboard-07-lead')
  })

  test('no page threw an uncaught error', () => {
    assert.deepEqual(browser.errors, [])
  })
})
