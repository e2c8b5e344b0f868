// Written notices (书面告知) in real headless Chromium (zh-CN, 360 × 640) against a real
// `minxin serve` on a fresh demo database: a villager files a petition, the office accepts it
// through the API, and the villager opens the 受理告知书 from the tracking page with the code
// and PIN; the file saved is the one the server issued (its SHA-256 is the one the API lists),
// and the last one opened still opens offline.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { apiLogin, axeViolations, openBrowser, screenshot, startServer } from './harness.mjs'

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
})
