import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, downloadName, paramsFrom, type CasePetition } from '../src/api/casework'
import { actionsFor, daysBetween, deadlineEffect, deadlineStatus, missingFields } from '../src/views/casework/casework'
import { figuresOption } from '../src/views/casework/figures'

const TODAY = '2026-12-05'
const office = { id: 'po', role: 'petition_officer' as const }
const handler = { id: 'h1', role: 'official' as const }
const lead = { id: 'lead', role: 'official' as const }

const petition = (over: Partial<CasePetition>): Pick<CasePetition, 'state' | 'handler_id' | 'extension_days' | 'deadlines'> => ({
  state: 'submitted',
  handler_id: null,
  extension_days: 0,
  deadlines: {},
  ...over,
})

describe('days left', () => {
  it('counts calendar days, the deadline day itself still on time', () => {
    expect(daysBetween('2026-12-05', '2026-12-05')).toBe(0)
    expect(daysBetween('2026-12-05', '2027-01-04')).toBe(30)
    expect(daysBetween('2026-12-05', '2026-12-01')).toBe(-4)
    // Across the change to and from summer time elsewhere: plain dates, no clock.
    expect(daysBetween('2026-03-01', '2026-04-01')).toBe(31)
  })

  it('answers the deadline of the current step', () => {
    expect(deadlineStatus({ state: 'assigned', deadlines: { accept_by: '2026-11-01', reply_by: '2026-12-08' } }, TODAY)).toEqual({ date: '2026-12-08', daysLeft: 3 })
    expect(deadlineStatus({ state: 'review_requested', deadlines: { reply_by: '2026-10-01', review_by: '2026-12-01' } }, TODAY)).toEqual({ date: '2026-12-01', daysLeft: -4 })
    expect(deadlineStatus({ state: 'closed', deadlines: { reply_by: '2026-10-01' } }, TODAY)).toBeNull()
  })
})

describe('actions by reader and state', () => {
  it('the office decides, assigns, extends once, gives opinions and withdraws at the counter', () => {
    expect(actionsFor(petition({ state: 'submitted' }), office, TODAY)).toEqual(['accept', 'reject', 'withdraw'])
    expect(actionsFor(petition({ state: 'accepted', deadlines: { reply_by: '2027-01-01' } }), office, TODAY)).toEqual(['assign', 'reply', 'extend', 'withdraw'])
    expect(actionsFor(petition({ state: 'assigned', handler_id: 'h1', deadlines: { reply_by: '2027-01-01' } }), office, TODAY)).toEqual(['assign', 'extend', 'withdraw'])
    // Extended already, or the reply deadline has passed: no extension.
    expect(actionsFor(petition({ state: 'assigned', extension_days: 30, deadlines: { reply_by: '2027-01-01' } }), office, TODAY)).toEqual(['assign', 'withdraw'])
    expect(actionsFor(petition({ state: 'assigned', deadlines: { reply_by: '2026-12-04' } }), office, TODAY)).toEqual(['assign', 'withdraw'])
    expect(actionsFor(petition({ state: 'assigned', deadlines: { reply_by: TODAY } }), office, TODAY)).toContain('extend')
    expect(actionsFor(petition({ state: 'replied' }), office, TODAY)).toEqual(['withdraw'])
    expect(actionsFor(petition({ state: 'review_requested' }), office, TODAY)).toEqual(['review', 'withdraw'])
    expect(actionsFor(petition({ state: 'rereview_requested' }), office, TODAY)).toEqual(['rereview', 'withdraw'])
    for (const state of ['not_accepted', 'rereviewed', 'closed', 'withdrawn']) expect(actionsFor(petition({ state }), office, TODAY)).toEqual([])
  })

  it('the handler replies to what is assigned to them; anyone else only reads', () => {
    expect(actionsFor(petition({ state: 'assigned', handler_id: 'h1' }), handler, TODAY)).toEqual(['reply'])
    expect(actionsFor(petition({ state: 'assigned', handler_id: 'h1' }), lead, TODAY)).toEqual([])
    expect(actionsFor(petition({ state: 'accepted', handler_id: null }), handler, TODAY)).toEqual([])
    expect(actionsFor(petition({ state: 'replied', handler_id: 'h1' }), handler, TODAY)).toEqual([])
  })
})

describe('the deadline an action sets', () => {
  const p = { deadlines: { reply_by: '2027-01-10' } }
  it('counts from today with the settings of the day received', () => {
    const params = { ...DEFAULT_PARAMS, reply_days: 45 }
    expect(deadlineEffect('accept', p, params, TODAY)).toEqual({ kind: 'sets', key: 'reply_by', date: '2027-01-19', days: 45 })
    expect(deadlineEffect('reply', p, DEFAULT_PARAMS, TODAY)).toEqual({ kind: 'sets', key: 'review_request_by', date: '2027-01-04', days: 30 })
    expect(deadlineEffect('review', p, DEFAULT_PARAMS, TODAY)).toEqual({ kind: 'sets', key: 'rereview_request_by', date: '2027-01-04', days: 30 })
  })
  it('an extension moves the reply deadline; assigning keeps it; the final steps end it', () => {
    expect(deadlineEffect('extend', p, DEFAULT_PARAMS, TODAY, 20)).toEqual({ kind: 'moves', key: 'reply_by', from: '2027-01-10', date: '2027-01-30', days: 20 })
    expect(deadlineEffect('extend', p, DEFAULT_PARAMS, TODAY, 0)).toBeNull()
    expect(deadlineEffect('assign', p, DEFAULT_PARAMS, TODAY)).toEqual({ kind: 'keeps', key: 'reply_by', date: '2027-01-10' })
    for (const a of ['reject', 'rereview', 'withdraw'] as const) expect(deadlineEffect(a, p, DEFAULT_PARAMS, TODAY)).toEqual({ kind: 'ends' })
  })
})

describe('forms and answers', () => {
  it('asks for every field but the acceptance note', () => {
    expect(missingFields('accept', { note: '' })).toEqual([])
    expect(missingFields('reject', { reason: ' ', guidance: '请向法院起诉' })).toEqual(['reason'])
    expect(missingFields('withdraw', {})).toEqual(['pin', 'reason'])
    expect(missingFields('extend', { days: '10', reason: '需要测量' })).toEqual([])
  })

  it('reads the deadline settings, keeping the defaults for what is missing', () => {
    expect(paramsFrom({ 'petition.reply_days': 45, 'petition.accept_days': 'x' })).toEqual({ ...DEFAULT_PARAMS, reply_days: 45 })
  })

  it('saves a download under its Chinese name when the server gives one', () => {
    expect(downloadName(`attachment; filename="petitions_2026-01-01_2026-12-05.xlsx"; filename*=UTF-8''%E4%BF%A1%E8%AE%BF%E7%BB%9F%E8%AE%A1.xlsx`, 'x')).toBe('信访统计.xlsx')
    expect(downloadName('attachment; filename="scorecard.csv"', 'x')).toBe('scorecard.csv')
    expect(downloadName('', 'fallback.csv')).toBe('fallback.csv')
  })

  it('charts each township’s received, on-time and overdue counts', () => {
    const row = (name: string, received: number, onTime: number, overdue: number) =>
      ({ township_id: name, township_name: name, received, replied_on_time: onTime, overdue }) as never
    const option = figuresOption({ from: '', to: '', categories: [], townships: [row('青山镇', 5, 2, 1), row('柳溪镇', 3, 3, 0)], total: row('', 8, 5, 1) }, { received: '收件', repliedOnTime: '按期答复', overdue: '超期未办' })
    expect((option.yAxis as { data: string[] }).data).toEqual(['青山镇', '柳溪镇'])
    expect((option.series as { name: string; data: number[] }[]).map((s) => [s.name, s.data])).toEqual([
      ['收件', [5, 3]],
      ['按期答复', [2, 3]],
      ['超期未办', [1, 0]],
    ])
  })
})
