import { describe, expect, it, vi } from 'vitest'
import { openMinxinDB } from '../src/db'
import { localLocks } from '../src/locks'
import { Outbox, type ChannelLike } from '../src/outbox/outbox'
import { placeholderFor } from '../src/outbox/placeholders'
import type { OutboxChange } from '../src/outbox/types'
import { SessionStore } from '../src/api/session'
import { ApiClient } from '../src/api/client'
import { Clock, FakeServer, json, official, problem, record, rig, session, tokens } from './helpers'

const STAYS = '/api/v1/overnight-stays'
const ATTACHMENTS = '/api/v1/attachments'

describe('outbox order and concurrency', () => {
  it('sends items in the order they were queued and removes each after a 2xx', async () => {
    const { outbox, server } = await rig({ handler: (call) => json(201, { id: (call.json as { id: string }).id }) })
    await outbox.enqueue(record(1))
    await outbox.enqueue({ ...record(2), url: `${STAYS}/00000000-0000-4000-8000-000000000001/checkout` })
    await outbox.enqueue(record(3))
    expect(await outbox.count()).toBe(3)

    const result = await outbox.drain()

    expect(result).toEqual({ state: 'idle', sent: 3 })
    expect(server.calls.map((c) => c.url)).toEqual([STAYS, `${STAYS}/00000000-0000-4000-8000-000000000001/checkout`, STAYS])
    expect(server.calls.map((c) => (c.json as { id: string }).id)).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
      '00000000-0000-4000-8000-000000000003',
    ])
    expect(await outbox.count()).toBe(0)
  })

  it('keeps one request in flight across overlapping drains, tabs and the service worker', async () => {
    const locks = localLocks()
    const clock = new Clock()
    const server = new FakeServer(() => json(201, {}))
    const page = await rig({ locks, clock, server })
    const worker = await rig({ locks, clock, server, signedIn: null })
    for (let n = 1; n <= 4; n++) await page.outbox.enqueue(record(n))

    const results = await Promise.all([page.outbox.drain(), page.outbox.drain(), worker.outbox.drain(), page.outbox.drain()])

    expect(server.maxInFlight).toBe(1)
    expect(server.calls).toHaveLength(4)
    expect(new Set(server.calls.map((c) => (c.json as { id: string }).id)).size).toBe(4)
    // Overlapping calls in one page share a drain; the worker found the lock taken.
    expect(results[0]).toBe(results[1])
    expect(results[0]).toBe(results[3])
    expect(results[0]).toEqual({ state: 'idle', sent: 4 })
    expect(results[2]).toEqual({ state: 'busy', sent: 0 })
  })

  it('sends the item id as Idempotency-Key and the bearer token', async () => {
    const { outbox, server } = await rig()
    const item = await outbox.enqueue(record(1))
    await outbox.drain()
    expect(server.calls[0].headers['Idempotency-Key']).toBe(item.id)
    expect(server.calls[0].headers.Authorization).toBe('Bearer access-1')
    expect(server.calls[0].headers['Content-Type']).toBe('application/json')
  })

  it('only sends and counts the signed-in user’s items', async () => {
    const { outbox, server, store, clock } = await rig()
    await outbox.enqueue(record(1))
    await store.set(session({ user: { ...official, id: '99999999-9999-4999-8999-999999999999', username: 'li' } }, clock))
    expect(await outbox.count()).toBe(0)
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 0 })
    expect(server.calls).toHaveLength(0)
    await store.set(session({}, clock))
    expect(await outbox.count()).toBe(1)
  })

  it('does not queue without a session and reports signed_out when draining', async () => {
    const { outbox } = await rig({ signedIn: null })
    await expect(outbox.enqueue(record(1))).rejects.toThrow('authentication required')
    expect(await outbox.drain()).toEqual({ state: 'signed_out', sent: 0 })
  })

  it('does not try while the browser says it is offline', async () => {
    let online = false
    const { outbox, server } = await rig({ online: () => online })
    await outbox.enqueue(record(1))
    expect((await outbox.drain()).state).toBe('offline')
    expect(server.calls).toHaveLength(0)
    online = true
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 1 })
  })
})

describe('outbox retries', () => {
  it('retries 5xx answers with backoff and removes the item once it is accepted', async () => {
    const { outbox, server, clock } = await rig({ handler: (_c, i) => (i === 0 ? problem(503, 'unavailable', 'down') : json(201, {})) })
    await outbox.enqueue(record(1))

    const first = await outbox.drain()
    expect(first.state).toBe('waiting')
    expect(first.next_attempt_at).toBe(clock.now() + 1000) // random 0.5 × 2 s
    const [item] = await outbox.list()
    expect(item.attempts).toBe(1)
    expect(item.last_error).toEqual({ kind: 'http', status: 503, detail: 'down' })

    expect((await outbox.drain()).state).toBe('waiting') // not due yet: nothing sent
    expect(server.calls).toHaveLength(1)

    clock.advance(1000)
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 1 })
    expect(server.calls).toHaveLength(2)
    expect(await outbox.count()).toBe(0)
  })

  it('retries network errors and timeouts', async () => {
    const { outbox, server, clock } = await rig({
      handler: (_c, i) => {
        if (i === 0) throw new TypeError('Failed to fetch')
        if (i === 1) throw new DOMException('request timed out', 'TimeoutError')
        return json(201, {})
      },
    })
    await outbox.enqueue(record(1))
    await outbox.drain()
    expect((await outbox.list())[0].last_error).toEqual({ kind: 'network', detail: 'Failed to fetch' })
    clock.advance(60_000)
    await outbox.drain()
    expect((await outbox.list())[0].last_error).toMatchObject({ kind: 'timeout' })
    clock.advance(60_000)
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 1 })
    expect(server.calls).toHaveLength(3)
  })

  it('grows the backoff exponentially and caps it at five minutes', async () => {
    const { outbox, clock } = await rig({ handler: () => problem(500, 'internal', 'boom'), random: () => 0.999999 })
    await outbox.enqueue(record(1))
    const delays: number[] = []
    for (let i = 0; i < 11; i++) {
      const r = await outbox.drain({ force: true })
      delays.push(r.next_attempt_at! - clock.now())
    }
    const ceilings = [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => Math.floor(s * 1000 * 0.999999))
    expect(delays).toEqual(ceilings)
    expect((await outbox.list())[0].attempts).toBe(11)
  })

  it('spreads retries with full jitter between zero and the ceiling', async () => {
    const randoms = [0, 0.25]
    const { outbox, clock } = await rig({ handler: () => problem(502, 'bad_gateway', ''), random: () => randoms.shift()! })
    await outbox.enqueue(record(1))
    expect((await outbox.drain({ force: true })).next_attempt_at).toBe(clock.now())
    expect((await outbox.drain({ force: true })).next_attempt_at).toBe(clock.now() + 1000) // 0.25 × 4 s
  })

  it('waits at least as long as Retry-After on 429', async () => {
    const { outbox, clock } = await rig({ handler: () => problem(429, 'rate_limited', 'slow down', { headers: { 'Retry-After': '120' } }) })
    await outbox.enqueue(record(1))
    const r = await outbox.drain()
    expect(r).toEqual({ state: 'waiting', sent: 0, next_attempt_at: clock.now() + 120_000 })
  })

  it('retries a checkout whose stay has not reached the server yet (404 stay_not_found)', async () => {
    const { outbox, server, clock } = await rig({
      handler: (_c, i) => (i === 0 ? problem(404, 'stay_not_found', 'no such stay') : json(200, {})),
    })
    await outbox.enqueue({ ...record(1), url: `${STAYS}/x/checkout` })
    expect((await outbox.drain()).state).toBe('waiting')
    clock.advance(10_000)
    expect((await outbox.drain()).state).toBe('idle')
    expect(server.calls).toHaveLength(2)
  })

  it('treats a re-sent record answered 200 like the first 201', async () => {
    const { outbox, server } = await rig({ handler: (_c, i) => (i === 0 ? json(201, {}) : json(200, {})) })
    await outbox.enqueue(record(1))
    await outbox.enqueue(record(1))
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 2 })
    expect(server.calls).toHaveLength(2)
  })
})

describe('outbox permanent refusals', () => {
  it('keeps a 409, stops retrying it, shows the server’s detail and holds later items back', async () => {
    const { outbox, server, clock } = await rig({
      handler: (call) =>
        (call.json as { id: string }).id.endsWith('1')
          ? problem(409, 'conflict', '同一编号的记录已存在，内容不同', { errors: [{ field: 'checkin.lat', message: '与已存记录不同' }] })
          : json(201, {}),
    })
    await outbox.enqueue(record(1))
    await outbox.enqueue(record(2))

    expect(await outbox.drain()).toEqual({ state: 'blocked', sent: 0 })
    clock.advance(24 * 3600_000)
    expect(await outbox.drain({ force: true })).toEqual({ state: 'blocked', sent: 0 })
    expect(server.calls).toHaveLength(1)

    const [head, next] = await outbox.list()
    expect(head.blocked).toMatchObject({ status: 409, code: 'conflict', detail: '同一编号的记录已存在，内容不同' })
    expect(head.blocked?.errors).toEqual([{ field: 'checkin.lat', message: '与已存记录不同' }])
    expect(next.attempts).toBe(0)
    expect(await outbox.count()).toBe(2)
  })

  it('sends a refused item again when the user retries it', async () => {
    const { outbox, server } = await rig({ handler: (_c, i) => (i === 0 ? problem(422, 'invalid', 'bad') : json(201, {})) })
    const item = await outbox.enqueue(record(1))
    expect((await outbox.drain()).state).toBe('blocked')
    expect(await outbox.retry(item.id)).toEqual({ state: 'idle', sent: 1 })
    expect(server.calls).toHaveLength(2)
  })

  it('drops a refused item when the user discards it, and the queue moves on', async () => {
    const { outbox, server } = await rig({ handler: (_c, i) => (i === 0 ? problem(409, 'conflict', 'x') : json(201, {})) })
    const first = await outbox.enqueue(record(1))
    await outbox.enqueue(record(2))
    await outbox.drain()
    await outbox.discard(first.id)
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 1 })
    expect((server.calls[1].json as { id: string }).id).toBe('00000000-0000-4000-8000-000000000002')
  })

  it('keeps an answer that is not a problem document readable', async () => {
    const { outbox } = await rig({ handler: () => new Response('nope', { status: 400, statusText: 'Bad Request' }) })
    await outbox.enqueue(record(1))
    await outbox.drain()
    expect((await outbox.list())[0].blocked).toMatchObject({ status: 400, title: 'Bad Request', detail: '' })
  })
})

describe('outbox and authentication', () => {
  it('refreshes the token once on 401 and sends again with the new token', async () => {
    const { outbox, server, store } = await rig({
      handler: (call) => {
        if (call.url === '/api/v1/auth/refresh') return tokens(2)
        return call.headers.Authorization === 'Bearer access-2' ? json(201, {}) : problem(401, 'token_expired', 'expired')
      },
    })
    await outbox.enqueue(record(1))
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 1 })
    expect(server.urls()).toEqual([`POST ${STAYS}`, 'POST /api/v1/auth/refresh', `POST ${STAYS}`])
    expect(server.calls[1].json).toEqual({ refresh_token: 'refresh-1' })
    expect((await store.get())?.refresh_token).toBe('refresh-2')
  })

  it('stops after one refresh when the server still answers 401, keeping the item', async () => {
    const { outbox, server, client, store } = await rig({
      handler: (call) => (call.url === '/api/v1/auth/refresh' ? tokens(2) : problem(401, 'unauthorized', 'no')),
    })
    let lost = 0
    client.onAuthLost(() => lost++)
    await outbox.enqueue(record(1))
    expect(await outbox.drain()).toEqual({ state: 'signed_out', sent: 0 })
    expect(server.to('/api/v1/auth/refresh')).toHaveLength(1)
    expect(server.to(STAYS)).toHaveLength(2)
    expect(lost).toBe(1)
    expect(await store.get()).toBeUndefined()
    // The item is still stored under its owner for the next login.
    await store.set(session())
    const [item] = await outbox.list()
    expect(item.last_error).toEqual({ kind: 'auth' })
    expect(item.blocked).toBeNull()
  })

  it('keeps the item and ends the session when the refresh token is refused', async () => {
    const { outbox, store } = await rig({
      handler: (call) => (call.url === '/api/v1/auth/refresh' ? problem(401, 'refresh_reused', 'revoked') : problem(401, 'expired', '')),
    })
    await outbox.enqueue(record(1))
    expect((await outbox.drain()).state).toBe('signed_out')
    expect(await store.get()).toBeUndefined()
    await store.set(session())
    expect(await outbox.count()).toBe(1)
  })
})

describe('photos go first', () => {
  const photo = () => new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' })

  it('uploads the photo first and puts the server’s attachment id in the record', async () => {
    const { outbox, server } = await rig({
      handler: (call) => (call.url === ATTACHMENTS ? json(201, { id: 'att-server-1', sha256: 'x', content_type: 'image/jpeg', size: 7 }) : json(201, {})),
    })
    const placeholder = await outbox.enqueueUpload(photo(), 'stay.jpg')
    await outbox.enqueue(record(1, { checkin: { occurred_at: 'x', photo_ids: [placeholder] } }))

    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 2 })
    expect(server.calls.map((c) => c.url)).toEqual([ATTACHMENTS, STAYS])
    const file = server.calls[0].form?.get('file')
    expect(file).toBeInstanceOf(Blob)
    expect((file as File).name).toBe('stay.jpg')
    expect((file as Blob).type).toBe('image/jpeg')
    expect(new Uint8Array(await (file as Blob).arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))
    expect(server.calls[1].json).toMatchObject({ checkin: { photo_ids: ['att-server-1'] } })
  })

  it('holds the record back while its photo cannot be uploaded', async () => {
    const { outbox, server } = await rig({ handler: () => problem(503, 'unavailable', '') })
    const placeholder = await outbox.enqueueUpload(photo(), 'a.jpg')
    await outbox.enqueue(record(1, { checkin: { photo_ids: [placeholder] } }))
    await outbox.drain()
    expect(server.calls.map((c) => c.url)).toEqual([ATTACHMENTS])
  })

  it('stores the resolved id, so a reload between the upload and the record keeps it', async () => {
    const { outbox, db } = await rig({
      handler: (call) => (call.url === ATTACHMENTS ? json(201, { id: 'att-9' }) : problem(503, 'unavailable', '')),
    })
    const placeholder = await outbox.enqueueUpload(photo(), 'a.jpg')
    await outbox.enqueue(record(1, { checkin: { photo_ids: [placeholder, 'att-already-there'] } }))
    await outbox.drain()
    db.close()

    const reloaded = await rig({ handler: () => json(201, {}) })
    const [item] = await reloaded.outbox.list()
    expect(item.body).toMatchObject({ checkin: { photo_ids: ['att-9', 'att-already-there'] } })
  })

  it('sends the record without the photo when the user discards the upload', async () => {
    const { outbox, server } = await rig({ handler: (call) => (call.url === ATTACHMENTS ? problem(415, 'unsupported_type', '不支持的文件类型') : json(201, {})) })
    const placeholder = await outbox.enqueueUpload(photo(), 'a.heic')
    await outbox.enqueue(record(1, { checkin: { photo_ids: [placeholder] } }))
    expect((await outbox.drain()).state).toBe('blocked')
    const [upload] = await outbox.list()
    expect(upload.blocked?.detail).toBe('不支持的文件类型')

    await outbox.discard(upload.id)
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 1 })
    expect(server.calls[1].json).toMatchObject({ checkin: { photo_ids: [] } })
  })

  it('refuses to guess when the upload answer has no id', async () => {
    const { outbox } = await rig({ handler: () => json(201, { ok: true }) })
    await outbox.enqueueUpload(photo(), 'a.jpg')
    expect((await outbox.drain()).state).toBe('blocked')
    expect((await outbox.list())[0].blocked?.code).toBe('unexpected_answer')
  })

  it('answers a placeholder naming the upload item', async () => {
    const { outbox } = await rig()
    const placeholder = await outbox.enqueueUpload(photo(), 'a.jpg')
    const [upload] = await outbox.list()
    expect(placeholder).toBe(placeholderFor(upload.id))
    expect(upload).toMatchObject({ kind: 'attachment', method: 'POST', url: ATTACHMENTS, body: null })
  })
})

describe('outbox persistence', () => {
  it('survives a reload: a new outbox over the same database sends what the old one kept', async () => {
    const first = await rig({ handler: () => Promise.reject(new TypeError('Failed to fetch')) })
    await first.outbox.enqueue(record(1))
    await first.outbox.enqueue(record(2))
    await first.outbox.drain()
    first.db.close()

    const server = new FakeServer(() => json(201, {}))
    const db = await openMinxinDB()
    const clock = new Clock(first.clock.now() + 60_000)
    const client = new ApiClient({ store: new SessionStore(db), fetch: server.fetch, now: clock.now, locks: localLocks() })
    const outbox = new Outbox({ db, transport: client, now: clock.now, locks: localLocks() })
    const items = await outbox.list()
    expect(items.map((i) => i.attempts)).toEqual([1, 0])
    expect(await outbox.drain()).toEqual({ state: 'idle', sent: 2 })
    expect(server.calls.map((c) => (c.json as { id: string }).id)).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ])
  })
})

describe('outbox change events', () => {
  it('tells subscribers the unsynced count after each change', async () => {
    const { outbox } = await rig({ handler: (_c, i) => (i === 1 ? problem(409, 'conflict', 'x') : json(201, {})) })
    const changes: OutboxChange[] = []
    outbox.subscribe((c) => changes.push(c))
    await outbox.enqueue(record(1))
    const second = await outbox.enqueue(record(2))
    await outbox.drain()
    await outbox.discard(second.id)
    expect(changes).toEqual([
      { reason: 'enqueued', count: 1 },
      { reason: 'enqueued', count: 2 },
      { reason: 'sent', count: 1 },
      { reason: 'blocked', count: 1 },
      { reason: 'discarded', count: 0 },
    ])
  })

  it('hears changes made by another tab or the service worker', async () => {
    // A BroadcastChannel-like bus: a message reaches every channel except the sender.
    const channels: { listeners: (() => void)[] }[] = []
    const open = (): ChannelLike => {
      const self = { listeners: [] as (() => void)[] }
      channels.push(self)
      return {
        postMessage: () => channels.filter((c) => c !== self).forEach((c) => c.listeners.forEach((l) => l())),
        addEventListener: (_type, listener) => self.listeners.push(listener),
        close: () => undefined,
      }
    }
    const page = await rig({ channel: open() })
    const worker = await rig({ channel: open() })
    const seen: OutboxChange[] = []
    page.outbox.subscribe((c) => seen.push(c))
    await worker.outbox.enqueue(record(1))
    await vi.waitFor(() => expect(seen).toEqual([{ reason: 'remote', count: 1 }]))
  })
})
