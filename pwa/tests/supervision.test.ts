import { describe, expect, it } from 'vitest'
import { answersSupervision, isDistrictOffice, openFirst, type Supervision } from '../src/api/supervision'

const s = (id: string, answer: string | null): Supervision => ({
  id,
  petition_id: 'p',
  note: id,
  act_by: '2026-01-10',
  issued_by: 'u',
  issued_at: '2026-01-01T00:00:00Z',
  answer,
  answered_by: answer ? 'h' : null,
  answered_at: answer ? '2026-01-02T00:00:00Z' : null,
  answered_on_time: answer ? true : null,
  late: false,
})

describe('supervision', () => {
  it('is the district office for admins and petition officers without a township', () => {
    expect(isDistrictOffice({ role: 'admin', township_id: null })).toBe(true)
    expect(isDistrictOffice({ role: 'petition_officer', township_id: null })).toBe(true)
    expect(isDistrictOffice({ role: 'petition_officer', township_id: 't1' })).toBe(false)
    expect(isDistrictOffice({ role: 'official', township_id: null })).toBe(false)
    expect(isDistrictOffice({ role: 'inspector', township_id: null })).toBe(false)
  })
  it('is answered by the township’s petition officers and the handler only', () => {
    const p = { township_id: 't1', handler_id: 'h' }
    expect(answersSupervision({ id: 'x', role: 'petition_officer', township_id: 't1' }, p)).toBe(true)
    expect(answersSupervision({ id: 'x', role: 'petition_officer', township_id: 't2' }, p)).toBe(false)
    expect(answersSupervision({ id: 'x', role: 'petition_officer', township_id: null }, p)).toBe(false)
    expect(answersSupervision({ id: 'h', role: 'official', township_id: 't1' }, p)).toBe(true)
    expect(answersSupervision({ id: 'y', role: 'official', township_id: 't1' }, p)).toBe(false)
  })
  it('lists open instructions first, then the answered ones newest first', () => {
    expect(openFirst([s('a', 'x'), s('b', null), s('c', 'y'), s('d', null)]).map((x) => x.id)).toEqual(['b', 'd', 'c', 'a'])
  })
})
