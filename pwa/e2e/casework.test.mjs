// Petition casework in real headless Chromium (zh-CN, 360 × 640) against a real `minxin serve`
// on a fresh demo database: each step is done through the screens, then checked through the
// API. The handler replies; the petition office refuses with guidance, extends (a refused
// length shows the server's reason first), writes the review and re-review opinions, withdraws
// at the petitioner's request with their PIN, and compares a possible duplicate; the figures
// screen draws its chart and downloads XLSX and CSV; the township lead reads each member's
// progress and the overdue petitions (never one about the lead); the office reassigns a
// reception day. axe-core finds no serious violation on any of these screens.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { apiLogin, axeViolations, DEMO_PASSWORD, openBrowser, screenshot, startServer } from './harness.mjs'

let server
let browser
let page
const tokens = {}

/** The district's today and a date n days from it (YYYY-MM-DD). */
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
const addDays = (date, n) => {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}
const daysBetween = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
const daysText = (n) => (n > 0 ? `还剩 ${n} 天` : n === 0 ? '今天到期' : `已超期 ${-n} 天`)

async function api(username, path, init = {}) {
  tokens[username] ??= await apiLogin(server.url, username)
  const res = await fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${tokens[username]}`, 'Content-Type': 'application/json', ...init.headers },
  })
  const body = res.headers.get('Content-Type')?.includes('json') ? await res.json() : await res.arrayBuffer()
  return { status: res.status, body, headers: res.headers }
}
const get = async (username, path) => {
  const r = await api(username, path)
  assert.equal(r.status, 200, `GET ${path} as ${username}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}
const petitionsOf = async (username, query = '') => (await get(username, `/petitions?limit=200${query}`)).items

async function expectNoAxeViolations(where) {
  await page.locator('.van-toast').waitFor({ state: 'hidden' })
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `axe on ${where}:\n${violations.join('\n')}`)
}

let signedIn = null

/** Signs in through the login page, signing out whoever is signed in first. */
async function login(username) {
  if (signedIn === username) return
  if (signedIn !== null) {
    await page.goto(`${server.url}/home`)
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL(`${server.url}/`)
    signedIn = null
  }
  await page.goto(`${server.url}/login`)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(`${server.url}/home`)
  signedIn = username
}

/** Opens a petition's casework page and waits for its subject. */
async function openCase(p) {
  await page.goto(`${server.url}/casework/petitions/${p.id}`)
  await page.getByRole('heading', { name: p.subject }).waitFor()
}

/** Chooses an action, and answers the form it opens. */
async function choose(action) {
  await page.getByRole('button', { name: action, exact: true }).first().click()
  const form = page.getByRole('form', { name: action })
  await form.waitFor()
  return form
}

/** Sends the open form, reads the confirmation's words and confirms. */
async function sendAndConfirm(form, action) {
  await form.getByRole('button', { name: action, exact: true }).click()
  const dialog = page.locator('.van-dialog')
  await dialog.waitFor()
  const words = await dialog.innerText()
  await dialog.getByRole('button', { name: '确认办理' }).click()
  await dialog.waitFor({ state: 'hidden' })
  return words
}

before(async () => {
  server = await startServer()
  browser = await openBrowser()
  page = await browser.context.newPage()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

describe('petition casework', () => {
  test('the handler sees their petitions with the deadline and days left, and replies', { timeout: 120_000 }, async () => {
    const assigned = (await petitionsOf('qs-xinfang', '&state=assigned')).filter((p) => p.handler_id)
    assert.ok(assigned.length > 0, 'the demo has assigned petitions')
    const handlerId = assigned[0].handler_id
    const handler = await get('qs-xinfang', `/users/${handlerId}`)
    const mine = assigned.filter((p) => p.handler_id === handlerId)

    await login(handler.username)
    await page.getByRole('button', { name: /我承办的信访件/ }).click()
    await page.waitForURL(`${server.url}/casework/mine`)
    for (const p of mine) {
      const item = page.getByRole('link', { name: new RegExp(p.subject) })
      await item.waitFor()
      const text = await item.innerText()
      assert.match(text, new RegExp(`答复期限：${p.deadlines.reply_by}`))
      assert.match(text, new RegExp(daysText(daysBetween(today(), p.deadlines.reply_by))))
    }
    await expectNoAxeViolations('/casework/mine')
    await screenshot(page, 'casework-01-mine')

    const p = mine[0]
    await page.getByRole('link', { name: new RegExp(p.subject) }).click()
    await page.getByRole('heading', { name: p.subject }).waitFor()
    await page.getByTestId('case-due').getByText(daysText(daysBetween(today(), p.deadlines.reply_by))).waitFor()
    await expectNoAxeViolations('/casework/petitions/:id (handler)')
    const form = await choose('答复')
    // Nothing typed: the page says so and sends nothing.
    await form.getByRole('button', { name: '答复', exact: true }).click()
    await form.getByText('请填写这一项').waitFor()
    const reply = '经现场核查，已协调有关部门于本月底前完成处理。'
    await form.getByLabel('答复内容（信访人会看到）').fill(reply)
    const reviewBy = addDays(today(), 30)
    await form.getByTestId('deadline-effect').getByText(`办理后信访人可在 ${reviewBy} 前申请复查`).waitFor()
    await screenshot(page, 'casework-02-reply')
    const words = await sendAndConfirm(form, '答复')
    assert.match(words, /提交这份答复？提交后不能修改/)
    assert.match(words, new RegExp(reviewBy))
    await page.getByTestId('case-notice').getByText(`已答复。申请复查截止：${reviewBy}`).waitFor()

    const now = await get('qs-xinfang', `/petitions/${p.id}`)
    assert.equal(now.state, 'replied')
    assert.equal(now.deadlines.review_request_by, reviewBy)
    assert.equal(now.events.at(-1).action, 'reply')
    assert.equal(now.events.at(-1).text, reply)
  })

  test('the office refuses a new petition with the reason and where to turn', { timeout: 90_000 }, async () => {
    await login('qs-xinfang')
    const p = (await petitionsOf('qs-xinfang', '&state=submitted')).find((x) => x.subject === '养殖场污水直排')
    assert.ok(p, 'the demo has a submitted petition')
    // From the home queue to the casework page.
    await page.getByRole('button', { name: new RegExp(p.subject) }).click()
    await page.getByRole('button', { name: /打开办理页/ }).click()
    await page.getByRole('heading', { name: p.subject }).waitFor()
    await expectNoAxeViolations('/casework/petitions/:id (office)')
    const form = await choose('不予受理')
    await form.getByRole('button', { name: '不予受理', exact: true }).click()
    assert.equal(await form.getByText('请填写这一项').count(), 2)
    await form.getByLabel('不予受理的理由').fill('属于环保部门职责')
    await form.getByLabel('告诉信访人应向哪里反映').fill('请向区生态环境分局反映，电话 12369')
    await form.getByText('办理后这件信访件即办结').waitFor()
    await screenshot(page, 'casework-03-reject')
    const words = await sendAndConfirm(form, '不予受理')
    assert.match(words, /信访人会看到理由和应向哪里反映/)
    await page.getByTestId('case-state').getByText('不予受理').waitFor()

    const now = await get('qs-xinfang', `/petitions/${p.id}`)
    assert.equal(now.state, 'not_accepted')
    const e = now.events.at(-1)
    assert.deepEqual([e.action, e.reason, e.guidance], ['reject', '属于环保部门职责', '请向区生态环境分局反映，电话 12369'])
  })

  test('from the home queue the office accepts, told first of the reply deadline it sets', { timeout: 90_000 }, async () => {
    await login('qs-xinfang')
    const p = (await petitionsOf('qs-xinfang', '&state=submitted')).find((x) => x.subject === '宅基地补偿款未到位')
    assert.ok(p, 'the demo has a late submitted petition')
    await page.goto(`${server.url}/home`)
    await page.getByRole('button', { name: new RegExp(p.subject) }).click()
    await page.getByLabel('受理意见（可选）').fill('请土地所核实补偿款发放情况')
    await page.getByRole('button', { name: '受理', exact: true }).click()
    const dialog = page.locator('.van-dialog')
    await dialog.waitFor()
    const replyBy = addDays(today(), 60)
    assert.match(await dialog.innerText(), new RegExp(`受理这件信访件？[\\s\\S]*办理后答复期限为 ${replyBy}（60 天内）`))
    await screenshot(page, 'casework-03b-accept-confirm')
    await dialog.getByRole('button', { name: '确认办理' }).click()
    await page.locator('.van-toast').getByText('已办理').waitFor()
    const now = await get('qs-xinfang', `/petitions/${p.id}`)
    assert.equal(now.state, 'accepted')
    assert.equal(now.deadlines.reply_by, replyBy)
    assert.equal(now.events.at(-1).note, '请土地所核实补偿款发放情况')
  })

  test('the office extends once; a length the server refuses shows its reason and changes nothing', { timeout: 90_000 }, async () => {
    await login('qs-xinfang')
    const p = (await petitionsOf('qs-xinfang')).find(
      (x) => ['accepted', 'assigned'].includes(x.state) && x.extension_days === 0 && x.deadlines.reply_by >= today() && !x.overdue,
    )
    assert.ok(p, 'the demo has an accepted petition that can be extended')
    await openCase(p)
    const form = await choose('延期')
    await form.getByLabel('延期天数').fill('45')
    await form.getByLabel('延期理由（会告知信访人）').fill('需要实地测量')
    await sendAndConfirm(form, '延期')
    const refusal = form.getByRole('alert')
    await refusal.waitFor()
    assert.match(await refusal.innerText(), /^没有办成：/)
    assert.notEqual((await form.locator('#ca-days-error').innerText()).trim(), '')
    await screenshot(page, 'casework-04-extend-refused')
    assert.equal((await get('qs-xinfang', `/petitions/${p.id}`)).extension_days, 0)

    await form.getByLabel('延期天数').fill('20')
    const to = addDays(p.deadlines.reply_by, 20)
    await form.getByTestId('deadline-effect').getByText(`答复期限将从 ${p.deadlines.reply_by} 延到 ${to}（延期 20 天）`).waitFor()
    const words = await sendAndConfirm(form, '延期')
    assert.match(words, /延期只能一次/)
    await page.getByTestId('case-notice').getByText(`已延期。答复期限：${to}`).waitFor()
    // Once only: the action is no longer offered.
    assert.equal(await page.getByRole('button', { name: '延期', exact: true }).count(), 0)

    const now = await get('qs-xinfang', `/petitions/${p.id}`)
    assert.equal(now.extension_days, 20)
    assert.equal(now.deadlines.reply_by, to)
  })

  test('the office writes the review and the re-review opinions', { timeout: 90_000 }, async () => {
    await login('qs-xinfang')
    const review = (await petitionsOf('qs-xinfang', '&state=review_requested'))[0]
    await openCase(review)
    let form = await choose('复查意见')
    await form.getByLabel('意见（信访人会看到）').fill('经复查，补偿标准符合规定，维持原答复。')
    const rereviewBy = addDays(today(), 30)
    await form.getByTestId('deadline-effect').getByText(`办理后信访人可在 ${rereviewBy} 前申请复核`).waitFor()
    await sendAndConfirm(form, '复查意见')
    await page.getByTestId('case-state').getByText('已复查').waitFor()
    let now = await get('qs-xinfang', `/petitions/${review.id}`)
    assert.equal(now.state, 'reviewed')
    assert.equal(now.deadlines.rereview_request_by, rereviewBy)
    assert.equal(now.events.at(-1).text, '经复查，补偿标准符合规定，维持原答复。')

    const rereview = (await petitionsOf('qs-xinfang', '&state=rereview_requested'))[0]
    await openCase(rereview)
    form = await choose('复核意见')
    await form.getByLabel('意见（信访人会看到）').fill('经复核，维持复查意见。')
    const words = await sendAndConfirm(form, '复核意见')
    assert.match(words, /复核意见是最终意见/)
    await page.getByTestId('case-state').getByText('已复核').waitFor()
    await page.getByText('这件信访件目前没有需要您办理的环节。').waitFor()
    await expectNoAxeViolations('a re-reviewed petition')
    now = await get('qs-xinfang', `/petitions/${rereview.id}`)
    assert.equal(now.state, 'rereviewed')
  })

  test('the office withdraws at the counter only with the petitioner’s PIN', { timeout: 90_000 }, async () => {
    await login('qs-xinfang')
    const directory = await (await fetch(`${server.url}/api/v1/directory`)).json()
    const qs = directory.townships.find((t) => t.name === '青山镇')
    const res = await fetch(`${server.url}/api/v1/petitions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'online', township_id: qs.id, category: 'other', subject: 'e2e 代为撤回', text: '路面已经修好了。', anonymous: false, petitioner: { name: '钱进', phone: '13905719999' } }),
    })
    assert.equal(res.status, 201)
    const filed = await res.json()
    await openCase({ id: filed.id, subject: 'e2e 代为撤回' })
    const form = await choose('代为撤回')
    const wrong = filed.pin === '000000' ? '111111' : '000000'
    await form.getByLabel('信访人的查询密码').fill(wrong)
    await form.getByLabel('撤回原因（信访人本人所说）').fill('问题已经解决')
    await sendAndConfirm(form, '代为撤回')
    await form.getByRole('alert').waitFor()
    assert.match(await form.getByRole('alert').innerText(), /^没有办成：/)
    assert.equal((await get('qs-xinfang', `/petitions/${filed.id}`)).state, 'submitted')

    await form.getByLabel('信访人的查询密码').fill(filed.pin)
    const words = await sendAndConfirm(form, '代为撤回')
    assert.match(words, /按信访人本人的要求撤回/)
    await page.getByTestId('case-state').getByText('已撤回').waitFor()
    const now = await get('qs-xinfang', `/petitions/${filed.id}`)
    assert.equal(now.state, 'withdrawn')
    assert.equal(now.events.at(-1).reason, '问题已经解决')
  })

  test('a possible duplicate is shown beside the earlier petition', { timeout: 60_000 }, async () => {
    await login('qs-xinfang')
    const p = (await petitionsOf('qs-xinfang')).find((x) => x.possible_duplicate && x.duplicate_of)
    assert.ok(p, 'the demo has a possible duplicate')
    const earlier = await get('qs-xinfang', `/petitions/${p.duplicate_of}`)
    await openCase(p)
    const table = page.getByRole('table')
    await table.waitFor()
    const codes = table.getByRole('row', { name: /查询码/ })
    assert.match(await codes.innerText(), new RegExp(`${p.tracking_code}\\s+${earlier.tracking_code}`))
    assert.match(await table.getByRole('row', { name: /标题/ }).innerText(), new RegExp(`${p.subject}\\s+${earlier.subject}`))
    await expectNoAxeViolations('a possible duplicate')
    await screenshot(page, 'casework-05-duplicate')
  })

  test('the casework page reads in English too', { timeout: 60_000 }, async () => {
    await login('qs-xinfang')
    const p = (await petitionsOf('qs-xinfang')).find((x) => x.possible_duplicate && x.duplicate_of)
    await openCase(p)
    await page.getByRole('button', { name: 'Switch to English' }).click()
    await page.getByRole('heading', { name: 'Actions' }).waitFor()
    await page.getByRole('heading', { name: 'Possible duplicate' }).waitFor()
    await page.getByRole('heading', { name: 'Petition', level: 1 }).waitFor()
    assert.match(await page.getByTestId('case-due').innerText(), /Decide acceptance by: \d{4}-\d{2}-\d{2}/)
    await expectNoAxeViolations('the casework page in English')
    await page.getByRole('button', { name: '切换为中文' }).click()
    await page.getByRole('heading', { name: '办理', exact: true }).waitFor()
  })

  test('the figures screen draws the chart and downloads the table as XLSX and CSV', { timeout: 90_000 }, async () => {
    await login('xinfang')
    await page.getByRole('button', { name: /信访统计/ }).click()
    await page.waitForURL(`${server.url}/casework/figures`)
    const from = `${today().slice(0, 4)}-01-01`
    const figures = await get('xinfang', `/petitions/figures?from=${from}&to=${today()}`)
    const totalRow = page.getByRole('row', { name: /^合计/ })
    await totalRow.waitFor()
    assert.match(await totalRow.innerText(), new RegExp(`^合计\\s+${figures.total.received}\\s+${figures.total.accepted}\\s`))
    await page.locator('[role=img] svg').first().waitFor()
    await expectNoAxeViolations('/casework/figures')
    await screenshot(page, 'casework-06-figures')

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 Excel' }).click()])
    assert.equal(xlsx.suggestedFilename(), `信访统计_${from}_${today()}.xlsx`)
    const xlsxBytes = await readFile(await xlsx.path())
    assert.equal(xlsxBytes.subarray(0, 2).toString(), 'PK')

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 CSV' }).click()])
    assert.equal(csv.suggestedFilename(), `信访统计_${from}_${today()}.csv`)
    const csvBytes = await readFile(await csv.path())
    const fromApi = await api('xinfang', `/petitions/figures?from=${from}&to=${today()}&format=csv`)
    assert.deepEqual(csvBytes, Buffer.from(fromApi.body))
    assert.match(csvBytes.toString('utf8'), /乡镇（街道）/)
  })

  test('the township lead reads each member’s progress, the overdue petitions (never one about the lead) and the rota', { timeout: 120_000 }, async () => {
    const officials = (await get('qs-xinfang', `/users?role=official&limit=200`)).items.filter((u) => u.township_id)
    const lead = officials.find((u) => u.lead && u.username.startsWith('qs-'))
    assert.ok(lead, 'the demo has a lead in 青山镇')
    const tid = lead.township_id
    const team = officials.filter((u) => u.township_id === tid && u.team_member)

    await login(lead.username)
    await page.getByRole('button', { name: /全镇履职情况/ }).click()
    await page.waitForURL(`${server.url}/lead`)
    const cards = page.getByTestId('member-progress')
    await cards.first().waitFor()
    assert.equal(await cards.count(), team.length)
    for (const m of team) {
      const pr = await get(lead.username, `/progress/officials/${m.id}?date=${today()}`)
      const card = cards.filter({ hasText: m.display_name })
      const text = await card.innerText()
      assert.match(text, new RegExp(`本周住夜 ${pr.overnight.counted}/${pr.overnight.required} 晚`))
      assert.match(text, new RegExp(`今年蹲点 ${pr.stationing.counted_days} 天，应到 ${pr.stationing.expected_to_date} 天`))
      assert.match(text, new RegExp(`必访：待走访 ${pr.visits.open} 户，已超期 ${pr.visits.overdue} 户`))
    }

    const overdue = await petitionsOf(lead.username, `&overdue=true&township_id=${tid}`)
    const shown = await page.getByTestId('overdue-petition').allInnerTexts()
    assert.equal(shown.length, overdue.length)
    for (const p of overdue) assert.ok(shown.some((x) => x.includes(p.tracking_code)), `${p.tracking_code} is listed`)
    // The report about the lead exists for the office, and for the lead nowhere.
    const about = (await petitionsOf('qs-xinfang')).find((p) => p.subject === '干部吃拿卡要')
    assert.ok(about, 'the office sees the report about the lead')
    assert.equal((await petitionsOf(lead.username)).some((p) => p.id === about.id), false)
    assert.equal(shown.some((x) => x.includes(about.tracking_code)), false)
    const card = await get(lead.username, `/scorecards?township_id=${tid}&from=${today().slice(0, 4)}-01-01&to=${today()}`)
    assert.equal(await page.locator('.ld__table tbody tr').count(), card.rows.length)
    await expectNoAxeViolations('/lead')
    await screenshot(page, 'casework-07-lead')

    await page.goto(`${server.url}/casework/petitions/${about.id}`)
    await page.getByRole('alert').waitFor()
    assert.equal(await page.getByRole('heading', { name: about.subject }).count(), 0)

    await page.goto(`${server.url}/lead`)
    await page.getByRole('button', { name: '接访排班' }).click()
    await page.waitForURL(`${server.url}/office/rota`)
    await page.getByText('排班由信访办生成和调整；这里只能查看。').waitFor()
    await page.getByRole('button', { name: '查看' }).waitFor()
    assert.equal(await page.getByRole('button', { name: /^换人/ }).count(), 0)
    assert.equal(await page.getByRole('button', { name: '按顺序生成排班' }).count(), 0)
    await expectNoAxeViolations('/office/rota (lead)')
  })

  test('the office gives a reception day to another team member, and the change is kept', { timeout: 120_000 }, async () => {
    await login('qs-xinfang')
    const me = await get('qs-xinfang', '/me')
    const tid = me.township_id
    const to = addDays(today(), 27)
    await page.goto(`${server.url}/office/rota`)
    let days = (await get('qs-xinfang', `/reception-days?township_id=${tid}&from=${today()}&to=${to}`)).items
    if (!days.length) {
      await page.getByRole('button', { name: '按顺序生成排班' }).click()
      await page.locator('.van-toast').getByText(/已生成/).waitFor()
      days = (await get('qs-xinfang', `/reception-days?township_id=${tid}&from=${today()}&to=${to}`)).items
    }
    const day = days.sort((a, b) => a.date.localeCompare(b.date)).find((d) => !d.attended && d.official_id)
    assert.ok(day, 'a day of the rota can change hands')
    const team = (await get('qs-xinfang', `/users?township_id=${tid}&role=official&limit=200`)).items.filter((u) => u.team_member)
    const from = team.find((u) => u.id === day.official_id)
    const next = team.find((u) => u.id !== day.official_id)

    await page.getByRole('button', { name: `换人 ${day.date}` }).click()
    const form = page.getByRole('form', { name: `${day.date} 的接访人` })
    await form.getByLabel('改由').selectOption(next.id)
    await form.getByLabel('换人原因').fill('原接访人参加县里培训')
    await expectNoAxeViolations('the reassign form')
    await screenshot(page, 'casework-08-reassign')
    await form.getByRole('button', { name: '换人' }).click()
    const dialog = page.locator('.van-dialog')
    await dialog.waitFor()
    assert.match(await dialog.innerText(), new RegExp(`把 ${day.date} .* 的接访从 ${from.display_name} 改为 ${next.display_name}？`))
    await dialog.getByRole('button', { name: '换人' }).click()
    await page.locator('.van-toast').getByText(`已改为 ${next.display_name}`).waitFor()
    await page.getByTestId('rota-day').filter({ hasText: day.date }).getByText(next.display_name).waitFor()

    const now = await get('qs-xinfang', `/reception-days/${day.id}`)
    assert.equal(now.official_id, next.id)
    assert.deepEqual(
      [now.history.at(-1).from_official_id, now.history.at(-1).to_official_id, now.history.at(-1).reason],
      [from.id, next.id, '原接访人参加县里培训'],
    )
  })

  test('no page threw an uncaught error', () => {
    assert.deepEqual(browser.errors, [])
  })
})
