// Issue 17, part 3, in real headless Chromium (zh-CN, 360 × 640) against a real `minxin serve`
// on a fresh demo database: an official records a village talk day and a must-visit situation
// through the outbox (once online, once offline and then back online), reads their own
// progress (also offline, from the last answer), and an official who is neither a team member
// nor a lead gets a home with their contact households and due visits. Each step is checked
// through the API.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { join } from 'node:path'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, REPO, screenshot, startServer } from './harness.mjs'

let server
let browser
let admin
let official // qs-official2, a team member
let township
let villages
let households
let categories

const todayInDistrict = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

async function api(method, path, token, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null, text }
}

async function getJSON(path, token) {
  const res = await api('GET', path, token)
  assert.equal(res.status, 200, `${path}: ${res.text}`)
  return res.json
}

/** Polls until check() answers something truthy (the outbox sends in the background). */
async function eventually(check, what, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const got = await check()
    if (got) return got
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

/** The home as docs/roles.md shows it: 360 px wide, one pixel a CSS pixel, at most 1400 high. */
async function homePicture(page, file) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight)
  await page.setViewportSize({ width: 360, height: Math.min(1400, Math.max(640, height)) })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: file, scale: 'css' })
  await page.setViewportSize({ width: 360, height: 640 })
}

async function expectNoAxeViolations(page, where) {
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `axe on ${where}:\n${violations.join('\n')}`)
}

async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${server.url}/home`)
}

before(async () => {
  server = await startServer()
  admin = await apiLogin(server.url, 'admin')
  const users = (await getJSON('/api/v1/users?role=official&limit=200', admin)).items
  official = users.find((u) => u.username === 'qs-official2')
  assert.ok(official, 'demo official qs-official2')
  township = official.township_id
  villages = (await getJSON(`/api/v1/villages?township_id=${township}&limit=200`, admin)).items
  households = (await getJSON(`/api/v1/households?township_id=${township}&limit=200`, admin)).items
  categories = (await getJSON('/api/v1/settings', admin)).values['visits.categories']
  assert.ok(villages.length > 0 && households.length > 2 && categories.length > 0, 'demo villages, households and visit categories')
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** A page in a fresh browser profile (each test signs in as its own user). */
async function freshPage() {
  await browser?.close()
  browser = await openBrowser()
  return browser.context.newPage()
}

async function talkDays(token, village) {
  return (await getJSON(`/api/v1/talk-days?township_id=${township}&limit=200`, token)).items.filter((d) => d.village_id === village.id)
}

async function fillTalkDay(page, village, attendance, issues) {
  await page.getByRole('radio', { name: new RegExp(`^[\\s\\uE000-\\uF8FF]*${village.name}$`) }).click()
  await page.getByLabel('参加人数').fill(String(attendance))
  for (let i = 0; i < issues.length; i++) {
    if (i > 0) await page.getByRole('button', { name: '再加一个问题' }).click()
    await page.getByLabel(`问题 ${i + 1}`, { exact: true }).fill(issues[i])
  }
}

async function fillTrigger(page, household, category, note) {
  await page.locator('#tr-search').fill(household.head_name)
  await page.getByRole('radio', { name: new RegExp(household.head_name) }).first().click()
  await page.getByRole('radio', { name: new RegExp(`^[\\s\\uE000-\\uF8FF]*${category.name_zh}$`) }).click()
  await page.getByLabel('情况说明').fill(note)
}

describe('official: hand-recorded field records', () => {
  test('1. a talk day, online and then offline, reaches the server once each', { timeout: 180_000 }, async () => {
    const token = await apiLogin(server.url, official.username)
    const village = villages[0]
    const before = (await talkDays(token, village)).length
    const page = await freshPage()
    await login(page, official.username)
    await page.getByText('记录民情恳谈日').click()
    await page.waitForURL(`${server.url}/official/talk-day`)

    // The page's own checks: nothing chosen yet.
    await page.getByRole('button', { name: '保存恳谈日' }).click()
    await page.getByText('请填写 0 到 100000 之间的人数').waitFor()
    await fillTalkDay(page, village, 35, ['村口路灯坏了一个月', '灌溉水渠堵塞'])
    await expectNoAxeViolations(page, '/official/talk-day')
    await screenshot(page, 'official-field-01-talk-day')
    await page.getByRole('button', { name: '保存恳谈日' }).click()
    await page.getByText('已上传到服务器').waitFor()

    const stored = await eventually(async () => (await talkDays(token, village)).find((d) => d.issues.includes('灌溉水渠堵塞')), 'the talk day on the server')
    assert.equal(stored.held_on, todayInDistrict())
    assert.equal(stored.attendance, 35)
    assert.deepEqual(stored.issues, ['村口路灯坏了一个月', '灌溉水渠堵塞'])
    assert.equal(stored.recorded_by, official.id)

    // Idempotent by its client id: the same record again creates nothing; other content is refused.
    const again = await api('POST', '/api/v1/talk-days', token, { id: stored.id, village_id: village.id, held_on: stored.held_on, attendance: 35, issues: stored.issues })
    assert.equal(again.status, 201, again.text)
    const other = await api('POST', '/api/v1/talk-days', token, { id: stored.id, village_id: village.id, held_on: stored.held_on, attendance: 36, issues: stored.issues })
    assert.equal(other.status, 409, other.text)
    assert.equal((await talkDays(token, village)).length, before + 1)

    // Offline: kept on the phone, sent when the signal is back.
    await page.getByRole('button', { name: '再记一条' }).click()
    await browser.context.setOffline(true)
    try {
      await fillTalkDay(page, village, 12, ['离线时记下的问题'])
      await page.getByRole('button', { name: '保存恳谈日' }).click()
      await page.getByText('已保存在手机上，有网络时自动上传').waitFor()
      await page.getByText('待上传的恳谈日').waitFor()
      await screenshot(page, 'official-field-02-talk-day-offline')
      await new Promise((r) => setTimeout(r, 1000))
      assert.equal((await talkDays(token, village)).length, before + 1, 'nothing reaches the server while offline')
    } finally {
      await browser.context.setOffline(false)
    }
    await page.getByText('已上传到服务器').waitFor({ timeout: 30_000 })
    const offline = await eventually(async () => (await talkDays(token, village)).find((d) => d.issues.includes('离线时记下的问题')), 'the offline talk day on the server')
    assert.equal(offline.attendance, 12)
    assert.equal((await talkDays(token, village)).length, before + 2)
    await page.close()
  })

  test('2. a must-visit situation, online and then offline, reaches the server with its due time', { timeout: 180_000 }, async () => {
    const token = await apiLogin(server.url, official.username)
    const [h1, h2] = households
    const category = categories[0]
    const triggersOf = async (h) => (await getJSON(`/api/v1/visit-triggers?household_id=${h.id}&limit=200`, admin)).items
    const page = await freshPage()
    await login(page, official.username)
    await page.getByText('登记必访事项').click()
    await page.waitForURL(`${server.url}/official/must-visit`)

    await page.getByRole('button', { name: '保存必访事项' }).click()
    await page.getByText('请选择情况').waitFor()
    await fillTrigger(page, h1, category, '户主住院，家中只有老人')
    await page.getByText('最迟').first().waitFor()
    await expectNoAxeViolations(page, '/official/must-visit')
    await screenshot(page, 'official-field-03-must-visit')
    await page.getByRole('button', { name: '保存必访事项' }).click()
    await page.getByText('已上传到服务器').waitFor()

    const stored = await eventually(async () => (await triggersOf(h1)).find((t) => t.note === '户主住院，家中只有老人'), 'the situation on the server')
    assert.equal(stored.category, category.code)
    assert.equal(stored.occurred_on, todayInDistrict())
    assert.ok(stored.status === 'open', `open: ${stored.status}`)
    const dueDays = category.due_days ?? 7
    const dueLocal = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.parse(stored.due_at) - 1000))
    const expected = new Date(`${stored.occurred_on}T00:00:00Z`)
    expected.setUTCDate(expected.getUTCDate() + dueDays)
    assert.ok(
      Math.abs(Date.parse(`${dueLocal}T00:00:00Z`) - expected.getTime()) <= 86_400_000,
      `due ${stored.due_at} about ${dueDays} days after ${stored.occurred_on}`,
    )
    const again = await api('POST', '/api/v1/visit-triggers', token, { id: stored.id, household_id: h1.id, category: category.code, occurred_on: stored.occurred_on, note: stored.note })
    assert.equal(again.status, 201, again.text)
    assert.equal((await triggersOf(h1)).filter((t) => t.id === stored.id).length, 1)

    await page.getByRole('button', { name: '再记一条' }).click()
    const before2 = (await triggersOf(h2)).length
    await browser.context.setOffline(true)
    try {
      await fillTrigger(page, h2, category, '离线登记：房屋漏雨')
      await page.getByRole('button', { name: '保存必访事项' }).click()
      await page.getByText('已保存在手机上，有网络时自动上传').waitFor()
      await new Promise((r) => setTimeout(r, 1000))
      assert.equal((await triggersOf(h2)).length, before2, 'nothing reaches the server while offline')
    } finally {
      await browser.context.setOffline(false)
    }
    await page.getByText('已上传到服务器').waitFor({ timeout: 30_000 })
    await eventually(async () => (await triggersOf(h2)).find((t) => t.note === '离线登记：房屋漏雨'), 'the offline situation on the server')
    assert.equal((await triggersOf(h2)).length, before2 + 1)
    await page.close()
  })

  test('3. the official reads their own progress, and again offline from the last answer', { timeout: 120_000 }, async () => {
    const token = await apiLogin(server.url, official.username)
    const page = await freshPage()
    await login(page, official.username)
    await page.getByText('我的进度').click()
    await page.waitForURL(`${server.url}/official/progress`)
    const p = await getJSON(`/api/v1/progress/officials/${official.id}`, token)
    const nights = page.getByTestId('progress-nights')
    await nights.getByText(`${p.overnight.counted}/${p.overnight.required} 晚`).waitFor()
    await nights.getByText(p.overnight.week).waitFor()
    await page.getByTestId('progress-stationing').getByText(`${p.stationing.counted_days}/${p.stationing.required_days} 天`).waitFor()
    await page.getByTestId('progress-stationing').getByText(`按进度到今天应有 ${p.stationing.expected_to_date} 天`).waitFor()
    await page.getByTestId('progress-reception').getByText(`排班 ${p.reception.assigned} 天 · 到岗 ${p.reception.attended} 天 · 准时 ${p.reception.on_time} 天`).waitFor()
    await page.getByTestId('progress-links').getByText(`联系户 ${p.links.linked_households}/${p.links.minimum} 户`).waitFor()
    const status = { met: '已达标', short: '未达标', exempt: '本周免', on_track: '进度正常', behind: '进度落后' }
    await nights.getByText(status[p.overnight.status]).waitFor()
    // The open must-visits include the two recorded above when this official answers for them.
    assert.equal(await page.getByTestId('progress-visits').locator('li').first().locator('strong').innerText(), String(p.visits.open))
    await expectNoAxeViolations(page, '/official/progress')
    await screenshot(page, 'official-field-04-progress')

    await browser.context.setOffline(true)
    try {
      await page.getByRole('button', { name: '刷新' }).click()
      await page.getByText('暂时没有网络，显示的是').waitFor()
      await nights.getByText(`${p.overnight.counted}/${p.overnight.required} 晚`).waitFor()
      await screenshot(page, 'official-field-05-progress-offline')
    } finally {
      await browser.context.setOffline(false)
    }
    await page.close()
  })

  test('4. an official who is neither a team member nor a lead sees their contact households and due visits', { timeout: 120_000 }, async () => {
    const password = 'minxin-contact-2026'
    const created = await api('POST', '/api/v1/users', admin, {
      username: 'qs-contact1',
      password,
      display_name: '联户干部甲',
      role: 'official',
      township_id: township,
      team_member: false,
      lead: false,
    })
    assert.equal(created.status, 201, created.text)
    const contact = created.json
    const mine = households.slice(-2)
    for (const h of mine) {
      const res = await api('PATCH', `/api/v1/households/${h.id}`, admin, { contact_official_id: contact.id })
      assert.equal(res.status, 200, res.text)
    }
    const token = await apiLogin(server.url, 'qs-contact1', password)
    const category = categories[0]
    const trigger = await api('POST', '/api/v1/visit-triggers', token, {
      id: crypto.randomUUID(),
      household_id: mine[0].id,
      category: category.code,
      occurred_on: todayInDistrict(),
      note: '',
    })
    assert.equal(trigger.status, 201, trigger.text)
    assert.equal(trigger.json.responsible_id, contact.id, 'the contact official answers for the visit')

    const page = await freshPage()
    await login(page, 'qs-contact1', password)
    const list = page.getByTestId('contact-households')
    await list.getByText('联系户 2 户').waitFor()
    for (const h of mine) await list.getByText(h.head_name, { exact: true }).waitFor()
    const due = page.getByTestId('contact-due')
    await due.getByText(mine[0].head_name, { exact: true }).waitFor()
    await due.getByText(category.name_zh).first().waitFor()
    // No team member's duties on this home.
    assert.equal(await page.getByText('住夜签到（晚上）').count(), 0)
    await expectNoAxeViolations(page, 'the contact official’s home')
    await screenshot(page, 'official-field-06-contact-home')
    await page.getByText('记录与进度').waitFor()
    await homePicture(page, join(REPO, 'docs/img/home-contact-official.png'))

    // What the home lists is what the API says.
    const apiMine = (await getJSON(`/api/v1/households?township_id=${township}&limit=200`, token)).items.filter((h) => h.contact_official_id === contact.id)
    assert.deepEqual(apiMine.map((h) => h.id).sort(), mine.map((h) => h.id).sort())
    const apiDue = (await getJSON(`/api/v1/visit-triggers?responsible_id=${contact.id}&status=open&limit=200`, token)).items
    assert.deepEqual(apiDue.map((t) => t.id), [trigger.json.id])
    assert.equal(await due.locator('li').count(), apiDue.length)

    // The visit starts from the due row, with the household and the must-visit chosen.
    await due.getByText(mine[0].head_name, { exact: true }).click()
    await page.waitForURL(/\/official\/visit\?/)
    assert.match(page.url(), new RegExp(`trigger=${trigger.json.id}`))
    await page.close()
  })
})
