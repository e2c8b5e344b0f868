// The villager's pages in real headless Chromium against a real `minxin serve` on a fresh demo
// database, at 360 × 640: filing a petition with a photo, tracking it with the code and PIN
// shown, the app shell offline after the first visit, axe-core on every page, staff login.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { PNG } from 'pngjs'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, RESULTS, screenshot, startServer } from './harness.mjs'

let server
let browser

/** A 1600 × 1200 photo-like PNG, larger than the 1280 px the app resizes to. */
async function photoFile() {
  const png = new PNG({ width: 1600, height: 1200 })
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (png.width * y + x) << 2
      png.data[i] = (x * 255) / png.width
      png.data[i + 1] = (y * 255) / png.height
      png.data[i + 2] = 120
      png.data[i + 3] = 255
    }
  }
  const path = join(RESULTS, 'upload-photo.png')
  await writeFile(path, PNG.sync.write(png))
  return path
}

async function expectNoAxeViolations(page, where) {
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `axe on ${where}:\n${violations.join('\n')}`)
}

const tile = (page, name) => page.locator('label.tile', { hasText: new RegExp(`^\\s*${name}\\s*$`) })

before(async () => {
  server = await startServer()
  browser = await openBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

describe('villager', () => {
  let receipt

  test('files a petition with a photo in five steps and gets a code and PIN', { timeout: 90_000 }, async () => {
    const page = await browser.context.newPage()
    await page.goto(server.url)
    await page.getByText('我要反映问题', { exact: true }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    await expectNoAxeViolations(page, 'the entry page')
    await screenshot(page, '01-entry')

    await page.getByText('我要反映问题', { exact: true }).click()
    await page.getByRole('heading', { name: '在哪里' }).waitFor()

    // Step 1: the township is required.
    await page.getByRole('button', { name: '下一步' }).click()
    await page.getByText('请选择乡镇').waitFor()
    await tile(page, '青山镇').click()
    await tile(page, '竹溪村').click()
    await expectNoAxeViolations(page, 'step 1 (where)')
    await screenshot(page, '02-step-where')
    await page.getByRole('button', { name: '下一步' }).click()

    // Step 2: categories as tiles.
    await page.getByRole('heading', { name: '什么事' }).waitFor()
    await tile(page, '环境').click()
    await expectNoAxeViolations(page, 'step 2 (kind)')
    await screenshot(page, '03-step-kind')
    await page.getByRole('button', { name: '下一步' }).click()

    // Step 3: subject, text with its counter, a photo resized in the browser.
    await page.getByRole('heading', { name: '发生了什么' }).waitFor()
    await page.getByLabel('标题').fill('河道里堆了很多垃圾')
    const text = '竹溪村桥下的河道里堆了很多生活垃圾，已经一个多月没人清理，天热有臭味。希望尽快清理。'
    await page.getByLabel('详细情况').fill(text)
    await page.getByText(`已写 ${Array.from(text).length} 字，最多 5000 字`).waitFor()
    await page.locator('input[type=file]').setInputFiles(await photoFile())
    await page.getByRole('img', { name: '第 1 张照片' }).waitFor()

    // Whatever was typed survives a reload, the photo included.
    await page.waitForTimeout(600)
    await page.reload()
    await page.getByRole('heading', { name: '发生了什么' }).waitFor()
    assert.equal(await page.getByLabel('标题').inputValue(), '河道里堆了很多垃圾')
    await page.getByRole('img', { name: '第 1 张照片' }).waitFor()
    await expectNoAxeViolations(page, 'step 3 (what)')
    await screenshot(page, '04-step-what')
    await page.getByRole('button', { name: '下一步' }).click()

    // Step 4: a wrong phone number is caught before sending.
    await page.getByRole('heading', { name: '您是谁' }).waitFor()
    await tile(page, '匿名检举\\s*不留姓名和电话').click()
    await page.getByText('我们不保存任何关于您的信息').waitFor()
    await screenshot(page, '05-step-who-anonymous')
    await tile(page, '留下姓名和电话\\s*工作人员可以打电话了解情况').click()
    await page.getByRole('textbox', { name: '姓名' }).fill('李秀英')
    await page.getByRole('textbox', { name: '手机号' }).fill('13800')
    await page.getByRole('button', { name: '下一步' }).click()
    await page.getByText('请填写正确的电话号码').waitFor()
    await page.getByRole('textbox', { name: '手机号' }).fill('138 0013 8000')
    await expectNoAxeViolations(page, 'step 4 (who)')
    await screenshot(page, '06-step-who')
    await page.getByRole('button', { name: '下一步' }).click()

    // Step 5: review and send.
    await page.getByRole('heading', { name: '检查并提交' }).waitFor()
    await page.getByText('河道里堆了很多垃圾').waitFor()
    await page.getByText('1 张').waitFor()
    await expectNoAxeViolations(page, 'step 5 (review)')
    await screenshot(page, '07-step-review')

    // Without a network nothing is sent and nothing is lost, a reload included.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await browser.context.setOffline(true)
    try {
      await page.getByRole('button', { name: '确认提交' }).click()
      await page.getByText('没有发出去：网络不好').waitFor()
      await screenshot(page, '07b-review-offline')
      await page.reload()
      await page.getByRole('heading', { name: '检查并提交' }).waitFor()
      await page.getByText('暂时连不上服务器，显示的是上次读取的名单').waitFor()
      await page.getByText('河道里堆了很多垃圾').waitFor()
    } finally {
      await browser.context.setOffline(false)
    }
    await page.getByRole('button', { name: '确认提交' }).click()

    // The receipt, made to be photographed.
    const code = page.getByTestId('tracking-code')
    await code.waitFor({ timeout: 30_000 })
    const trackingCode = (await code.textContent()).trim()
    const pin = (await page.getByTestId('pin').textContent()).replace(/\s/g, '')
    assert.match(trackingCode, /^XF\d{8}-\d{4,}$/)
    assert.match(pin, /^\d{6}$/)
    await page.getByText('请拍照或抄写保存').waitFor()
    await page.getByText('密码只显示这一次').waitFor()
    await expectNoAxeViolations(page, 'the receipt')
    await screenshot(page, '08-receipt')
    receipt = { trackingCode, pin }

    // The draft is gone once the server has the petition.
    const draftLeft = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('minxin-villager')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const db = open.result
            const get = db.transaction('drafts').objectStore('drafts').get('petition')
            get.onsuccess = () => resolve(get.result !== undefined)
            get.onerror = () => reject(get.error)
          }
        }),
    )
    assert.equal(draftLeft, false)

    // The server has it, with the photo and the petitioner as typed.
    const token = await apiLogin(server.url, 'admin')
    let found = null
    let cursor = ''
    do {
      const res = await fetch(`${server.url}/api/v1/petitions?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      assert.equal(res.status, 200)
      const page1 = await res.json()
      found = page1.items.find((p) => p.tracking_code === trackingCode) ?? null
      cursor = page1.next_cursor ?? ''
    } while (!found && cursor)
    assert.ok(found, 'the petition is on the server')
    assert.equal(found.channel, 'online')
    assert.equal(found.category, 'environment')
    assert.equal(found.attachment_ids.length, 1)
    assert.deepEqual(found.petitioner, { name: '李秀英', phone: '13800138000' })
    await page.close()
  })

  test('tracks the petition with the code and PIN shown', { timeout: 60_000 }, async () => {
    assert.ok(receipt, 'needs the petition of the test before')
    const page = await browser.context.newPage()
    await page.goto(`${server.url}/track`)
    await page.getByLabel('查询码').waitFor()
    await expectNoAxeViolations(page, '/track')
    await screenshot(page, '09-track-form')

    // A wrong PIN gets a calm message.
    await page.getByLabel('查询码').fill(receipt.trackingCode)
    await page.getByLabel('密码').fill(receipt.pin === '000000' ? '111111' : '000000')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByText('没有查到。请核对查询码和密码').waitFor()
    await screenshot(page, '10-track-wrong-pin')

    await page.getByLabel('密码').fill(receipt.pin)
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByTestId('state').getByText('已收到，等待受理').waitFor()
    await page.getByText('河道里堆了很多垃圾').waitFor()
    await page.getByText(/最迟 .* 告诉您是否受理/).waitFor()
    await page.getByText('撤回这件事', { exact: true }).first().waitFor()
    await expectNoAxeViolations(page, 'a tracked petition')
    await screenshot(page, '11-track-result')
    await page.close()
  })

  test('reads the reply, rates it and asks for a review', { timeout: 60_000 }, async () => {
    assert.ok(receipt, 'needs the petition of the first test')
    // The office accepts the petition and assigns it; the handler replies.
    const post = async (token, path, body) => {
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
      assert.equal(res.status, 200, `${path}: ${await res.text()}`)
    }
    const query = new URLSearchParams({ code: receipt.trackingCode, pin: receipt.pin })
    const { id } = await (await fetch(`${server.url}/api/v1/petitions/track?${query}`)).json()
    const office = await apiLogin(server.url, 'xinfang')
    const handler = await apiLogin(server.url, 'qs-official1')
    const me = await (await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${handler}` } })).json()
    await post(office, `/petitions/${id}/accept`, { note: '内部备注：环保站' })
    await post(office, `/petitions/${id}/assign`, { handler_id: me.id })
    await post(handler, `/petitions/${id}/reply`, { text: '已安排保洁员于本周内清理河道垃圾。' })

    const page = await browser.context.newPage()
    await page.goto(`${server.url}/track?code=${receipt.trackingCode}`)
    assert.equal(await page.getByLabel('查询码').inputValue(), receipt.trackingCode)
    await page.getByLabel('密码').fill(receipt.pin)
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByTestId('state').getByText('已答复').waitFor()
    await page.getByText('已安排保洁员于本周内清理河道垃圾。').waitFor()
    await page.getByText(/如果不满意，可以在 .* 前申请复查/).waitFor()
    assert.equal(await page.getByText('内部备注').count(), 0, 'internal notes are never shown')
    await expectNoAxeViolations(page, 'a replied petition')
    await screenshot(page, '11b-track-replied')

    await page.getByRole('button', { name: '不满意' }).click()
    await page.getByText('您的评价：不满意').waitFor()

    await page.getByRole('button', { name: '提交申请' }).click()
    await page.getByText('请写明理由', { exact: true }).waitFor()
    await page.getByLabel('理由').fill('垃圾只清了一半，桥下还有很多。')
    await page.getByRole('button', { name: '提交申请' }).click()
    await page.getByTestId('state').getByText('正在复查').waitFor()
    await page.getByText(/最迟 .* 给出复查意见/).waitFor()
    await screenshot(page, '11c-track-review-requested')

    // Withdrawing asks for a reason and a confirmation.
    await page.getByLabel('撤回原因').fill('问题已经解决了')
    await page.getByRole('button', { name: '撤回这件事' }).click()
    await page.getByRole('dialog').getByText('撤回后这件事不再办理，也不能恢复。').waitFor()
    await page.getByRole('dialog').getByRole('button', { name: '不撤回' }).click()
    await page.getByTestId('state').getByText('正在复查').waitFor()
    await page.getByRole('button', { name: '撤回这件事' }).click()
    await page.getByRole('dialog').getByRole('button', { name: '确定撤回' }).click()
    await page.getByTestId('state').getByText('已撤回').waitFor()
    assert.equal(await page.getByRole('button', { name: '撤回这件事' }).count(), 0)
    await page.close()
  })

  test('the app shell opens offline after the first visit', { timeout: 60_000 }, async () => {
    const page = await browser.context.newPage()
    await page.goto(server.url)
    await page.getByText('我要反映问题', { exact: true }).waitFor()
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
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
      await page.getByText('我要反映问题', { exact: true }).waitFor()
      await screenshot(page, '12-offline-entry')
      // A lazily loaded page of the shell opens offline too.
      await page.getByText('查询进度', { exact: true }).click()
      await page.getByLabel('查询码').waitFor()
    } finally {
      await browser.context.setOffline(false)
    }
    await page.close()
  })

  test('staff log in with a demo login', { timeout: 60_000 }, async () => {
    const official = server.logins.find((l) => l.role === 'official')
    assert.ok(official, `demo logins: ${JSON.stringify(server.logins)}`)
    const page = await browser.context.newPage()
    await page.goto(`${server.url}/login`)
    await page.getByLabel('用户名').waitFor()
    await expectNoAxeViolations(page, '/login')
    await screenshot(page, '13-login')
    await page.getByLabel('用户名').fill(official.username)
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${server.url}/home`)
    await page.getByRole('navigation', { name: '主菜单' }).getByText('待同步').waitFor()
    await screenshot(page, '14-staff-home')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('待同步').click()
    await page.waitForURL(`${server.url}/outbox`)
    await expectNoAxeViolations(page, '/outbox')
    await page.close()
  })

  test('no page threw an uncaught error', () => {
    assert.deepEqual(browser.errors, [])
  })
})
