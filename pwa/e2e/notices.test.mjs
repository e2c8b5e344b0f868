// Written notices (书面告知) in real headless Chromium (zh-CN, 360 × 640) against a real
// `minxin serve` on a fresh demo database: a villager files a petition, the office accepts it
// through the API, and the villager opens the 受理告知书 from the tracking page with the code
// and PIN; the file saved is the one the server issued (its SHA-256 is the one the API lists),
// and the last one opened still opens offline.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, screenshot, startServer } from './harness.mjs'

let server
let browser

before(async () => {
  server = await startServer()
  browser = await openBrowser({ acceptDownloads: true })
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

async function api(username, method, path, body) {
  const token = await apiLogin(server.url, username)
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json().catch(() => null) }
}

async function file(subject) {
  const directory = await (await fetch(`${server.url}/api/v1/directory`)).json()
  const qs = directory.townships.find((t) => t.name === '青山镇')
  const res = await fetch(`${server.url}/api/v1/petitions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel: 'online', township_id: qs.id, category: 'other', subject, text: '这件事应由有关部门处理。', anonymous: false, petitioner: { name: '周强', phone: '13905717777' } }),
  })
  assert.equal(res.status, 201)
  return res.json()
}

async function login(page, username) {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${server.url}/home`)
}

/** Clicks the dialog's confirming button; answers the dialog's words. */
async function confirmDialog(page, button) {
  const dialog = page.locator('.van-dialog')
  await dialog.waitFor()
  const words = await dialog.innerText()
  await dialog.getByRole('button', { name: button }).click()
  await dialog.waitFor({ state: 'hidden' })
  return words
}

describe('notices', () => {
  test('the villager opens the 受理告知书 from the tracking page, online and then offline', { timeout: 120_000 }, async () => {
    const directory = await (await fetch(`${server.url}/api/v1/directory`)).json()
    const qs = directory.townships.find((t) => t.name === '青山镇')
    const res = await fetch(`${server.url}/api/v1/petitions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'online', township_id: qs.id, category: 'other', subject: 'e2e 告知书', text: '村口的路灯坏了一个月。', anonymous: false, petitioner: { name: '孙丽', phone: '13905718888' } }),
    })
    assert.equal(res.status, 201)
    const filed = await res.json()

    const token = await apiLogin(server.url, 'qs-xinfang')
    const accepted = await fetch(`${server.url}/api/v1/petitions/${filed.id}/accept`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ note: '已受理' }),
    })
    assert.equal(accepted.status, 200, await accepted.text())
    const listed = await fetch(`${server.url}/api/v1/petitions/track/notices?${new URLSearchParams({ code: filed.tracking_code, pin: filed.pin })}`)
    assert.equal(listed.status, 200)
    const [notice, ...more] = (await listed.json()).items
    assert.equal(more.length, 0)
    assert.equal(notice.kind, 'acceptance')

    const page = await browser.context.newPage()
    await page.goto(`${server.url}/track?code=${filed.tracking_code}`)
    await page.locator('#track-pin').fill(filed.pin)
    await page.getByRole('button', { name: '查询', exact: true }).click()
    const list = page.getByTestId('notices')
    await list.getByText('受理告知书').waitFor()
    await list.getByText(`文号：${notice.number}`, { exact: false }).waitFor()
    await list.getByRole('button', { name: `获取告知书 ${notice.number}` }).click()
    await list.getByText('已核对：与发出时的文件一致。').waitFor()
    const violations = await axeViolations(page)
    assert.deepEqual(violations, [], `axe on the tracking page with notices:\n${violations.join('\n')}`)
    await screenshot(page, 'notices-01-track')

    const [download] = await Promise.all([page.waitForEvent('download'), list.getByTestId('notice-download').click()])
    assert.equal(download.suggestedFilename(), `${notice.number}.pdf`)
    const bytes = await readFile(await download.path())
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-')
    assert.equal(bytes.length, notice.size)
    assert.equal(sha256(bytes), notice.sha256)

    // Offline, the tracking page still offers the last notice opened, from the Cache Storage.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await browser.context.setOffline(true)
    try {
      await page.goto(`${server.url}/track`)
      const last = page.getByTestId('last-notice')
      await last.getByText(`受理告知书 · ${notice.number}`).waitFor()
      const href = await last.getByRole('link', { name: '保存到手机' }).getAttribute('href')
      assert.match(href, /^blob:/)
      // The link's blob is made from the kept copy (Chromium's offline emulation refuses even
      // blob: fetches, so the kept bytes are read where the page keeps them).
      const offlineHex = await page.evaluate(async () => {
        const kept = await (await caches.open('minxin-notice-last')).match('/offline/notice/last.pdf')
        const buf = await kept.arrayBuffer()
        const d = await crypto.subtle.digest('SHA-256', buf)
        return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('')
      })
      assert.equal(offlineHex, notice.sha256)
      await screenshot(page, 'notices-02-offline')
    } finally {
      await browser.context.setOffline(false)
    }
    assert.deepEqual(browser.errors, [])
  })

  test('the township office transfers a new petition to an outside body; a refusal is shown first', { timeout: 120_000 }, async () => {
    const filed = await file('e2e 转送')
    const other = await file('e2e 转送被拒')
    const page = await browser.context.newPage()
    await login(page, 'qs-xinfang')

    // The server refuses a petition accepted meanwhile (409 invalid_state): its words show.
    await page.goto(`${server.url}/casework/petitions/${other.id}`)
    await page.getByRole('heading', { name: 'e2e 转送被拒' }).waitFor()
    assert.equal((await api('qs-xinfang', 'POST', `/petitions/${other.id}/accept`, { note: '' })).status, 200)
    await page.getByRole('button', { name: '转送这件信访件' }).click()
    const form = page.getByRole('form', { name: '转送' })
    await form.getByRole('button', { name: '确认转送' }).click()
    assert.equal(await form.getByRole('alert').count(), 2)
    await form.getByLabel('转送到').selectOption({ label: '县住建局' })
    await form.getByLabel('转送理由').fill('属于住建部门职责')
    await form.getByRole('button', { name: '确认转送' }).click()
    await confirmDialog(page, '确认转送')
    await form.getByText(/^没有办成：/).waitFor()
    assert.equal((await api('qs-xinfang', 'GET', `/petitions/${other.id}`)).body.state, 'accepted')
    // Its acceptance notice is on the page: fetch it, it matches.
    await page.reload()
    await page.getByTestId('notices').getByRole('button', { name: /^获取告知书 / }).click()
    await page.getByTestId('notices').getByText('已核对：与发出时的文件一致。').waitFor()
    await page.getByTestId('notices').getByRole('button', { name: '打印' }).waitFor()

    await page.goto(`${server.url}/casework/petitions/${filed.id}`)
    await page.getByRole('heading', { name: 'e2e 转送' }).waitFor()
    await page.getByRole('button', { name: '转送这件信访件' }).click()
    const f2 = page.getByRole('form', { name: '转送' })
    await f2.getByLabel('转送到').selectOption({ label: '县住建局' })
    await f2.getByLabel('转送理由').fill('属于住建部门职责')
    await f2.getByRole('button', { name: '确认转送' }).click()
    const words = await confirmDialog(page, '确认转送')
    assert.match(words, /把这件信访件转送到县住建局？/)
    await page.getByTestId('case-state').waitFor()
    const now = (await api('qs-xinfang', 'GET', `/petitions/${filed.id}`)).body
    assert.equal(now.state, 'transferred')
    assert.equal(now.transfer_agency, '县住建局')
    await page.getByTestId('notices').getByText('转送告知书').waitFor()
    await screenshot(page, 'notices-03-transferred')
    await page.goto(`${server.url}/home`)
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL(`${server.url}/`)
  })

  test('the district office issues a supervision instruction; the township answers it', { timeout: 120_000 }, async () => {
    const page = await browser.context.newPage()
    await login(page, 'xinfang')
    await page.goto(`${server.url}/casework/supervision`)
    const items = page.getByTestId('supervision-item')
    await items.first().waitFor()
    const listed = (await api('xinfang', 'GET', '/petitions/supervision')).body.items
    assert.equal(await items.count(), listed.length)
    const violations = await axeViolations(page)
    assert.deepEqual(violations, [], `axe on the supervision list:\n${violations.join('\n')}`)
    await screenshot(page, 'notices-04-supervision')
    const directory = await (await fetch(`${server.url}/api/v1/directory`)).json()
    const qs = directory.townships.find((t) => t.name === '青山镇')
    const target = listed.find((i) => i.township_id === qs.id)
    assert.ok(target, 'the demo has a petition of 青山镇 to supervise')
    await items.filter({ hasText: target.tracking_code }).click()
    const box = page.getByTestId('supervision')
    await box.getByLabel('督办要求').fill('请三日内答复信访人')
    await box.getByRole('button', { name: '发出督办' }).click()
    assert.match(await confirmDialog(page, '发出督办'), /前办理/)
    await box.getByText('请三日内答复信访人').waitFor()
    const mine = (await api('xinfang', 'GET', `/petitions/${target.petition_id}`)).body.supervisions
    assert.equal(mine.length, 1)
    assert.equal(mine[0].answer, null)

    const township = await browser.context.newPage()
    await township.goto(`${server.url}/home`)
    await township.getByRole('button', { name: '退出登录' }).click()
    await township.waitForURL(`${server.url}/`)
    await login(township, 'qs-xinfang')
    await township.goto(`${server.url}/casework/petitions/${target.petition_id}`)
    const tbox = township.getByTestId('supervision')
    await tbox.getByText('1 条督办未回复').waitFor()
    await tbox.getByLabel('回复督办（写明已做了什么）').fill('已电话联系信访人，明天答复')
    await tbox.getByRole('button', { name: '回复督办' }).click()
    await confirmDialog(township, '回复督办')
    await tbox.getByText(/已按时回复：已电话联系信访人/).waitFor()
    const answered = (await api('qs-xinfang', 'GET', `/petitions/${target.petition_id}`)).body.supervisions
    assert.equal(answered[0].answer, '已电话联系信访人，明天答复')
    assert.equal(answered[0].answered_on_time, true)
    assert.deepEqual(browser.errors, [])
  })
})
