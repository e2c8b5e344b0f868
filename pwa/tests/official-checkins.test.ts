import { describe, expect, it } from 'vitest'
import {
  pendingField,
  queueOvernightCheckin,
  queueOvernightCheckout,
  queueReceptionCheckin,
  queueStationingCheckin,
  queueVisit,
  ReadCache,
} from '../src/api/duties'
import { evidenceOf } from '../src/location/geo'
import { householdOfToken, qrDetector, searchHouseholds } from '../src/views/official/visit'
import { json, problem, rig } from './helpers'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const at = new Date('2026-11-25T12:30:00Z')
const fix = { lat: 30.2747, lng: 120.1557, accuracy_m: 18, at: 0 }

describe('check-ins go through the outbox', () => {
  it('stores the record with its own UUID first, shows it waiting, and sends it once online', async () => {
    let online = false
    const r = await rig({ online: () => online, handler: () => json(201, {}) })
    const id = await queueOvernightCheckin(r.outbox, evidenceOf(fix, at))
    expect(id).toMatch(UUID)
    expect(r.server.calls).toHaveLength(0)
    expect(await r.outbox.count()).toBe(1)
    const [item] = await r.outbox.list()
    expect(item).toMatchObject({ kind: 'overnight_checkin', method: 'POST', url: '/api/v1/overnight-stays' })
    expect(item.body).toEqual({ id, checkin: { occurred_at: '2026-11-25T12:30:00.000Z', lat: 30.2747, lng: 120.1557, accuracy_m: 18, photo_ids: [] } })
    expect(pendingField(await r.outbox.list()).overnightCheckins).toEqual([{ id, since: '2026-11-25T12:30:00.000Z', pending: true }])

    expect((await r.outbox.drain()).state).toBe('offline')
    online = true
    expect(await r.outbox.drain()).toMatchObject({ state: 'idle', sent: 1 })
    expect(r.server.calls[0].json).toEqual(item.body)
    expect(r.server.calls[0].headers['Idempotency-Key']).toBe(item.id)
    expect(await r.outbox.count()).toBe(0)
  })

  it('sends a check-out after its check-in, in order, retrying while the stay has not arrived', async () => {
    const r = await rig({
      handler: (call, i) => (i === 0 ? problem(404, 'stay_not_found', 'send its check-in first') : json(call.url.endsWith('/checkout') ? 200 : 201, {})),
    })
    const stay = '0190c000-0000-7000-8000-000000000001'
    await queueOvernightCheckout(r.outbox, stay, evidenceOf(null, at))
    const first = await r.outbox.drain()
    expect(first.state).toBe('waiting')
    expect(await r.outbox.count()).toBe(1)
    r.clock.advance(60_000)
    expect(await r.outbox.drain()).toMatchObject({ state: 'idle', sent: 1 })
    expect(r.server.urls()).toEqual([`POST /api/v1/overnight-stays/${stay}/checkout`, `POST /api/v1/overnight-stays/${stay}/checkout`])
    expect(r.server.calls[1].json).toEqual({ evidence: { occurred_at: '2026-11-25T12:30:00.000Z', lat: null, lng: null, accuracy_m: null, photo_ids: [] } })
  })

  it('queues each kind of field record at its URL and a photo before the record that shows it', async () => {
    const r = await rig({ online: () => false })
    const photo = await r.outbox.enqueueUpload(new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }), 'p.jpg')
    await queueReceptionCheckin(r.outbox, 'day-1', evidenceOf(fix, at, [photo]))
    const sid = await queueStationingCheckin(r.outbox, 'village-1', evidenceOf(fix, at))
    const vid = await queueVisit(r.outbox, {
      household_id: 'h1',
      category: 'illness',
      trigger_id: null,
      notes: '住院',
      follow_up: '',
      evidence: evidenceOf(fix, at, [], 'v1.token'),
    })
    const items = await r.outbox.list()
    expect(items.map((i) => [i.kind, i.url])).toEqual([
      ['attachment', '/api/v1/attachments'],
      ['reception_checkin', '/api/v1/reception-days/day-1/checkin'],
      ['stationing_checkin', '/api/v1/stationings'],
      ['visit', '/api/v1/visits'],
    ])
    expect((items[1].body as { evidence: { photo_ids: string[] } }).evidence.photo_ids).toEqual([photo])
    expect(items[2].body).toMatchObject({ id: sid, village_id: 'village-1' })
    expect(items[3].body).not.toHaveProperty('trigger_id')
    expect(items[3].body).toMatchObject({ id: vid, household_id: 'h1', category: 'illness', evidence: { qr_token: 'v1.token' } })
    const p = pendingField(items)
    expect([...p.receptionCheckins]).toEqual(['day-1'])
    expect(p.stationingCheckins).toMatchObject([{ id: sid, village_id: 'village-1' }])
    expect(p.visits).toMatchObject([{ id: vid, household_id: 'h1', qr: true }])
  })
})

describe('reading with a copy for when there is no signal', () => {
  it('answers the saved copy on a network failure and not on an API error', async () => {
    const cache = new ReadCache('u1', 'cache-test', () => 1000)
    expect(await cache.read('k', async () => ({ n: 1 }))).toEqual({ value: { n: 1 }, stale: false, saved_at: 1000 })
    expect(await cache.read('k', () => Promise.reject(new TypeError('Failed to fetch')))).toEqual({ value: { n: 1 }, stale: true, saved_at: 1000 })
    const { ApiError } = await import('../src/api/problem')
    const refused = new ApiError({ status: 403, title: 'Forbidden', detail: '', code: 'forbidden', errors: [] }, null)
    await expect(cache.read('k', () => Promise.reject(refused))).rejects.toBe(refused)
    // Another user's copy is not theirs.
    await expect(new ReadCache('u2', 'cache-test').read('k', () => Promise.reject(new TypeError('offline')))).rejects.toThrow('offline')
  })
})

describe('the visit form’s helpers', () => {
  it('reads the household of a QR token and refuses other text', () => {
    expect(householdOfToken(' v1.0190C000-0000-7000-8000-0000000000AB.abc_-9 ')).toBe('0190c000-0000-7000-8000-0000000000ab')
    expect(householdOfToken('v1.not-a-uuid.abc')).toBeNull()
    expect(householdOfToken('hello')).toBeNull()
  })

  it('searches households by every word within a village', () => {
    const hs = [
      { id: '1', township_id: 't', village_id: 'a', head_name: '赵志强', address: '青山村1组1号', contact_official_id: null },
      { id: '2', township_id: 't', village_id: 'a', head_name: '林伟', address: '青山村2组3号', contact_official_id: null },
      { id: '3', township_id: 't', village_id: 'b', head_name: '赵敏', address: '竹溪村1组', contact_official_id: null },
    ]
    expect(searchHouseholds(hs, '赵', null).map((h) => h.id)).toEqual(['1', '3'])
    expect(searchHouseholds(hs, '赵 1组', 'a').map((h) => h.id)).toEqual(['1'])
    expect(searchHouseholds(hs, '', 'b').map((h) => h.id)).toEqual(['3'])
  })

  it('uses BarcodeDetector only when it reads QR codes', async () => {
    expect(await qrDetector({})).toBeNull()
    class Only1D {
      static getSupportedFormats = async () => ['ean_13']
      detect = async () => []
    }
    expect(await qrDetector({ BarcodeDetector: Only1D })).toBeNull()
    class WithQR {
      static getSupportedFormats = async () => ['ean_13', 'qr_code']
      constructor(public options: unknown) {}
      detect = async () => []
    }
    expect(await qrDetector({ BarcodeDetector: WithQR })).toBeInstanceOf(WithQR)
  })
})
