import { describe, expect, it } from 'vitest'
import { reactive } from 'vue'
import { markRead, readNotifications, type Notification } from '../src/api/notifications'
import { ApiError } from '../src/api/problem'
import { clickUrl, pushNotification, safeLink } from '../src/pushPayload'
import { badgeText, emptyInbox, InboxPager, linkTarget, SavedInbox } from '../src/views/notifications/inbox'
import { formOf, placeErrors, smsWithoutPhone, toInput } from '../src/views/notifications/prefs'
import { disablePush, enablePush, keptSubscription, keyBytes, pushOnHere, pushSupport, type PushEnv, type PushSubscriptionLike } from '../src/views/notifications/push'
import { countDown, countFor, refreshUnread, unread } from '../src/views/notifications/unread'
import { json, problem, rig, T0 } from './helpers'

const OWNER = 'user-1'

function note(n: number, extra: Partial<Notification> = {}): Notification {
  return {
    id: `n-${n}`,
    kind: 'visit_due',
    title: `标题 ${n}`,
    body: `内容 ${n}`,
    link: `/official/visit?trigger=t-${n}`,
    created_at: '2026-11-25T08:00:00Z',
    read_at: null,
    ...extra,
  }
}

const offline = () => {
  throw new TypeError('Failed to fetch')
}

describe('the inbox pager', () => {
  it('pages with the cursor, keeps the list, and stops after the last page', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [note(3), note(2)], next_cursor: 'n-2' },
      'n-2': { items: [note(2), note(1)], next_cursor: null },
    }
    const { client, server } = await rig({ handler: (call) => json(200, pages[new URL(call.url, 'http://x').searchParams.get('cursor') ?? '']) })
    const saved = new SavedInbox()
    const pager = new InboxPager({ owner: OWNER, fetchPage: (c) => readNotifications(client, c, 2), saved, now: () => T0 })
    await pager.loadMore()
    expect(pager.state.items.map((n) => n.id)).toEqual(['n-3', 'n-2'])
    expect(pager.state.finished).toBe(false)
    expect(pager.state.fetchedAt).toBe(T0)
    await pager.loadMore()
    // n-2 came twice (a notification arrived between pages): shown once.
    expect(pager.state.items.map((n) => n.id)).toEqual(['n-3', 'n-2', 'n-1'])
    expect(pager.state.finished).toBe(true)
    await pager.loadMore() // finished: no request
    expect(server.calls.map((c) => c.url)).toEqual(['/api/v1/notifications?limit=2', '/api/v1/notifications?limit=2&cursor=n-2'])
    const kept = await saved.get(OWNER)
    expect(kept?.items.map((n) => n.id)).toEqual(['n-3', 'n-2', 'n-1'])
    expect(kept?.fetched_at).toBe(T0)
  })

  it('keeps the list of a page’s reactive state (a Vue proxy) too', async () => {
    const saved = new SavedInbox()
    const state = reactive(emptyInbox())
    const pager = new InboxPager({ owner: OWNER, fetchPage: async () => ({ items: [note(1)], next_cursor: null }), saved, now: () => T0 }, state)
    await pager.loadMore()
    expect(state.items.map((n) => n.id)).toEqual(['n-1'])
    expect((await saved.get(OWNER))?.items.map((n) => n.id)).toEqual(['n-1'])
  })

  it('shows the kept list with its time when there is no network, and only then', async () => {
    const saved = new SavedInbox()
    await saved.save(OWNER, [note(1)], T0 - 3_600_000)
    await saved.save('someone-else', [note(9)], T0)
    const { client } = await rig({ handler: offline })
    const pager = new InboxPager({ owner: OWNER, fetchPage: (c) => readNotifications(client, c), saved })
    await pager.loadMore()
    expect(pager.state).toMatchObject({ offline: true, finished: true, fetchedAt: T0 - 3_600_000 })
    expect(pager.state.items.map((n) => n.id)).toEqual(['n-1'])

    // The server's own refusal is never hidden behind the kept copy.
    const refused = await rig({ handler: () => problem(500, 'internal', '服务器出错') })
    const p2 = new InboxPager({ owner: OWNER, fetchPage: (c) => readNotifications(refused.client, c), saved })
    await expect(p2.loadMore()).rejects.toBeInstanceOf(ApiError)
    expect(p2.state.items).toEqual([])
  })

  it('throws the network failure when nothing was kept, and marks a later page failed for a retry', async () => {
    const saved = new SavedInbox()
    const none = new InboxPager({ owner: OWNER, fetchPage: async () => offline(), saved })
    await expect(none.loadMore()).rejects.toThrow('Failed to fetch')
    expect(none.state.failed).toBe(true)

    let down = false
    const pager = new InboxPager({
      owner: OWNER,
      fetchPage: async (c) => {
        if (down) offline()
        return c ? { items: [note(1)], next_cursor: null } : { items: [note(2)], next_cursor: 'n-2' }
      },
      saved,
    })
    await pager.loadMore()
    down = true
    await pager.loadMore()
    expect(pager.state).toMatchObject({ failed: true, finished: false, offline: false })
    down = false
    await pager.loadMore()
    expect(pager.state.items.map((n) => n.id)).toEqual(['n-2', 'n-1'])
    expect(pager.state.failed).toBe(false)
  })

  it('marks read on the server first, then here and in the kept copy', async () => {
    const { client, server } = await rig({
      handler: (call) => (call.method === 'POST' ? new Response(null, { status: 204 }) : json(200, { items: [note(2), note(1, { read_at: '2026-11-24T00:00:00Z' })], next_cursor: null })),
    })
    const saved = new SavedInbox()
    const pager = new InboxPager({ owner: OWNER, fetchPage: (c) => readNotifications(client, c), saved, now: () => T0 })
    await pager.loadMore()
    expect(await pager.markRead('n-2', (id) => markRead(client, id))).toBe(true)
    expect(server.calls.at(-1)).toMatchObject({ method: 'POST', url: '/api/v1/notifications/n-2/read' })
    expect(pager.state.items[0].read_at).toBe(new Date(T0).toISOString())
    expect((await saved.get(OWNER))?.items[0].read_at).toBe(new Date(T0).toISOString())
    // Already read: nothing sent, the badge does not count down.
    const before = server.calls.length
    expect(await pager.markRead('n-1', (id) => markRead(client, id))).toBe(false)
    expect(server.calls.length).toBe(before)
  })

  it('leaves a notification unread when the server refuses', async () => {
    const { client } = await rig({ handler: (call) => (call.method === 'POST' ? problem(404, 'not_found', '未找到') : json(200, { items: [note(1)], next_cursor: null })) })
    const pager = new InboxPager({ owner: OWNER, fetchPage: (c) => readNotifications(client, c), saved: new SavedInbox() })
    await pager.loadMore()
    await expect(pager.markRead('n-1', (id) => markRead(client, id))).rejects.toBeInstanceOf(ApiError)
    expect(pager.state.items[0].read_at).toBeNull()
  })

  it('keeps at most the newest hundred', async () => {
    const saved = new SavedInbox('minxin-inbox-test', 3)
    await saved.save(OWNER, [note(5), note(4), note(3), note(2)], T0)
    expect((await saved.get(OWNER))?.items.map((n) => n.id)).toEqual(['n-5', 'n-4', 'n-3'])
  })
})

describe('the bell', () => {
  it('shows nothing at zero and 99+ above 99', () => {
    expect(badgeText(0)).toBeUndefined()
    expect(badgeText(-1)).toBeUndefined()
    expect(badgeText(Number.NaN)).toBeUndefined()
    expect(badgeText(7)).toBe('7')
    expect(badgeText(99)).toBe('99')
    expect(badgeText(100)).toBe('99+')
  })

  it('counts the server’s unread, one fewer per read, and starts again for another user', async () => {
    countFor('a')
    const { client } = await rig({ handler: () => json(200, { unread: 2 }) })
    await refreshUnread(client)
    expect(unread.value).toBe(2)
    countDown()
    countDown()
    countDown()
    expect(unread.value).toBe(0)
    countFor('a')
    expect(unread.value).toBe(0)
    countFor('b')
    expect(unread.value).toBeNull()
    // Offline: the last count stays.
    unread.value = 4
    const down = await rig({ handler: offline })
    await refreshUnread(down.client)
    expect(unread.value).toBe(4)
  })

  it('opens only paths of this app', () => {
    expect(linkTarget('/official/visit?trigger=x')).toBe('/official/visit?trigger=x')
    expect(linkTarget('/casework/petitions/p-1')).toBe('/casework/petitions/p-1')
    expect(linkTarget('https://evil.example/')).toBe('/notifications')
    expect(linkTarget('//evil.example/')).toBe('/notifications')
    expect(linkTarget('/\\evil.example')).toBe('/notifications')
    expect(linkTarget('')).toBe('/notifications')
    expect(safeLink(undefined)).toBe('/notifications')
  })
})

describe('the settings form', () => {
  const prefs = {
    phone: '13800000000',
    items: [
      { kind: 'visit_due', inbox: true, push: true, sms: false, locked: false },
      { kind: 'petition_deadline', inbox: true, push: true, sms: true, locked: true },
      { kind: 'supervised', inbox: true, push: false, sms: true, locked: false },
    ],
  }

  it('sends the phone and the kinds that may change, not the locked ones', () => {
    const form = formOf(prefs)
    form.phone = '138 0000-0001'
    form.items[0].sms = true
    const { input, sent } = toInput(form)
    expect(input).toEqual({
      phone: '13800000001',
      items: [
        { kind: 'visit_due', push: true, sms: true },
        { kind: 'supervised', push: false, sms: true },
      ],
    })
    expect(sent).toEqual(['visit_due', 'supervised'])
    // The answer is copied: editing the form does not edit it.
    expect(prefs.items[0].sms).toBe(false)
  })

  it('puts the server’s errors on the phone and on the row of the kind the index names', () => {
    const placed = placeErrors(
      [
        { field: 'phone', message: '须为 1 开头的 11 位手机号' },
        { field: 'items[1].sms', message: '不能关闭' },
        { field: 'items[1].push', message: '不能关闭' },
        { field: 'items[7].kind', message: '未知类型' },
        { field: '', message: '请求有误' },
      ],
      ['visit_due', 'supervised'],
    )
    expect(placed).toEqual({ phone: '须为 1 开头的 11 位手机号', supervised: '不能关闭；不能关闭', '': 'items[7].kind: 未知类型；请求有误' })
  })

  it('warns of SMS chosen without a phone', () => {
    const form = formOf({ ...prefs, phone: '' })
    expect(smsWithoutPhone(form)).toBe(true)
    form.phone = '13800000000'
    expect(smsWithoutPhone(form)).toBe(false)
    expect(smsWithoutPhone(formOf({ phone: '', items: [prefs.items[0]] }))).toBe(false)
  })
})

// ---- Web Push ----

const KEY = 'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U'

class FakeSubscription implements PushSubscriptionLike {
  unsubscribed = false
  constructor(
    public endpoint: string,
    key: Uint8Array,
  ) {
    this.options = { applicationServerKey: key.slice().buffer }
  }
  options: { applicationServerKey: ArrayBuffer | null }
  toJSON(): PushSubscriptionJSON {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: 'p', auth: 'a' } }
  }
  async unsubscribe() {
    this.unsubscribed = true
    return true
  }
}

function fakeEnv(permission: NotificationPermission, answer: NotificationPermission = 'granted') {
  const store = new Map<string, string>()
  let current: FakeSubscription | null = null
  let asked = 0
  const subscribed: Uint8Array[] = []
  const env: PushEnv = {
    supported: true,
    permission: () => permission,
    requestPermission: async () => {
      asked++
      permission = answer
      return answer
    },
    pushManager: async () => ({
      getSubscription: async () => (current && !current.unsubscribed ? current : null),
      subscribe: async ({ applicationServerKey }) => {
        subscribed.push(applicationServerKey)
        current = new FakeSubscription(`https://push.example/${subscribed.length}`, applicationServerKey)
        return current
      },
    }),
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
  }
  return { env, store, subscribed, asked: () => asked, current: () => current }
}

function pushServer() {
  return rig({
    handler: (call) => {
      if (call.method === 'GET' && call.url === '/api/v1/notifications/push') return json(200, { public_key: KEY, subscriptions: 0 })
      if (call.method === 'POST') return json(201, { id: 'sub-1', created_at: '2026-11-25T00:00:00Z' })
      if (call.method === 'DELETE') return new Response(null, { status: 204 })
      return json(404, {})
    },
  })
}

describe('Web Push on this device', () => {
  it('decodes the server’s base64url VAPID key', () => {
    const bytes = keyBytes(KEY)
    expect(bytes.length).toBe(65) // an uncompressed P-256 point
    expect(bytes[0]).toBe(0x04)
    expect(Array.from(keyBytes('-_8'))).toEqual([0xfb, 0xff])
  })

  it('asks permission when pressed, subscribes with the key and keeps the server’s id', async () => {
    const fake = fakeEnv('default')
    const { client, server } = await pushServer()
    expect(await enablePush(fake.env, client, OWNER)).toBe('on')
    expect(fake.asked()).toBe(1)
    expect(Array.from(fake.subscribed[0])).toEqual(Array.from(keyBytes(KEY)))
    const post = server.calls.find((c) => c.method === 'POST')
    expect(post?.url).toBe('/api/v1/notifications/push/subscriptions')
    expect(post?.json).toEqual({ endpoint: 'https://push.example/1', expirationTime: null, keys: { p256dh: 'p', auth: 'a' } })
    expect(keptSubscription(fake.env, OWNER)).toEqual({ id: 'sub-1', endpoint: 'https://push.example/1' })
    expect(await pushOnHere(fake.env, OWNER)).toBe(true)
    expect(await pushOnHere(fake.env, 'another-user')).toBe(false)

    await disablePush(fake.env, client, OWNER)
    expect(server.calls.at(-1)).toMatchObject({ method: 'DELETE', url: '/api/v1/notifications/push/subscriptions/sub-1' })
    expect(keptSubscription(fake.env, OWNER)).toBeNull()
    expect(fake.current()?.unsubscribed).toBe(true)
    expect(await pushOnHere(fake.env, OWNER)).toBe(false)
  })

  it('says denied and sends nothing when the browser refuses', async () => {
    const fake = fakeEnv('default', 'denied')
    const { client, server } = await pushServer()
    expect(await enablePush(fake.env, client, OWNER)).toBe('denied')
    expect(server.calls).toEqual([])
    expect(pushSupport(fake.env)).toBe('denied')
    expect(pushSupport({ supported: false, permission: () => 'granted' })).toBe('unsupported')
    expect(await enablePush({ ...fake.env, supported: false }, client, OWNER)).toBe('unsupported')
  })

  it('replaces a subscription made with another key', async () => {
    const fake = fakeEnv('granted')
    const { client } = await pushServer()
    const manager = await fake.env.pushManager()
    const old = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: new Uint8Array(new ArrayBuffer(65)) })
    expect(await enablePush(fake.env, client, OWNER)).toBe('on')
    expect((old as FakeSubscription).unsubscribed).toBe(true)
    expect(fake.subscribed).toHaveLength(2)
  })
})

describe('the service worker’s push', () => {
  it('shows the payload tagged with its id, opening its link', () => {
    const shown = pushNotification(JSON.stringify({ id: 'n-1', kind: 'visit_due', title: '必访事项即将到期', body: '请走访', link: '/official/visit?trigger=t-1' }))
    expect(shown.title).toBe('必访事项即将到期')
    expect(shown.options).toMatchObject({ body: '请走访', tag: 'n-1', icon: '/icons/icon-192.png', data: { link: '/official/visit?trigger=t-1', id: 'n-1' } })
    expect(clickUrl(shown.options.data, 'https://minxin.example')).toBe('https://minxin.example/official/visit?trigger=t-1')
  })

  it('still shows something for a payload that is not the server’s, and never leaves the app', () => {
    const shown = pushNotification('not json')
    expect(shown.title).toBe('民心 · 新提醒')
    expect(shown.options.tag).toBeUndefined()
    expect(shown.options.data.link).toBe('/notifications')
    expect(pushNotification(JSON.stringify({ title: 'x', link: 'https://evil.example' })).options.data.link).toBe('/notifications')
    expect(clickUrl(null, 'https://minxin.example')).toBe('https://minxin.example/notifications')
  })
})
