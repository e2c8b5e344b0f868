// The day's receiving official registers a petition brought in person (定点接访) in real
// headless Chromium against a real `minxin serve` on a fresh demo database, at 360 × 640, and
// sees the tracking code and PIN to tell the petitioner; the server keeps it on the reception
// channel. Today's receiver is looked up as admin; on a day with no receiver (not a working day)
// the UI part is skipped with a message.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, screenshot, startServer } from './harness.mjs'

let server
let browser
let receiver = null

const todayInDistrict = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

async function getJSON(path, token) {
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`)
  return res.json()
}

before(async () => {
  server = await startServer()
  const admin = await apiLogin(server.url, 'admin')
  const today = todayInDistrict()
  const days = (await getJSON(`/api/v1/reception-days?from=${today}&to=${today}&limit=200`, admin)).items
  const ids = new Set(days.map((d) => d.official_id).filter(Boolean))
  const users = (await getJSON('/api/v1/users?role=official&limit=200', admin)).items
  const demoOfficials = new Set(server.logins.filter((l) => l.role === 'official').map((l) => l.username))
  receiver = users.find((u) => ids.has(u.id) && demoOfficials.has(u.username) && /^(qs|ls)/.test(u.username)) ?? null
  if (receiver) browser = await openBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function expectNoAxeViolations(page, where) {
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `axe on ${where}:\n${violations.join('\n')}`)
}

describe('official: reception-day registration', () => {
  test('today’s receiver registers a petition and sees the code and PIN', { timeout: 120_000 }, async (t) => {
    if (!receiver) {
      t.skip(`no demo official (qs/ls) is today's receiver (${todayInDistrict()}): probably not a working day`)
      return
    }
    const page = await browser.context.newPage()
    await page.goto(`${server.url}/login`)
    await page.getByLabel('用户名').fill(receiver.username)
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${server.url}/home`)

    await page.getByText('今天由您在镇政府接待来访群众').waitFor()
    await page.getByRole('button', { name: '登记来访群众反映' }).click()
    await page.waitForURL(`${server.url}/official/reception-petition`)

    // The page's own checks first: nothing chosen or typed yet.
    await page.getByRole('button', { name: '提交登记' }).click()
    await page.getByText('请选择类别').waitFor()
    await page.getByText('有内容需要修改').waitFor()

    const directory = await (await fetch(`${server.url}/api/v1/directory`)).json()
    const category = directory.petition_categories[0]
    await page.getByRole('radio', { name: category.name_zh }).check()
    await page.getByRole('textbox', { name: '标题' }).fill('村道路灯坏了一个月')
    await page.getByRole('textbox', { name: '详细情况' }).fill('村口到小学的路灯坏了一个多月，晚上孩子放学很黑，希望尽快修好。')
    await page.getByRole('textbox', { name: '姓名', exact: true }).fill('张桂兰')
    await page.getByRole('textbox', { name: '手机号' }).fill('13800')
    await page.getByRole('button', { name: '提交登记' }).click()
    await page.getByText('请填写正确的电话号码').waitFor()
    await page.getByRole('textbox', { name: '手机号' }).fill('139 0000 1234')
    await page.getByText('被选中的干部永远看不到这件反映').waitFor()
    await expectNoAxeViolations(page, '/official/reception-petition')
    await screenshot(page, 'official-reception-01-form')

    await page.getByRole('button', { name: '提交登记' }).click()
    await page.getByText('请告知群众查询码和密码').waitFor()
    const code = (await page.getByTestId('tracking-code').innerText()).trim()
    const pin = (await page.getByTestId('pin').innerText()).trim()
    assert.ok(code.length >= 6, `tracking code shown: ${code}`)
    assert.ok(pin.length >= 4, `PIN shown: ${pin}`)
    await expectNoAxeViolations(page, 'the registration result')
    await screenshot(page, 'official-reception-02-code')

    // The petitioner can track it with what they were told; it is on the reception channel.
    const res = await fetch(`${server.url}/api/v1/petitions/track?${new URLSearchParams({ code, pin })}`)
    assert.equal(res.status, 200)
    const tracked = await res.json()
    assert.equal(tracked.channel, 'reception')
    assert.equal(tracked.subject, '村道路灯坏了一个月')

    // The next one starts empty.
    await page.getByRole('button', { name: '登记下一件' }).click()
    assert.equal(await page.getByRole('textbox', { name: '标题' }).inputValue(), '')
    await page.close()
  })
})
