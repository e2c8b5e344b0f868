import { describe, expect, it, vi } from 'vitest'
import { ApiClient } from '../src/api/client'
import { ApiError, AuthRequiredError, problemFrom, retryAfterMs } from '../src/api/problem'
import { localLocks } from '../src/locks'
import { Clock, FakeServer, json, official, problem, rig, tokens } from './helpers'

describe('login', () => {
  it('stores the tokens and the user', async () => {
    const { client, store, server, clock } = await rig({ signedIn: null, handler: () => tokens(1) })
    const s = await client.login('wangfang', 'secret')
    expect(server.calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/auth/login', json: { username: 'wangfang', password: 'secret' } })
    expect(server.calls[0].headers.Authorization).toBeUndefined()
    expect(s).toEqual({ access_token: 'access-1', refresh_token: 'refresh-1', expires_at: clock.now() + 900_000, user: official })
    expect(await store.get()).toEqual(s)
  })

  it('throws the problem with its field errors', async () => {
    const { client, store } = await rig({
      signedIn: null,
      handler: () => problem(422, 'invalid', '请检查输入', { errors: [{ field: 'password', message: '不能为空' }] }),
    })
    const err = await client.login('x', '').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).problem).toEqual({
      status: 422,
      title: 'Problem',
      detail: '请检查输入',
      code: 'invalid',
      errors: [{ field: 'password', message: '不能为空' }],
    })
    expect(await store.get()).toBeUndefined()
  })

  it('reports how long to wait after 429', async () => {
    const { client } = await rig({ signedIn: null, handler: () => problem(429, 'rate_limited', '尝试过多', { headers: { 'Retry-After': '90' } }) })
    const err = (await client.login('x', 'y').catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(429)
    expect(err.retryAfterMs).toBe(90_000)
  })
})

describe('problem answers', () => {
  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-11-25T00:00:00Z')
    const at = (value: string) => retryAfterMs(new Response(null, { status: 429, headers: { 'Retry-After': value } }), now)
    expect(at('30')).toBe(30_000)
    expect(at('Wed, 25 Nov 2026 00:02:00 GMT')).toBe(120_000)
    expect(at('soon')).toBeNull()
    expect(retryAfterMs(new Response(null, { status: 429 }), now)).toBeNull()
  })

  it('keeps the status line of an answer that is not JSON', async () => {
    const p = await problemFrom(new Response('<html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }))
    expect(p).toEqual({ status: 502, title: 'Bad Gateway', detail: '', code: '', errors: [] })
  })
})

describe('token refresh', () => {
  it('shares one refresh between concurrent 401s and never sends a refresh token twice', async () => {
    const { client, server, store } = await rig({
      handler: (call) => {
        if (call.url === '/api/v1/auth/refresh') {
          const n = Number((call.json as { refresh_token: string }).refresh_token.split('-')[1]) + 1
          return tokens(n)
        }
        return call.headers.Authorization === 'Bearer access-2' ? json(200, { ok: true }) : problem(401, 'expired', '')
      },
    })
    const answers = await Promise.all([client.request('GET', '/api/v1/a'), client.request('GET', '/api/v1/b'), client.request('GET', '/api/v1/c')])
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200])
    const refreshes = server.to('/api/v1/auth/refresh')
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0].json).toEqual({ refresh_token: 'refresh-1' })
    expect((await store.get())?.refresh_token).toBe('refresh-2')
  })

  it('serializes refreshes between tabs: the second tab uses the token the first one got', async () => {
    const clock = new Clock()
    const locks = localLocks()
    const server = new FakeServer((call) => {
      if (call.url === '/api/v1/auth/refresh') return tokens(2)
      return call.headers.Authorization === 'Bearer access-2' ? json(200, {}) : problem(401, 'expired', '')
    })
    const tab1 = await rig({ server, clock, locks })
    const tab2 = new ApiClient({ store: tab1.store, fetch: server.fetch, locks, now: clock.now })
    await Promise.all([tab1.client.request('GET', '/api/v1/me'), tab2.request('GET', '/api/v1/me')])
    expect(server.to('/api/v1/auth/refresh')).toHaveLength(1)
  })

  it('rotates again with the newest refresh token', async () => {
    const { client, server, clock } = await rig({
      handler: (call) => (call.url === '/api/v1/auth/refresh' ? tokens(Number((call.json as { refresh_token: string }).refresh_token.slice(-1)) + 1) : json(200, {})),
    })
    clock.advance(16 * 60_000) // access-1 has expired: refresh before sending
    await client.request('GET', '/api/v1/me')
    clock.advance(16 * 60_000)
    await client.request('GET', '/api/v1/me')
    expect(server.to('/api/v1/auth/refresh').map((c) => c.json)).toEqual([{ refresh_token: 'refresh-1' }, { refresh_token: 'refresh-2' }])
    expect(server.to('/api/v1/me').map((c) => c.headers.Authorization)).toEqual(['Bearer access-2', 'Bearer access-3'])
  })

  it('ends the session when the refresh token is refused', async () => {
    const { client, store } = await rig({
      handler: (call) => (call.url === '/api/v1/auth/refresh' ? problem(401, 'refresh_reused', 'revoked') : problem(401, 'expired', '')),
    })
    let lost = 0
    client.onAuthLost(() => lost++)
    await expect(client.request('GET', '/api/v1/me')).rejects.toBeInstanceOf(AuthRequiredError)
    expect(lost).toBe(1)
    expect(await store.get()).toBeUndefined()
  })

  it('keeps the session when the refresh endpoint fails for a while (5xx)', async () => {
    const { client, store } = await rig({
      handler: (call) => (call.url === '/api/v1/auth/refresh' ? problem(503, 'unavailable', '') : problem(401, 'expired', '')),
    })
    await expect(client.request('GET', '/api/v1/me')).rejects.toBeInstanceOf(ApiError)
    expect((await store.get())?.refresh_token).toBe('refresh-1')
  })
})

describe('me and logout', () => {
  it('reads the signed-in user', async () => {
    const { client, server } = await rig({ handler: () => json(200, { ...official, display_name: '王芳同志' }) })
    expect((await client.me()).display_name).toBe('王芳同志')
    expect(server.calls[0]).toMatchObject({ method: 'GET', url: '/api/v1/me' })
  })

  it('revokes the refresh token with the bearer token and forgets the session', async () => {
    const { client, server, store } = await rig({ handler: () => new Response(null, { status: 204 }) })
    await client.logout()
    expect(server.calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/auth/logout', json: { refresh_token: 'refresh-1' } })
    expect(server.calls[0].headers.Authorization).toBe('Bearer access-1')
    expect(await store.get()).toBeUndefined()
  })

  it('forgets the session even when the server cannot be reached', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const { client, store } = await rig({ handler: () => Promise.reject(new TypeError('Failed to fetch')) })
    await client.logout()
    expect(await store.get()).toBeUndefined()
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
  })

  it('answers AuthRequiredError without a session', async () => {
    const { client, server } = await rig({ signedIn: null })
    await expect(client.me()).rejects.toBeInstanceOf(AuthRequiredError)
    expect(server.calls).toHaveLength(0)
  })
})

describe('language', () => {
  it("asks the server for its errors in the app's language", async () => {
    const { setApiLanguage } = await import('../src/api/language')
    const { client, server } = await rig({ signedIn: null, handler: () => tokens(1) })
    await client.login('wangfang', 'secret')
    expect(server.calls[0].headers['Accept-Language']).toBe('zh-CN')
    setApiLanguage('en-US')
    try {
      await client.login('wangfang', 'secret')
      expect(server.calls[1].headers['Accept-Language']).toBe('en-US')
    } finally {
      setApiLanguage('zh-CN')
    }
  })
})
