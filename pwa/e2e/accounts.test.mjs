// Issue 17 in real headless Chromium (zh-CN, 360 × 640) against a real `minxin serve` on a
// fresh demo database. Each step is done through the UI, then checked through the API:
// an admin resets an official's password and the official must change it at the next login;
// a petition officer changes their own password; the petition office re-issues a petitioner's
// PIN at the counter; an inspector resolves a finding, reads a round's verification, cancels the
// round, and reads the activity log with its chain's check. axe finds no serious violation on
// any of the new screens. Each role's home is saved under docs/img/ for docs/roles.md.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, REPO, screenshot, startServer } from './harness.mjs'

let server
let browser

const DOCS_IMG = join(REPO, 'docs/img')

async function api(method, path, token, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

async function ok(method, path, token, body) {
  const r = await api(method, path, token, body)
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

const login = (username, password) => api('POST', '/api/v1/auth/login', null, { username, password })

/** Waits for a Vant dialog to have faded out (it covers the page while it goes). */
async function dialogGone(page) {
  const dialog = page.locator('.van-dialog')
  if (await dialog.count()) await dialog.first().waitFor({ state: 'hidden' })
  const overlay = page.locator('.van-overlay')
  if (await overlay.count()) await overlay.first().waitFor({ state: 'hidden' })
}

/**
 * Saves the whole page as one phone-wide picture: the viewport is made as tall as the page
 * (at most 1,400 px), so that the fixed tab bar stays at the bottom.
 */
async function homePicture(page, file) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight)
  await page.setViewportSize({ width: 360, height: Math.min(1400, Math.max(640, height)) })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: file, scale: 'css' }) // 1 px a CSS pixel: a quarter of the bytes
  await page.setViewportSize({ width: 360, height: 640 })
}

async function expectNoAxeViolations(page, where) {
  const toast = page.locator('.van-toast')
  if (await toast.count()) await toast.first().waitFor({ state: 'hidden' })
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `axe on ${where}:\n${violations.join('\n')}`)
}

/** A new page logged in through the login form (the profile holds one session at a time). */
async function signIn(username, password = DEMO_PASSWORD, landing = '/home') {
  const page = await browser.context.newPage()
  await page.goto(`${server.url}/login`)
  // A test that failed half-way may have left its user signed in: log them out first.
  await page.waitForLoadState('networkidle')
  if (!page.url().endsWith('/login')) {
    await page.getByRole('button', { name: '退出登录' }).click()
    const leave = page.getByRole('button', { name: '仍要退出' })
    if (await leave.isVisible().catch(() => false)) await leave.click()
    await page.waitForURL(`${server.url}/`)
    await page.goto(`${server.url}/login`)
  }
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${server.url}${landing}`)
  return page
}

/** Logs the page out (the session lives in the profile's IndexedDB, shared by its pages). */
async function signOut(page) {
  await page.goto(`${server.url}/home`)
  await page.getByRole('button', { name: '退出登录' }).click()
  const leave = page.getByRole('button', { name: '仍要退出' })
  if (await leave.isVisible().catch(() => false)) await leave.click()
  await page.waitForURL(`${server.url}/`)
  await page.close()
}

before(async () => {
  server = await startServer()
  browser = await openBrowser()
  await mkdir(DOCS_IMG, { recursive: true })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

describe('accounts, the counter and the activity log', () => {
  test('each role’s home, saved for docs/roles.md', { timeout: 180_000 }, async () => {
    const page = await browser.context.newPage()
    await page.goto(`${server.url}/`)
    await page.getByText('我要反映问题').waitFor()
    await homePicture(page, join(DOCS_IMG, 'home-villager.png'))
    await page.close()
    for (const [username, name, wait] of [
      ['admin', 'admin', '组织架构'],
      ['inspector', 'inspector', '开启抽查'],
      ['qs-xinfang', 'petition-officer', '信访件（超期优先）'],
      ['qs-official1', 'lead', '主要领导'],
      ['qs-official2', 'official', '班子成员'],
    ]) {
      const p = await signIn(username)
      await p.getByText(wait, { exact: true }).first().waitFor()
      await p.getByText('账号与记录').waitFor()
      await p.waitForTimeout(500)
      await homePicture(p, join(DOCS_IMG, `home-${name}.png`))
      await expectNoAxeViolations(p, `the home of ${username}`)
      await signOut(p)
    }
  })

  test('an admin resets an official’s password; the official must change it at the next login', { timeout: 180_000 }, async () => {
    const page = await signIn('admin')
    await page.getByText('重置用户密码', { exact: true }).click()
    await page.waitForURL(`${server.url}/office/password-reset`)
    await page.getByLabel('按姓名或用户名查找').fill('qs-official3')
    const row = page.getByRole('listitem').filter({ hasText: 'qs-official3' })
    await row.waitFor()
    await expectNoAxeViolations(page, '/office/password-reset')
    await row.getByRole('button', { name: /重置密码/ }).click()
    await page.getByRole('button', { name: '确认重置' }).click()
    const temporary = (await page.getByTestId('temporary-password').innerText()).trim()
    assert.match(temporary, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    await dialogGone(page)
    await screenshot(page, 'accounts-01-reset')
    await expectNoAxeViolations(page, 'the temporary password')

    // Through the API: the old password is gone; the temporary one logs in and says so.
    assert.equal((await login('qs-official3', DEMO_PASSWORD)).status, 401)
    const pending = await login('qs-official3', temporary)
    assert.equal(pending.status, 200)
    assert.equal(pending.body.must_change_password, true)
    const refused = await api('GET', '/api/v1/townships', pending.body.access_token)
    assert.equal(refused.status, 403)
    assert.equal(refused.body.code, 'password_change_required')
    await page.getByRole('button', { name: '我已告知' }).click()
    await signOut(page)

    // The official logs in with it and lands on the change, which every other page leads to.
    const official = await signIn('qs-official3', temporary, '/account/password')
    await official.getByText('管理员已重置您的密码').waitFor()
    await official.goto(`${server.url}/home`)
    await official.waitForURL(`${server.url}/account/password`)
    await expectNoAxeViolations(official, '/account/password (after a reset)')
    await screenshot(official, 'accounts-02-forced-change')
    await official.getByLabel('临时密码', { exact: true }).fill(temporary)
    await official.getByLabel('新密码', { exact: true }).fill('qs3-my-own-password')
    await official.getByLabel('再输入一次新密码', { exact: true }).fill('qs3-my-own-password')
    await official.getByRole('button', { name: '确认修改' }).click()
    await official.waitForURL(`${server.url}/home`)

    const changed = await login('qs-official3', 'qs3-my-own-password')
    assert.equal(changed.status, 200)
    assert.equal(changed.body.must_change_password, false)
    assert.equal((await login('qs-official3', temporary)).status, 401)
    assert.equal((await api('GET', '/api/v1/townships', changed.body.access_token)).status, 200)
    await signOut(official)
  })

  test('a petition officer changes their own password', { timeout: 120_000 }, async () => {
    const page = await signIn('ls-xinfang')
    await page.getByText('修改密码', { exact: true }).click()
    await page.waitForURL(`${server.url}/account/password`)
    // The page's own checks first.
    await page.getByLabel('当前密码', { exact: true }).fill(DEMO_PASSWORD)
    await page.getByLabel('新密码', { exact: true }).fill('short')
    await page.getByRole('button', { name: '确认修改' }).click()
    await page.getByText('新密码至少 10 个字符').waitFor()
    // The server's: a wrong current password is named next to its field.
    await page.getByLabel('当前密码', { exact: true }).fill('not-the-password')
    await page.getByLabel('新密码', { exact: true }).fill('ls-xinfang-2027!')
    await page.getByLabel('再输入一次新密码', { exact: true }).fill('ls-xinfang-2027!')
    await page.getByRole('button', { name: '确认修改' }).click()
    await page.getByText('不是您当前的密码').waitFor()
    await expectNoAxeViolations(page, '/account/password')
    assert.equal((await login('ls-xinfang', DEMO_PASSWORD)).status, 200, 'a refused change changed the password')

    await page.getByLabel('当前密码', { exact: true }).fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '确认修改' }).click()
    await page.waitForURL(`${server.url}/home`)
    assert.equal((await login('ls-xinfang', 'ls-xinfang-2027!')).status, 200)
    assert.equal((await login('ls-xinfang', DEMO_PASSWORD)).status, 401)
    await signOut(page)
  })

  test('the petition office re-issues a PIN at the counter', { timeout: 120_000 }, async () => {
    const officer = await apiLogin(server.url, 'qs-xinfang')
    const township = (await ok('GET', '/api/v1/me', officer)).township_id
    const sent = await ok('POST', '/api/v1/petitions', officer, {
      channel: 'letter', township_id: township, category: 'land', subject: '补发密码的信访件', text: '来信反映承包地问题。',
      petitioner: { name: '窗口来人', phone: '13905719999' },
    })
    const track = (pin) => api('GET', `/api/v1/petitions/track?code=${encodeURIComponent(sent.tracking_code)}&pin=${pin}`)
    assert.equal((await track(sent.pin)).status, 200)

    const page = await signIn('qs-xinfang')
    await page.getByText('补发查询密码', { exact: true }).click()
    await page.waitForURL(`${server.url}/office/pin`)
    await page.getByLabel('输入查询码、姓名或电话查找').fill(sent.tracking_code)
    await page.getByRole('button', { name: /补发密码的信访件/ }).click()
    await page.getByLabel('来人提供的电话').fill('13905719999')
    await page.getByLabel('证件号后四位或说明').fill('尾号 0521')
    await page.getByRole('button', { name: '补发新查询密码' }).click()
    await page.getByText('请先当面核验身份').waitFor()
    await expectNoAxeViolations(page, '/office/pin (the form)')
    await page.getByLabel('我已当面核对证件上的姓名与登记的信访人一致').check()
    await page.getByRole('button', { name: '补发新查询密码' }).click()
    await page.getByRole('button', { name: '确认补发' }).click()
    const pin = (await page.getByTestId('new-pin').innerText()).trim()
    assert.match(pin, /^\d{6}$/)
    await dialogGone(page)
    await screenshot(page, 'accounts-03-new-pin')
    await expectNoAxeViolations(page, '/office/pin (the new PIN)')

    // The old PIN stops at once; the new one opens tracking; the log has the re-issue.
    assert.equal((await track(sent.pin)).status, 404)
    assert.equal((await track(pin)).status, 200)
    const admin = await apiLogin(server.url, 'admin')
    const log = await ok('GET', `/api/v1/activity?action=reissue_pin&entity_id=${sent.id}`, admin)
    assert.equal(log.items.length, 1)
    assert.ok(!JSON.stringify(log).includes('窗口来人') && !JSON.stringify(log).includes('13905719999'), 'the log names the petitioner')
    await page.getByRole('button', { name: '已告知本人' }).click()
    await signOut(page)
  })

  test('an inspector resolves a finding, reads the round’s verification, cancels the round and reads the activity log', { timeout: 240_000 }, async () => {
    const inspector = await apiLogin(server.url, 'inspector')
    const admin = await apiLogin(server.url, 'admin')
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    const start = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 27 * 86_400_000))
    const townships = (await ok('GET', '/api/v1/townships', inspector)).items
    const qs = townships.find((t) => t.name === '青山镇')
    const round = await ok('POST', '/api/v1/audits', inspector, {
      record_type: 'overnight_stay', township_ids: [qs.id], period_start: start, period_end: today, sample_size: 3,
    })
    const draw = round.sample[0]
    const finding = await ok('POST', `/api/v1/audits/${round.id}/findings`, inspector, { record_id: draw.record_id, result: 'discrepancy', notes: '签退位置存疑' })
    // The official explains (through the API): only then may the inspector resolve it.
    const official = await ok('GET', `/api/v1/users/${draw.official_id}`, admin)
    const officialToken = (await login(official.username, official.username === 'qs-official3' ? 'qs3-my-own-password' : DEMO_PASSWORD)).body.access_token
    await ok('POST', `/api/v1/findings/${finding.id}/explain`, officialToken, { text: '当晚在镇政府值班，定位漂移。' })

    const page = await signIn('inspector')
    await page.goto(`${server.url}/inspector/audits/${round.id}`)
    await page.getByText('签号').first().waitFor()
    await page.locator('.draw__head').first().click()
    await page.getByText('作出结论', { exact: true }).waitFor()
    await expectNoAxeViolations(page, '/inspector/audits/:id (resolve)')
    await page.getByRole('radio', { name: '无问题' }).click()
    await page.getByLabel('结论说明').fill('核实为定位漂移')
    await page.getByRole('button', { name: '保存结论' }).click()
    await page.getByText('结论：无问题').waitFor()
    await screenshot(page, 'accounts-04-resolved')
    const resolved = (await ok('GET', `/api/v1/audits/${round.id}`, inspector)).findings.find((f) => f.id === finding.id)
    assert.equal(resolved.resolution, 'no_issue')

    // The verification, as a person reads it.
    await page.getByRole('button', { name: '核验抽样' }).click()
    await page.waitForURL(`${server.url}/inspector/audits/${round.id}/verify`)
    await page.getByTestId('audit-verdict').getByText('核验通过').waitFor()
    const verified = await ok('GET', `/api/v1/audits/${round.id}/verify`, inspector)
    assert.equal(verified.manifest_sha256_matches && verified.sample_matches, true)
    assert.equal((await page.getByTestId('manifest-matches').innerText()).trim(), '是')
    assert.equal((await page.getByTestId('sample-matches').innerText()).trim(), '是')
    assert.equal((await page.getByTestId('audit-seed').innerText()).trim(), round.seed)
    assert.equal((await page.getByTestId('audit-manifest').innerText()).trim(), round.manifest_sha256)
    await expectNoAxeViolations(page, '/inspector/audits/:id/verify')
    await screenshot(page, 'accounts-05-verify')

    // Cancelling, with a reason.
    await page.goto(`${server.url}/inspector/audits/${round.id}`)
    await page.getByRole('button', { name: '取消本轮抽查' }).click()
    await page.getByRole('button', { name: '确认取消' }).click()
    await page.getByText('请写明取消原因', { exact: true }).waitFor()
    await page.getByLabel(/请写明取消原因：/).fill('抽查期间设置有误，重新开启')
    await expectNoAxeViolations(page, '/inspector/audits/:id (cancel)')
    await page.getByRole('button', { name: '确认取消' }).click()
    await page.getByText('已取消：抽查期间设置有误，重新开启').waitFor()
    const cancelled = await ok('GET', `/api/v1/audits/${round.id}`, inspector)
    assert.equal(cancelled.state, 'cancelled')
    assert.equal(cancelled.cancel_reason, '抽查期间设置有误，重新开启')

    // The activity log: the chain's check first, then the entries by what was done.
    await page.goto(`${server.url}/home`)
    await page.getByText('操作日志', { exact: true }).click()
    await page.waitForURL(`${server.url}/activity`)
    await page.getByTestId('chain-verdict').getByText('日志完整，未发现篡改').waitFor()
    const chain = await ok('GET', '/api/v1/activity/verify', inspector)
    assert.equal(chain.intact, true)
    await page.getByTestId('activity-entry').first().waitFor()
    await expectNoAxeViolations(page, '/activity')
    await page.getByLabel('操作', { exact: true }).selectOption('cancel')
    await page.getByLabel('记录类型').selectOption('audit')
    // The filters' submit button sits under the fixed tab bar while the entries load and the
    // page reflows; press it as a keyboard user would.
    await page.getByRole('button', { name: '查询' }).focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('activity-entry').filter({ hasText: '抽查轮次 · 取消' }).waitFor()
    // The filtered page replaces the unfiltered one once it has loaded.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="activity-entry"]').length === 1, null, { timeout: 15000 })
    assert.equal(await page.getByTestId('activity-entry').count(), 1)
    const entries = await ok('GET', '/api/v1/activity?action=cancel&entity=audit', inspector)
    assert.equal(entries.items.length, 1)
    assert.equal(entries.items[0].entity_id, round.id)
    await page.getByLabel('操作', { exact: true }).selectOption('reissue_pin')
    await page.getByLabel('记录类型').selectOption('petition')
    await page.getByRole('button', { name: '查询' }).focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('activity-entry').filter({ hasText: '补发查询密码' }).first().waitFor()
    const text = await page.locator('main').innerText()
    assert.ok(!text.includes('窗口来人') && !text.includes('13905719999'), 'the log viewer shows a petitioner')
    await screenshot(page, 'accounts-06-activity')
    await signOut(page)
  })
})
