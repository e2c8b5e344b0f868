import { ApiClient } from '../src/api/client'
import { SessionStore, type Session, type User } from '../src/api/session'
import { openMinxinDB, type MinxinDB } from '../src/db'
import { localLocks, type Locks } from '../src/locks'
import { Outbox, type ChannelLike } from '../src/outbox/outbox'

export const T0 = Date.parse('2026-11-25T08:00:00+08:00')

export class Clock {
  constructor(public value = T0) {}
  now = (): number => this.value
  advance(ms: number): void {
    this.value += ms
  }
}

export const official: User = {
  id: '11111111-1111-4111-8111-111111111111',
  username: 'wangfang',
  display_name: '王芳',
  role: 'official',
  township_id: '22222222-2222-4222-8222-222222222222',
  team_member: true,
  lead: false,
}

export function session(overrides: Partial<Session> = {}, clock = new Clock()): Session {
  return { access_token: 'access-1', refresh_token: 'refresh-1', expires_at: clock.now() + 15 * 60_000, user: official, ...overrides }
}

export interface Call {
  method: string
  url: string
  headers: Record<string, string>
  json: unknown
  form: FormData | null
}

export type Handler = (call: Call, index: number) => Response | Promise<Response>

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: { errors?: { field: string; message: string }[]; headers?: Record<string, string> } = {},
): Response {
  return new Response(JSON.stringify({ status, title: 'Problem', detail, code, errors: extra.errors ?? [] }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...extra.headers },
  })
}

export function tokens(n: number, user: User = official): Response {
  return json(200, { access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 900, user })
}

/** A fake fetch that records every call and how many were in flight at once. */
export class FakeServer {
  calls: Call[] = []
  inFlight = 0
  maxInFlight = 0

  constructor(public handler: Handler) {}

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>))
    const call: Call = {
      method: init.method ?? 'GET',
      url: String(input),
      headers,
      json: typeof init.body === 'string' ? JSON.parse(init.body) : null,
      form: init.body instanceof FormData ? init.body : null,
    }
    this.calls.push(call)
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      // Answer asynchronously, as a network would, so that overlapping requests would show.
      await new Promise((resolve) => setTimeout(resolve, 1))
      return await this.handler(call, this.calls.length - 1)
    } finally {
      this.inFlight--
    }
  }

  urls(): string[] {
    return this.calls.map((c) => `${c.method} ${c.url}`)
  }

  to(url: string): Call[] {
    return this.calls.filter((c) => c.url === url)
  }
}

export interface Rig {
  db: MinxinDB
  store: SessionStore
  client: ApiClient
  outbox: Outbox
  server: FakeServer
  clock: Clock
}

export interface RigOptions {
  handler?: Handler
  signedIn?: Session | null
  random?: () => number
  locks?: Locks
  channel?: ChannelLike | null
  clock?: Clock
  server?: FakeServer
  online?: () => boolean
}

/** A page's worth of storage, API client and outbox over the current fake IndexedDB. */
export async function rig(options: RigOptions = {}): Promise<Rig> {
  const clock = options.clock ?? new Clock()
  const server = options.server ?? new FakeServer(options.handler ?? (() => json(201, {})))
  const db = await openMinxinDB()
  const store = new SessionStore(db)
  const signedIn = options.signedIn === undefined ? session({}, clock) : options.signedIn
  if (signedIn) await store.set(signedIn)
  const locks = options.locks ?? localLocks()
  const client = new ApiClient({ store, fetch: server.fetch, locks, now: clock.now })
  const outbox = new Outbox({
    db,
    transport: client,
    locks,
    channel: options.channel ?? null,
    now: clock.now,
    random: options.random ?? (() => 0.5),
    online: options.online,
  })
  return { db, store, client, outbox, server, clock }
}

export function record(n: number, extra: Record<string, unknown> = {}) {
  return {
    kind: 'overnight_checkin',
    method: 'POST' as const,
    url: '/api/v1/overnight-stays',
    body: { id: `00000000-0000-4000-8000-00000000000${n}`, checkin: { occurred_at: '2026-11-25T20:00:00+08:00' }, ...extra },
  }
}
