import { describe, expect, it } from 'vitest'
import type { PetitionState, TrackedPetition } from '../src/api/petitions'
import { forgetReceipt, groupPIN, loadReceipt, normalizeCode, normalizePIN, saveReceipt } from '../src/views/villager/receipt'
import { currentDeadline, eventKey, localDate, reviewOption, stateTone } from '../src/views/villager/track'
import zhCN from '../src/i18n/zh-CN'
import { villagerEnUS, villagerZhCN } from '../src/i18n/villager'
import { MemoryStorage } from './villagerHelpers'

describe('receipt', () => {
  it('stays in the tab until the villager has kept it, then is gone', () => {
    const storage = new MemoryStorage()
    expect(loadReceipt(storage)).toBeNull()
    saveReceipt(storage, { id: 'p1', tracking_code: 'XF20261125-0042', pin: '048291' }, 1000)
    expect(loadReceipt(storage)).toEqual({ id: 'p1', tracking_code: 'XF20261125-0042', pin: '048291', submitted_at: 1000 })
    forgetReceipt(storage)
    expect(loadReceipt(storage)).toBeNull()
  })

  it('ignores a damaged receipt', () => {
    const storage = new MemoryStorage()
    storage.setItem('minxin.petition.receipt', '{"id": 1')
    expect(loadReceipt(storage)).toBeNull()
    storage.setItem('minxin.petition.receipt', '{"id": "p1"}')
    expect(loadReceipt(storage)).toBeNull()
  })

  it('shows the PIN in two groups, keeping its leading zero, and reads back what was copied', () => {
    expect(groupPIN('048291')).toBe('048 291')
    expect(normalizePIN(' 048 291 ')).toBe('048291')
    expect(normalizeCode(' xf20261125-0042 ')).toBe('XF20261125-0042')
  })
})

function tracked(state: PetitionState, extra: Partial<TrackedPetition> = {}): TrackedPetition {
  return {
    id: 'p1',
    tracking_code: 'XF20261125-0042',
    channel: 'online',
    category: 'land',
    subject: 's',
    text: 't',
    state,
    received_on: '2026-11-25',
    deadlines: {
      accept_by: '2026-12-10',
      reply_by: '2027-02-08',
      review_request_by: '2027-03-10',
      review_by: '2027-04-09',
      rereview_request_by: '2027-05-09',
      rereview_by: '2027-06-08',
    },
    overdue: false,
    extension_days: 0,
    rating: null,
    events: [],
    options: [],
    ...extra,
  }
}

describe('tracking states', () => {
  it('shows the deadline that concerns the petitioner in each state', () => {
    const expected: Record<PetitionState, string | null> = {
      submitted: 'accept_by',
      accepted: 'reply_by',
      assigned: 'reply_by',
      replied: 'review_request_by',
      review_requested: 'review_by',
      reviewed: 'rereview_request_by',
      rereview_requested: 'rereview_by',
      rereviewed: null,
      closed: null,
      not_accepted: null,
      withdrawn: null,
    }
    for (const [state, key] of Object.entries(expected)) {
      expect(currentDeadline(tracked(state as PetitionState))?.key ?? null, state).toBe(key)
    }
  })

  it('says nothing of a deadline the server did not give', () => {
    expect(currentDeadline(tracked('submitted', { deadlines: {} }))).toBeNull()
  })

  it('calls the office late when overdue, never the petitioner', () => {
    expect(currentDeadline(tracked('assigned', { overdue: true }))).toEqual({ key: 'reply_by', date: '2027-02-08', late: true })
    expect(currentDeadline(tracked('replied', { overdue: true }))?.late).toBe(false)
    expect(currentDeadline(tracked('assigned'))?.late).toBe(false)
  })

  it('marks the states that wait for the petitioner, and the final ones', () => {
    expect(stateTone('replied')).toBe('yourTurn')
    expect(stateTone('reviewed')).toBe('yourTurn')
    expect(stateTone('rereviewed')).toBe('done')
    expect(stateTone('withdrawn')).toBe('stopped')
    expect(stateTone('assigned')).toBe('progress')
  })

  it('offers the review the server allows, review before re-review', () => {
    expect(reviewOption(tracked('replied', { options: ['feedback', 'request-review', 'withdraw'] }))).toBe('request-review')
    expect(reviewOption(tracked('reviewed', { options: ['request-rereview', 'withdraw'] }))).toBe('request-rereview')
    expect(reviewOption(tracked('rereviewed', { options: [] }))).toBeNull()
  })

  it('has words for every state, deadline and event in both languages', () => {
    const states: PetitionState[] = [
      'submitted',
      'accepted',
      'not_accepted',
      'assigned',
      'replied',
      'closed',
      'review_requested',
      'reviewed',
      'rereview_requested',
      'rereviewed',
      'withdrawn',
    ]
    const actions = ['submit', 'accept', 'reject', 'assign', 'extend', 'reply', 'feedback', 'request-review', 'review', 'request-rereview', 'rereview', 'withdraw', 'close', 'escalate']
    for (const m of [villagerZhCN, villagerEnUS]) {
      for (const s of states) {
        expect(m.villager.track.states[s], s).toBeTruthy()
        expect(m.villager.track.stateHelp[s], s).toBeTruthy()
      }
      for (const a of actions) expect(m.villager.track.events[eventKey(a) as keyof typeof m.villager.track.events], a).toBeTruthy()
    }
    expect(eventKey('request-rereview')).toBe('requestRereview')
    expect(eventKey('escalate')).toBe('other')
  })

  it('does not collide with the shell messages', () => {
    expect(Object.keys(zhCN)).not.toContain('villager')
  })

  it('writes a server date as that calendar day whatever the time zone', () => {
    expect(localDate('zh-CN', '2026-12-10')).toBe('2026年12月10日')
    expect(localDate('en-US', '2026-12-10')).toBe('December 10, 2026')
    expect(localDate('zh-CN', 'soon')).toBe('soon')
  })
})
