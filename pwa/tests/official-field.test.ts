import { describe, expect, it } from 'vitest'
import type { Household, VisitTrigger } from '../src/api/duties'
import {
  cleanIssues,
  contactHome,
  pendingHandRecords,
  queueTalkDay,
  queueTrigger,
  talkDayProblems,
  triggerProblems,
  visitDueDate,
} from '../src/api/field'
import type { NewItem, OutboxItem } from '../src/outbox/types'

const ME = '11111111-1111-4111-8111-111111111111'
const OTHER = '99999999-9999-4999-8999-999999999999'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function recorder() {
  const items: NewItem[] = []
  return { items, outbox: { enqueue: async (i: NewItem) => void items.push(i) } as never }
}

function asItem(n: NewItem, blocked = false): OutboxItem {
  return { ...n, id: 'x', owner: ME, file: null, created_at: '', attempts: 0, next_attempt_at: 0, last_error: null, blocked: blocked ? { status: 422, title: 'no' } as never : null }
}

describe('talk days', () => {
  const ok = { village_id: 'v1', held_on: '2026-11-20', attendance: '35', issues: ['路灯坏了', ''] }

  it('accepts a complete form, and says what is missing or wrong', () => {
    expect(talkDayProblems(ok, '2026-11-26')).toEqual({})
    expect(talkDayProblems({ ...ok, village_id: null }, '2026-11-26')).toEqual({ village: 'village' })
    expect(talkDayProblems({ ...ok, held_on: '' }, '2026-11-26')).toEqual({ date: 'date' })
    expect(talkDayProblems({ ...ok, held_on: '2026-11-27' }, '2026-11-26')).toEqual({ date: 'future' })
    expect(talkDayProblems({ ...ok, held_on: '2026-11-26' }, '2026-11-26')).toEqual({})
    for (const a of ['', '-1', '3.5', 'abc', '100001']) expect(talkDayProblems({ ...ok, attendance: a }, '2026-11-26')).toEqual({ attendance: 'attendance' })
    expect(talkDayProblems({ ...ok, attendance: '0' }, '2026-11-26')).toEqual({})
    expect(talkDayProblems({ ...ok, attendance: '100000' }, '2026-11-26')).toEqual({})
    expect(talkDayProblems({ ...ok, issues: ['字'.repeat(1001)] }, '2026-11-26')).toEqual({ issues: 'issueLength' })
    expect(talkDayProblems({ ...ok, issues: ['字'.repeat(1000)] }, '2026-11-26')).toEqual({})
    expect(talkDayProblems({ ...ok, issues: Array(101).fill('a') }, '2026-11-26')).toEqual({ issues: 'issues' })
  })

  it('drops empty issue lines and trims the others', () => {
    expect(cleanIssues(['  路灯坏了 ', '', '   ', '水渠堵了'])).toEqual(['路灯坏了', '水渠堵了'])
  })

  it('goes through the outbox with an id of its own, and a fresh id each time', async () => {
    const r = recorder()
    const id = await queueTalkDay(r.outbox, { village_id: 'v1', held_on: '2026-11-20', attendance: 35, issues: [' 路灯坏了 ', ''] })
    const id2 = await queueTalkDay(r.outbox, { village_id: 'v1', held_on: '2026-11-20', attendance: 35, issues: [] })
    expect(id).toMatch(UUID)
    expect(id2).not.toBe(id)
    expect(r.items[0]).toEqual({
      kind: 'talk_day',
      method: 'POST',
      url: '/api/v1/talk-days',
      body: { id, village_id: 'v1', held_on: '2026-11-20', attendance: 35, issues: ['路灯坏了'] },
    })
    const pending = pendingHandRecords([asItem(r.items[0]), asItem(r.items[1], true)])
    expect(pending.talkDays.map((p) => [p.id, p.attendance, p.issues, p.blocked])).toEqual([
      [id, 35, ['路灯坏了'], false],
      [id2, 35, [], true],
    ])
    expect(pending.triggers).toEqual([])
  })
})

describe('must-visit situations recorded by hand', () => {
  const ok = { household_id: 'h1', category: 'illness', occurred_on: '2026-11-25', note: '' }

  it('needs a household, a category and a date not after today', () => {
    expect(triggerProblems(ok, '2026-11-26')).toEqual({})
    expect(triggerProblems({ ...ok, household_id: null, category: null }, '2026-11-26')).toEqual({ household: 'household', category: 'category' })
    expect(triggerProblems({ ...ok, occurred_on: '2026-11-27' }, '2026-11-26')).toEqual({ date: 'future' })
    expect(triggerProblems({ ...ok, note: 'a'.repeat(1001) }, '2026-11-26')).toEqual({ note: 'note' })
  })

  it('goes through the outbox as a visit_trigger with its own id', async () => {
    const r = recorder()
    const id = await queueTrigger(r.outbox, { ...ok, note: ' 住院了 ' })
    expect(r.items[0]).toEqual({
      kind: 'visit_trigger',
      method: 'POST',
      url: '/api/v1/visit-triggers',
      body: { id, household_id: 'h1', category: 'illness', occurred_on: '2026-11-25', note: '住院了' },
    })
    expect(pendingHandRecords(r.items.map((i) => asItem(i))).triggers[0]).toMatchObject({ id, household_id: 'h1', blocked: false })
  })

  it('is due the category’s days after it occurred (7 by default), across a month end', () => {
    expect(visitDueDate('2026-11-25', 7)).toBe('2026-12-02')
    expect(visitDueDate('2026-11-25', undefined)).toBe('2026-12-02')
    expect(visitDueDate('2026-02-27', 3)).toBe('2026-03-02')
  })
})

describe('the contact official’s home', () => {
  const NOW = Date.parse('2026-11-26T10:00:00+08:00')
  const hh = (id: string, name: string, contact: string | null, village = 'v1'): Household => ({
    id,
    township_id: 't',
    village_id: village,
    head_name: name,
    address: `${name}家`,
    contact_official_id: contact,
  })
  const tr = (id: string, household: string, due: string, status: VisitTrigger['status'] = 'open', responsible: string | null = ME): VisitTrigger => ({
    id,
    township_id: 't',
    household_id: household,
    category: 'illness',
    occurred_on: '2026-11-20',
    due_at: due,
    note: '',
    responsible_id: responsible,
    status,
  })
  const households = [hh('h1', '张三', ME), hh('h2', '李四', ME), hh('h3', '王五', OTHER), hh('h4', '赵六', ME, 'v0')]

  it('lists only my contact households, those with an overdue visit first, then those with one due', () => {
    const triggers = [
      tr('t1', 'h2', '2026-11-28T16:00:00Z'),
      tr('t2', 'h1', '2026-11-25T16:00:00Z'), // past due
      tr('t3', 'h3', '2026-11-27T16:00:00Z', 'open', OTHER), // someone else's
      tr('t4', 'h1', '2026-11-20T16:00:00Z', 'on_time'), // closed
    ]
    const v = contactHome(ME, households, triggers, new Set(), NOW)
    expect(v.rows.map((r) => r.household.id)).toEqual(['h1', 'h2', 'h4'])
    expect(v.rows[0]).toMatchObject({ overdue: 1 })
    expect(v.rows[0].triggers.map((t) => t.id)).toEqual(['t2'])
    expect(v.rows[1].triggers.map((t) => [t.id, t.overdue])).toEqual([['t1', false]])
    expect(v.rows[2].triggers).toEqual([])
    expect([v.due, v.overdue]).toEqual([1, 1])
    expect(v.others).toEqual([])
  })

  it('shows a visit waiting in the outbox, and must-visits of households I am not the contact of', () => {
    const triggers = [tr('t1', 'h2', '2026-11-28T16:00:00Z'), tr('t5', 'h3', '2026-11-27T16:00:00Z')]
    const v = contactHome(ME, households, triggers, new Set(['t1']), NOW)
    expect(v.rows.find((r) => r.household.id === 'h2')?.triggers[0].visitPending).toBe(true)
    expect(v.others.map((t) => t.id)).toEqual(['t5'])
  })

  it('has nothing for an official with no contact households', () => {
    expect(contactHome(OTHER, [hh('h1', '张三', ME)], [], new Set(), NOW)).toEqual({ rows: [], others: [], due: 0, overdue: 0 })
  })
})
