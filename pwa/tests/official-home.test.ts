import { describe, expect, it } from 'vitest'
import { pendingField, type Finding, type OvernightStay, type Petition, type Progress, type ReceptionDay, type ServerEvidence, type Stationing, type VisitTrigger } from '../src/api/duties'
import type { OutboxItem } from '../src/outbox/types'
import { addDays, dateIn, today, type TodayInput } from '../src/views/official/today'

const ME = '11111111-1111-4111-8111-111111111111'
const OTHER = '99999999-9999-4999-8999-999999999999'
const NOW = Date.parse('2026-11-26T07:30:00+08:00')

const progress: Progress = {
  official_id: ME,
  date: '2026-11-26',
  overnight: { week: '2026-W48', leave_days: 0, required: 2, counted: 1, status: 'short' },
  stationing: { year: 2026, period_start: '2026-01-01', period_end: '2026-12-31', required_days: 90, counted_days: 12, expected_to_date: 82, status: 'behind' },
  reception: { year: 2026, assigned: 5, attended: 4, on_time: 1 },
  visits: { open: 2, overdue: 1, on_time: 1, late: 0, visits: 1, households_visited: 1 },
  links: { village_id: 'v1', linked_households: 12, minimum: 10, status: 'met' },
}

function ev(at: string): ServerEvidence {
  return { occurred_at: at, received_at: at, lat: 30, lng: 120, accuracy_m: 20, distance_m: 100, photo_ids: [], flags: [], counts: true }
}

function day(id: string, date: string, official: string | null, checkin: ServerEvidence | null = null): ReceptionDay {
  return { id, township_id: 't', date, official_id: official, checkin, attended: checkin !== null, on_time: checkin !== null, refuted: false }
}

function item(kind: string, url: string, body: unknown): OutboxItem {
  return { id: `item-${kind}-${url}`, owner: ME, kind, method: 'POST', url, body, file: null, created_at: '', attempts: 0, next_attempt_at: 0, last_error: null, blocked: null }
}

function input(over: Partial<TodayInput> = {}): TodayInput {
  return {
    me: ME,
    today: '2026-11-26',
    now: NOW,
    progress,
    receptionDays: [],
    stays: [],
    stationings: [],
    triggers: [],
    findings: [],
    petitions: [],
    pending: pendingField([]),
    ...over,
  }
}

describe('the official home for given answers', () => {
  it('shows the progress figures and statuses as the server answers them', () => {
    const v = today(input())
    expect(v.overnight).toMatchObject({ counted: 1, required: 2, status: 'short', week: '2026-W48', open: null, pending: 0 })
    expect(v.stationing).toMatchObject({ counted: 12, required: 90, expected: 82, status: 'behind', open: null })
    expect(v.reception).toBeNull()
  })

  it('says whether I am today’s receiver, and whether my check-in is waiting or stored', () => {
    const days = [day('d0', '2026-11-26', OTHER), day('d1', '2026-11-26', ME), day('d2', '2026-12-03', ME)]
    expect(today(input({ receptionDays: days })).reception).toMatchObject({ state: 'todo', day: { id: 'd1' } })
    const queued = pendingField([item('reception_checkin', '/api/v1/reception-days/d1/checkin', { evidence: {} })])
    expect(today(input({ receptionDays: days, pending: queued })).reception?.state).toBe('pending')
    const stored = [day('d1', '2026-11-26', ME, ev('2026-11-26T00:40:00Z'))]
    expect(today(input({ receptionDays: stored, pending: queued })).reception?.state).toBe('done')
    // Not today: the next reception day is shown instead.
    const other = today(input({ receptionDays: [day('d0', '2026-11-26', OTHER), day('d2', '2026-12-03', ME), day('d3', '2026-11-30', ME)] }))
    expect(other.reception).toBeNull()
    expect(other.nextReception).toBe('2026-11-30')
  })

  it('offers the check-out of last night’s stay, from the server or still in the outbox', () => {
    const stay: OvernightStay = { id: 's1', night_date: '2026-11-25', week: '2026-W48', checkin: ev('2026-11-25T12:10:00Z'), checkout: null, counts: false }
    expect(today(input({ stays: [stay] })).overnight.open).toEqual({ id: 's1', since: '2026-11-25T12:10:00Z', village_id: undefined, pending: false })

    const queuedIn = pendingField([item('overnight_checkin', '/api/v1/overnight-stays', { id: 'q1', checkin: { occurred_at: '2026-11-25T13:00:00.000Z' } })])
    const v = today(input({ stays: [stay], pending: queuedIn }))
    expect(v.overnight.open).toMatchObject({ id: 'q1', pending: true })
    expect(v.overnight.pending).toBe(1)

    // A queued check-out closes it; an old stay without check-out is left behind.
    const queuedOut = pendingField([item('overnight_checkout', '/api/v1/overnight-stays/s1/checkout', { evidence: {} })])
    expect(today(input({ stays: [stay], pending: queuedOut })).overnight.open).toBeNull()
    const old = { ...stay, checkin: ev('2026-11-23T12:10:00Z') }
    expect(today(input({ stays: [old] })).overnight.open).toBeNull()
    const done = { ...stay, checkout: ev('2026-11-25T23:00:00Z') }
    expect(today(input({ stays: [done] })).overnight.open).toBeNull()
  })

  it('offers the stationing check-out of today’s open session with its village', () => {
    const s: Stationing = { id: 'st1', village_id: 'v9', date: '2026-11-26', checkin: ev('2026-11-25T23:00:00Z'), checkout: null, counts: false }
    expect(today(input({ stationings: [s] })).stationing.open).toMatchObject({ id: 'st1', village_id: 'v9', pending: false })
    const queued = pendingField([item('stationing_checkin', '/api/v1/stationings', { id: 'st2', village_id: 'v3', checkin: { occurred_at: '2026-11-25T23:30:00Z' } })])
    expect(today(input({ stationings: [s], pending: queued })).stationing.open).toMatchObject({ id: 'st2', village_id: 'v3', pending: true })
  })

  it('splits my open must-visits into overdue and due, soonest first, and marks a queued visit', () => {
    const tr = (id: string, due: string, status: VisitTrigger['status'], responsible = ME): VisitTrigger => ({
      id, township_id: 't', household_id: `h-${id}`, category: 'illness', occurred_on: '2026-11-20', due_at: due, note: '', responsible_id: responsible, status,
    })
    const triggers = [
      tr('a', '2026-11-30T16:00:00Z', 'open'),
      tr('b', '2026-11-18T16:00:00Z', 'overdue'),
      tr('c', '2026-11-28T16:00:00Z', 'open'),
      tr('d', '2026-11-10T16:00:00Z', 'on_time'),
      tr('e', '2026-11-10T16:00:00Z', 'overdue', OTHER),
      tr('f', '2026-11-25T16:00:00Z', 'open'), // past due, not yet marked by the server
    ]
    const queued = pendingField([item('visit', '/api/v1/visits', { id: 'v', household_id: 'h-c', trigger_id: 'c', evidence: { occurred_at: '2026-11-26T00:00:00Z' } })])
    const v = today(input({ triggers, pending: queued }))
    expect(v.overdueVisits.map((t) => t.id)).toEqual(['b', 'f'])
    expect(v.dueVisits.map((t) => [t.id, t.visitPending])).toEqual([
      ['c', true],
      ['a', false],
    ])
  })

  it('lists the discrepancies waiting for my explanation, and my petitions to reply by deadline', () => {
    const f = (id: string, over: Partial<Finding>): Finding => ({
      id, audit_id: 'a', record_id: `overnight_stay:${id}`, result: 'discrepancy', notes: 'n', explanation_due_on: '2026-12-01', explanation: null, resolution: null, created_at: '', ...over,
    })
    const findings = [f('1', {}), f('2', { explanation: 'done' }), f('3', { result: 'confirmed', explanation_due_on: null }), f('4', { explanation_due_on: '2026-11-28' })]
    const p = (id: string, over: Partial<Petition>): Petition => ({
      id, tracking_code: `XF-${id}`, township_id: 't', category: 'land', subject: id, state: 'assigned', handler_id: ME, deadlines: {}, overdue: false, overdue_step: null, submitted_at: '', petitioner: null, channel: 'online', ...over,
    })
    const petitions = [
      p('late', { deadlines: { reply_by: '2026-12-20' } }),
      p('soon', { deadlines: { reply_by: '2026-12-01' } }),
      p('overdue', { deadlines: { reply_by: '2026-11-11' }, overdue: true }),
      p('replied', { state: 'replied' }),
      p('others', { handler_id: OTHER }),
    ]
    const v = today(input({ findings, petitions }))
    expect(v.explanations.map((x) => x.id)).toEqual(['4', '1'])
    expect(v.petitions.map((x) => [x.petition.id, x.deadline])).toEqual([
      ['overdue', '2026-11-11'],
      ['soon', '2026-12-01'],
      ['late', '2026-12-20'],
    ])
  })

  it('works out the district’s date', () => {
    expect(dateIn('Asia/Shanghai', Date.parse('2026-11-25T16:30:00Z'))).toBe('2026-11-26')
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02')
  })
})
