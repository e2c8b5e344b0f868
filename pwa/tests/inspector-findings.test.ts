import { describe, expect, it } from 'vitest'
import { pendingFindings, queueFinding, trimTicket } from '../src/api/audits'
import { verdict } from '../src/outbox/policy'
import { nextDeadline, petitionQueue } from '../src/views/office/office'
import { json, problem, rig } from './helpers'
import type { Petition } from '../src/api/duties'

const AUDIT = '0190c000-0000-7000-8000-0000000000aa'
const finding = { record_id: 'overnight_stay:0190c000-0000-7000-8000-000000000001', result: 'confirmed' as const, notes: '', attachment_ids: [] }

describe('findings through the outbox', () => {
  it('queues a finding and sends it to the round', async () => {
    const r = await rig({ handler: () => json(201, { id: 'f1' }) })
    await queueFinding(r.outbox, AUDIT, finding)
    const [item] = await r.outbox.list()
    expect(item).toMatchObject({ kind: 'finding', url: `/api/v1/audits/${AUDIT}/findings`, body: finding })
    expect(pendingFindings([item], AUDIT).get(finding.record_id)).toMatchObject({ result: 'confirmed', blocked: null })
    expect(pendingFindings([item], 'another-round').size).toBe(0)
    expect(await r.outbox.drain()).toMatchObject({ state: 'idle', sent: 1 })
  })

  it('treats 409 finding_exists on a re-send as delivered: the first send reached the server', async () => {
    // The first attempt is stored but its answer is lost; the re-send meets the stored finding.
    const r = await rig({
      handler: (_call, i) => (i === 0 ? Promise.reject(new TypeError('connection reset')) : problem(409, 'finding_exists', 'this record already has a finding in this round')),
    })
    await queueFinding(r.outbox, AUDIT, finding)
    await queueFinding(r.outbox, AUDIT, { ...finding, record_id: 'overnight_stay:0190c000-0000-7000-8000-000000000002' })
    expect((await r.outbox.drain()).state).toBe('waiting')
    r.clock.advance(60_000)
    expect(await r.outbox.drain()).toMatchObject({ state: 'idle', sent: 2 })
    expect(await r.outbox.count()).toBe(0)
    expect(r.server.calls).toHaveLength(3)
  })

  it('still stops at any other 409, such as a cancelled round', async () => {
    const r = await rig({ handler: () => problem(409, 'audit_cancelled', 'this round is cancelled') })
    await queueFinding(r.outbox, AUDIT, finding)
    expect((await r.outbox.drain()).state).toBe('blocked')
    const items = await r.outbox.list()
    expect(items[0].blocked?.code).toBe('audit_cancelled')
    expect(pendingFindings(items, AUDIT).get(finding.record_id)?.blocked).toBe('this round is cancelled')
    expect(verdict(409, 'conflict')).toBe('refused')
    expect(verdict(409, 'finding_exists')).toBe('done')
  })
})

describe('tickets trimmed as the reference sampler prints them', () => {
  it('keeps nine digits from the first digit after the point that is not a 9', () => {
    expect(trimTicket('0.317685817324')).toBe('0.317685817')
    expect(trimTicket('0.00098953623013657464805144723196398404700')).toBe('0.000989536')
    expect(trimTicket('0.999123456789012')).toBe('0.999123456789')
    expect(trimTicket('0.83298451')).toBe('0.83298451')
  })
})

describe('the office queue', () => {
  const p = (id: string, state: string, deadlines: Petition['deadlines'], overdue = false): Petition => ({
    id, tracking_code: id, township_id: 't', category: 'land', subject: id, state, handler_id: null, deadlines, overdue, overdue_step: null, submitted_at: '', petitioner: null, channel: 'online',
  })

  it('puts overdue petitions first, then the rest by the deadline of their current step', () => {
    const overdue = [p('o2', 'assigned', { accept_by: '2026-09-01', reply_by: '2026-11-20' }, true), p('o1', 'submitted', { accept_by: '2026-11-10' }, true)]
    const rest = [p('r1', 'accepted', { accept_by: '2026-11-01', reply_by: '2026-12-30' }), p('r2', 'submitted', { accept_by: '2026-12-05' }), p('o1', 'submitted', { accept_by: '2026-11-10' }, true)]
    expect(petitionQueue(overdue, rest).map((x) => x.id)).toEqual(['o1', 'o2', 'r2', 'r1'])
    expect(nextDeadline(rest[0])).toBe('2026-12-30')
    expect(nextDeadline(p('x', 'closed', { accept_by: '2026-01-01' }))).toBeNull()
  })
})
