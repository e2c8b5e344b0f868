// The admin's organisation pages in real headless Chromium against a real `minxin serve` on a
// fresh demo database, at 360 × 640: the demo admin creates a village in a township and sees it
// listed; a setting value the server refuses shows its message next to the field; the people,
// contact-village, leave and calendar pages open at 360 px without serious axe findings.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, screenshot, startServer } from './harness.mjs'

let server
let browser
let page

async function expectNoAxeViolations(where) {
  // A toast ("已保存") is a dialog while it shows: check the page once it has gone.
  await page.locator('.van-toast').waitFor({ state: 'hidden' })
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `axe on ${where}:\n${violations.join('\n')}`)
}

before(async () => {
  server = await startServer()
  browser = await openBrowser()
  page = await browser.context.newPage()
  await page.goto(`${server.url}/login`)
  await page.getByLabel('用户名').fill('admin')
  await page.getByLabel('密码').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${server.url}/home`)
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

describe('admin: organisation', () => {
  test('creates a village in a township and sees it listed', { timeout: 90_000 }, async () => {
    await page.getByText('组织架构', { exact: true }).click()
    await page.waitForURL(`${server.url}/office/org`)
    await page.getByText('青山镇', { exact: true }).waitFor()
    await expectNoAxeViolations('/office/org')
    await screenshot(page, 'office-01-townships')

    await page.getByText('青山镇', { exact: true }).click()
    await page.waitForURL(/\/office\/org\/townships\//)
    const townshipUrl = page.url()
    await page.getByRole('button', { name: '新增村（社区）' }).click()
    // The page's own check first: nothing typed yet.
    await page.getByRole('button', { name: '保存' }).click()
    await page.locator('#new-village-name-error').getByText('必填').waitFor()
    await page.getByLabel('名称').fill('e2e 新建村')
    await page.getByLabel('纬度').fill('30.281')
    await page.getByLabel('经度').fill('120.162')
    await page.getByLabel('范围半径（米）').fill('1200')
    await expectNoAxeViolations('the new village form')
    await screenshot(page, 'office-02-new-village')
    await page.getByRole('button', { name: '保存' }).click()

    await page.waitForURL(/\/office\/org\/villages\//)
    await page.getByText('e2e 新建村', { exact: true }).waitFor()
    await page.getByText('1200', { exact: true }).waitFor()
    await expectNoAxeViolations('/office/org/villages/:id')

    await page.goto(townshipUrl)
    // A Vant cell that navigates is a button.
    const listed = page.getByRole('button', { name: /e2e 新建村/ })
    await listed.waitFor()
    assert.match(await listed.innerText(), /半径 1200 米/)
    await screenshot(page, 'office-03-villages')
  })

  test('a new setting value refused by the server shows its message next to the field, then one is scheduled', { timeout: 60_000 }, async () => {
    await page.goto(`${server.url}/office/settings`)
    const row = page.getByRole('listitem').filter({ hasText: 'links.min_households' })
    await row.getByText('10', { exact: true }).waitFor()
    await expectNoAxeViolations('/office/settings')
    await page.getByLabel('项目').selectOption('links.min_households')
    // A whole number passes the page's check; the server allows at most 1000.
    await page.getByLabel('新数值').fill('5000')
    await page.getByRole('button', { name: '保存' }).click()
    const refusal = page.locator('#setting-value-error')
    await refusal.waitFor()
    assert.notEqual((await refusal.innerText()).trim(), '')
    await screenshot(page, 'office-04-settings-refused')

    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
    await page.getByLabel('新数值').fill('12')
    await page.getByLabel('从哪天起执行').fill(tomorrow)
    await page.getByRole('button', { name: '保存' }).click()
    await row.getByText(`已安排：${tomorrow} 起为 12`).waitFor()
    assert.equal(await refusal.count(), 0)
    await screenshot(page, 'office-05-settings')
  })

  test('people, contact villages, leave and holidays open at 360 px without serious axe findings', { timeout: 90_000 }, async () => {
    for (const [path, text] of [
      ['/office/people', 'qs-official1'],
      ['/office/contact-links', '联系村'],
      ['/office/leaves', '登记请假'],
      ['/office/calendar', '默认周六、周日休息'],
    ]) {
      await page.goto(`${server.url}${path}`)
      await page.getByText(text).first().waitFor()
      await expectNoAxeViolations(path)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      assert.ok(overflow <= 0, `${path} is wider than the phone by ${overflow} px`)
      await screenshot(page, `office-06${path.replaceAll('/', '-')}`)
    }
  })

  test('a petition officer reads the organisation and prints a household’s QR code', { timeout: 90_000 }, async () => {
    const officer = await openBrowser()
    try {
      const p = await officer.context.newPage()
      await p.goto(`${server.url}/login`)
      await p.getByLabel('用户名').fill('qs-xinfang')
      await p.getByLabel('密码').fill(DEMO_PASSWORD)
      await p.getByRole('button', { name: '登录' }).click()
      await p.waitForURL(`${server.url}/home`)
      await p.getByText('组织架构', { exact: true }).click()
      await p.getByText('青山镇', { exact: true }).click()
      await p.waitForURL(/\/office\/org\/townships\//)
      assert.equal(await p.getByRole('button', { name: '新增村（社区）' }).count(), 0)
      await p.getByRole('button', { name: /青山村/ }).click()
      await p.waitForURL(/\/office\/org\/villages\//)
      await p.locator('.hh__head').first().click()
      assert.equal(await p.getByRole('button', { name: '修改' }).count(), 0)
      const [popup] = await Promise.all([p.waitForEvent('popup'), p.getByRole('button', { name: '打印户码' }).click()])
      const img = popup.locator('img')
      await img.waitFor()
      await popup.waitForFunction(() => document.querySelector('img')?.naturalWidth === 512)
      assert.deepEqual(officer.errors, [])
    } finally {
      await officer.close()
    }
  })

  test('a leave record is deleted only once confirmed, and the toast says so', { timeout: 90_000 }, async () => {
    const token = await apiLogin(server.url, 'admin')
    const leavesOf = async (townshipId) => {
      const res = await fetch(`${server.url}/api/v1/leaves?township_id=${townshipId}&limit=100`, { headers: { Authorization: `Bearer ${token}` } })
      assert.equal(res.status, 200)
      return (await res.json()).items
    }
    await page.goto(`${server.url}/office/leaves`)
    await page.getByText('登记请假').first().waitFor()
    const townshipId = await page.getByLabel('所属镇乡').inputValue()
    await page.locator('#leave-user').selectOption({ index: 1 })
    await page.getByLabel('事由').fill('e2e 出差培训')
    await page.getByRole('button', { name: '登记请假' }).click()
    await page.getByText(/e2e 出差培训/).waitFor()
    const [added] = (await leavesOf(townshipId)).filter((l) => l.reason === 'e2e 出差培训')
    assert.ok(added, 'the leave is stored')

    const del = page.getByRole('button', { name: new RegExp(`^删除 .* ${added.start_date}$`) }).first()
    await del.click()
    await page.getByText('删除这条请假记录？').waitFor()
    await page.getByRole('button', { name: '取消' }).click()
    await page.getByText('删除这条请假记录？').waitFor({ state: 'hidden' })
    assert.ok((await leavesOf(townshipId)).some((l) => l.id === added.id), 'cancelled: still stored')

    await del.click()
    await page.locator('.van-dialog').getByRole('button', { name: '删除' }).click()
    await page.locator('.van-toast').getByText('已删除').waitFor()
    await page.getByText(/e2e 出差培训/).waitFor({ state: 'detached' })
    assert.equal((await leavesOf(townshipId)).some((l) => l.id === added.id), false, 'confirmed: gone')
  })

  test('no page threw an uncaught error', () => {
    assert.deepEqual(browser.errors, [])
  })
})
