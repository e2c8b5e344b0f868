import { defaultLocks, type Locks } from '../locks'
import { apiLanguage } from './language'
import { apiError, AuthRequiredError } from './problem'
import { parseTokens, parseUser, type Session, type SessionStore, type User } from './session'

export const API = '/api/v1'

/** Lock held while a refresh token is exchanged: a refresh token is never sent twice. */
const REFRESH_LOCK = 'minxin-auth-refresh'

/** Refresh the access token this long before it ends rather than spend a request on a 401. */
const EXPIRY_MARGIN_MS = 30_000

export interface ApiRequestInit {
  json?: unknown
  form?: FormData
  headers?: Record<string, string>
}

export interface ClientOptions {
  store: SessionStore
  fetch?: typeof fetch
  locks?: Locks
  now?: () => number
  timeoutMs?: number
}

export class ApiClient {
  private readonly store: SessionStore
  private readonly fetchFn: typeof fetch
  private readonly locks: Locks
  private readonly now: () => number
  private readonly timeoutMs: number
  private readonly authLostListeners = new Set<() => void>()

  constructor(options: ClientOptions) {
    this.store = options.store
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init))
    this.locks = options.locks ?? defaultLocks()
    this.now = options.now ?? Date.now
    this.timeoutMs = options.timeoutMs ?? 60_000
  }

  session(): Promise<Session | undefined> {
    return this.store.get()
  }

  /** Called when the server refuses the session (refresh token rejected or revoked). */
  onAuthLost(listener: () => void): () => void {
    this.authLostListeners.add(listener)
    return () => this.authLostListeners.delete(listener)
  }

  async login(username: string, password: string): Promise<Session> {
    const res = await this.send('POST', `${API}/auth/login`, { json: { username, password } }, null)
    if (!res.ok) throw await apiError(res, this.now())
    const session = parseTokens(await res.json(), this.now())
    await this.store.set(session)
    return session
  }

  /**
   * Changes the signed-in user's password. The server revokes every refresh token of the
   * user and answers a new login for this device, which is kept as the session.
   */
  async changePassword(oldPassword: string, newPassword: string): Promise<Session> {
    const res = await this.request('POST', `${API}/auth/password`, { json: { old_password: oldPassword, new_password: newPassword } })
    if (!res.ok) throw await apiError(res, this.now())
    const session = parseTokens(await res.json(), this.now())
    await this.store.set(session)
    return session
  }

  /**
   * Revokes the refresh token on the server and forgets the session here. The local
   * session ends even when the server cannot be reached.
   */
  async logout(): Promise<void> {
    try {
      const session = await this.validSession()
      await this.send('POST', `${API}/auth/logout`, { json: { refresh_token: session.refresh_token } }, session.access_token)
    } catch (err) {
      console.warn('logout could not reach the server; the session ends on this device only', err)
    } finally {
      await this.store.clear()
    }
  }

  async me(): Promise<User> {
    return parseUser(await this.requestJSON('GET', `${API}/me`))
  }

  /**
   * Sends an authenticated request. A 401 answer makes it refresh the token once and send
   * again; a second 401 ends the session. Other answers are returned as they are.
   * Throws AuthRequiredError without a usable session, and the fetch error when offline.
   */
  async request(method: string, url: string, init: ApiRequestInit = {}): Promise<Response> {
    let session = await this.validSession()
    const res = await this.send(method, url, init, session.access_token)
    if (res.status !== 401) return res
    session = await this.refresh(session.refresh_token)
    const again = await this.send(method, url, init, session.access_token)
    if (again.status === 401) {
      await this.endSession()
      throw new AuthRequiredError()
    }
    return again
  }

  /** Like request, and reads the JSON answer; a non-2xx answer throws ApiError. */
  async requestJSON(method: string, url: string, init: ApiRequestInit = {}): Promise<unknown> {
    const res = await this.request(method, url, init)
    if (!res.ok) throw await apiError(res, this.now())
    return res.json()
  }

  /**
   * Exchanges the refresh token that the caller saw for a new pair. Callers in this page,
   * other tabs and the service worker take turns under one lock, and a caller whose token
   * was already rotated by someone else gets the stored session without a request.
   */
  refresh(seenRefreshToken: string): Promise<Session> {
    return this.locks.run(REFRESH_LOCK, () => this.rotate(seenRefreshToken))
  }

  private async rotate(seenRefreshToken: string): Promise<Session> {
    const current = await this.store.get()
    if (!current) throw new AuthRequiredError()
    if (current.refresh_token !== seenRefreshToken) return current
    const res = await this.send('POST', `${API}/auth/refresh`, { json: { refresh_token: current.refresh_token } }, null)
    if (res.ok) {
      const session = parseTokens(await res.json(), this.now())
      await this.store.set(session)
      return session
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      await this.endSession()
      throw new AuthRequiredError()
    }
    throw await apiError(res, this.now())
  }

  private async validSession(): Promise<Session> {
    const session = await this.store.get()
    if (!session) throw new AuthRequiredError()
    if (session.expires_at - EXPIRY_MARGIN_MS <= this.now()) return this.refresh(session.refresh_token)
    return session
  }

  private async endSession(): Promise<void> {
    await this.store.clear()
    for (const listener of this.authLostListeners) listener()
  }

  private async send(method: string, url: string, init: ApiRequestInit, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', 'Accept-Language': apiLanguage(), ...init.headers }
    if (token) headers.Authorization = `Bearer ${token}`
    let body: BodyInit | undefined
    if (init.form) {
      body = init.form
    } else if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(init.json)
    }
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(new DOMException('request timed out', 'TimeoutError')), this.timeoutMs)
    try {
      return await this.fetchFn(url, { method, headers, body, signal: abort.signal })
    } finally {
      clearTimeout(timer)
    }
  }
}
