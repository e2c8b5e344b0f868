/**
 * The official's duties (§2, §3): what the home page reads, and the field records it writes.
 * Field records are never sent directly: they go through the outbox with their client-chosen
 * id, so that they survive a reload without signal and are sent in order.
 */
import { openDB, type IDBPDatabase } from 'idb'
import type { Evidence } from '../location/geo'
import type { Outbox } from '../outbox/outbox'
import type { OutboxItem } from '../outbox/types'
import { uuid } from '../uuid'
import { API, type ApiClient } from './client'
import { ApiError, AuthRequiredError } from './problem'

// ---- Answers -------------------------------------------------------------------------------

export interface ServerEvidence {
  occurred_at: string
  received_at: string
  lat: number | null
  lng: number | null
  accuracy_m: number | null
  distance_m: number | null
  photo_ids: string[]
  flags: string[]
  counts: boolean
}

export interface Progress {
  official_id: string
  /** The date asked about (the district's today by default). */
  date: string
  overnight: { week: string; leave_days: number; required: number; counted: number; status: 'met' | 'short' | 'exempt' }
  stationing: {
    year: number
    period_start: string
    period_end: string
    required_days: number
    counted_days: number
    expected_to_date: number
    status: 'met' | 'on_track' | 'behind'
  }
  reception: { year: number; assigned: number; attended: number; on_time: number }
  visits: { open: number; overdue: number; on_time: number; late: number; visits: number; households_visited: number }
  links: { village_id: string | null; linked_households: number; minimum: number; status: string }
}

export interface ReceptionDay {
  id: string
  township_id: string
  date: string
  official_id: string | null
  checkin: ServerEvidence | null
  attended: boolean
  on_time: boolean
  refuted: boolean
}

export interface OvernightStay {
  id: string
  night_date: string
  week: string
  checkin: ServerEvidence
  checkout: ServerEvidence | null
  counts: boolean
}

export interface Stationing {
  id: string
  village_id: string
  date: string
  checkin: ServerEvidence
  checkout: ServerEvidence | null
  counts: boolean
}

export interface VisitTrigger {
  id: string
  township_id: string
  household_id: string
  category: string
  occurred_on: string
  due_at: string
  note: string
  responsible_id: string | null
  status: 'open' | 'overdue' | 'on_time' | 'late'
}

export interface Household {
  id: string
  township_id: string
  village_id: string
  head_name: string
  address: string
  contact_official_id: string | null
}

export interface Village {
  id: string
  township_id: string
  name: string
}

export interface Township {
  id: string
  name: string
}

export interface Finding {
  id: string
  audit_id: string
  record_id: string
  result: 'confirmed' | 'discrepancy' | 'unreachable'
  notes: string
  explanation_due_on: string | null
  explanation: string | null
  resolution: string | null
  created_at: string
}

export interface Petition {
  id: string
  tracking_code: string
  township_id: string
  category: string
  subject: string
  state: string
  handler_id: string | null
  deadlines: Partial<Record<'accept_by' | 'reply_by' | 'review_request_by' | 'review_by' | 'rereview_request_by' | 'rereview_by', string>>
  overdue: boolean
  overdue_step: string | null
  submitted_at: string
  petitioner: { name: string; phone: string } | null
  channel: string
}

export interface Category {
  code: string
  name_zh: string
  name_en: string
  due_days?: number
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

// ---- Reading, with a copy for when there is no signal ---------------------------------------

/** A read answer, and whether it is the copy saved on an earlier visit (no signal now). */
export interface Loaded<T> {
  value: T
  stale: boolean
  saved_at: number
}

interface CacheEntry {
  value: unknown
  saved_at: number
}

/** True for errors that mean "no answer from the server", as opposed to an answer. */
export function isOffline(err: unknown): boolean {
  if (err instanceof ApiError || err instanceof AuthRequiredError) return false
  return err instanceof Error
}

/**
 * Keeps the last answer of each read the field pages need (households, triggers, progress…)
 * per user, so that the home page and the visit form open in a village without signal.
 */
export class ReadCache {
  private db: Promise<IDBPDatabase> | null = null

  constructor(
    private readonly owner: string,
    private readonly name = 'minxin-read-cache',
    private readonly now: () => number = Date.now,
  ) {}

  private open(): Promise<IDBPDatabase> {
    this.db ??= openDB(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('answers')
      },
    })
    return this.db
  }

  /** Fetches; on a network failure answers the saved copy, else throws the failure. */
  async read<T>(key: string, fetcher: () => Promise<T>): Promise<Loaded<T>> {
    const k = `${this.owner}|${key}`
    try {
      const value = await fetcher()
      const saved_at = this.now()
      try {
        await (await this.open()).put('answers', { value, saved_at } satisfies CacheEntry, k)
      } catch (err) {
        console.warn('could not keep a copy for offline use', err)
      }
      return { value, stale: false, saved_at }
    } catch (err) {
      if (!isOffline(err)) throw err
      const entry = (await (await this.open()).get('answers', k).catch(() => undefined)) as CacheEntry | undefined
      if (!entry) throw err
      return { value: entry.value as T, stale: true, saved_at: entry.saved_at }
    }
  }
}

function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** Reads every page of a collection, up to maxPages pages of 200. */
export async function readAll<T>(
  client: Pick<ApiClient, 'requestJSON'>,
  path: string,
  params: Record<string, string | number | boolean | undefined | null> = {},
  maxPages = 10,
): Promise<T[]> {
  const out: T[] = []
  let cursor: string | null = null
  for (let i = 0; i < maxPages; i++) {
    const page = (await client.requestJSON('GET', `${API}${path}${query({ ...params, limit: 200, cursor })}`)) as Page<T>
    out.push(...page.items)
    if (!page.next_cursor) break
    cursor = page.next_cursor
  }
  return out
}

type Reader = Pick<ApiClient, 'requestJSON'>

export const readProgress = (c: Reader, officialId: string, date?: string) =>
  c.requestJSON('GET', `${API}/progress/officials/${officialId}${query({ date })}`) as Promise<Progress>

export const readReceptionDays = async (c: Reader, officialId: string, from: string, to: string) =>
  ((await c.requestJSON('GET', `${API}/reception-days${query({ official_id: officialId, from, to })}`)) as Page<ReceptionDay>).items

export const readStays = (c: Reader, officialId: string, from: string) =>
  readAll<OvernightStay>(c, '/overnight-stays', { official_id: officialId, from }, 2)

export const readStationings = (c: Reader, officialId: string, from: string) =>
  readAll<Stationing>(c, '/stationings', { official_id: officialId, from }, 2)

/** Open must-visits (overdue ones included) that the official is responsible for. */
export const readOpenTriggers = (c: Reader, params: { responsible_id?: string; household_id?: string }) =>
  readAll<VisitTrigger>(c, '/visit-triggers', { ...params, status: 'open' }, 5)

export const readHouseholds = (c: Reader, params: { village_id?: string; township_id?: string } = {}) =>
  readAll<Household>(c, '/households', params, 25)

export const readVillages = (c: Reader, townshipId?: string | null) => readAll<Village>(c, '/villages', { township_id: townshipId }, 5)

export const readTownships = (c: Reader) => readAll<Township>(c, '/townships', {}, 5)

export async function readVisitCategories(c: Reader): Promise<Category[]> {
  const answer = (await c.requestJSON('GET', `${API}/settings`)) as { values?: Record<string, unknown> }
  const cats = answer.values?.['visits.categories']
  return Array.isArray(cats) ? (cats as Category[]) : []
}

/** Audit findings on the official's records. */
export const readMyFindings = async (c: Reader) => ((await c.requestJSON('GET', `${API}/findings`)) as { items: Finding[] }).items

export const explainFinding = (c: Reader, findingId: string, text: string) =>
  c.requestJSON('POST', `${API}/findings/${findingId}/explain`, { json: { text } }) as Promise<Finding>

/**
 * Petitions handled by the official that wait for their reply. The list endpoint has no
 * handler filter, so the township's visible petitions are read and filtered here.
 */
export async function readMyPetitions(c: Reader, officialId: string): Promise<Petition[]> {
  const all = await readAll<Petition>(c, '/petitions', {}, 5)
  return all.filter((p) => p.handler_id === officialId)
}

// ---- Writing field records through the outbox --------------------------------------------------

type Queue = Pick<Outbox, 'enqueue'>

export const fieldKinds = [
  'reception_checkin',
  'overnight_checkin',
  'overnight_checkout',
  'stationing_checkin',
  'stationing_checkout',
  'visit',
] as const
export type FieldKind = (typeof fieldKinds)[number]

export async function queueReceptionCheckin(outbox: Queue, dayId: string, evidence: Evidence): Promise<string> {
  await outbox.enqueue({ kind: 'reception_checkin', method: 'POST', url: `${API}/reception-days/${dayId}/checkin`, body: { evidence } })
  return dayId
}

export async function queueOvernightCheckin(outbox: Queue, evidence: Evidence): Promise<string> {
  const id = uuid()
  await outbox.enqueue({ kind: 'overnight_checkin', method: 'POST', url: `${API}/overnight-stays`, body: { id, checkin: evidence } })
  return id
}

export async function queueOvernightCheckout(outbox: Queue, stayId: string, evidence: Evidence): Promise<string> {
  await outbox.enqueue({ kind: 'overnight_checkout', method: 'POST', url: `${API}/overnight-stays/${stayId}/checkout`, body: { evidence } })
  return stayId
}

export async function queueStationingCheckin(outbox: Queue, villageId: string, evidence: Evidence): Promise<string> {
  const id = uuid()
  await outbox.enqueue({ kind: 'stationing_checkin', method: 'POST', url: `${API}/stationings`, body: { id, village_id: villageId, checkin: evidence } })
  return id
}

export async function queueStationingCheckout(outbox: Queue, sessionId: string, evidence: Evidence): Promise<string> {
  await outbox.enqueue({ kind: 'stationing_checkout', method: 'POST', url: `${API}/stationings/${sessionId}/checkout`, body: { evidence } })
  return sessionId
}

export interface VisitInput {
  household_id: string
  category: string
  trigger_id: string | null
  notes: string
  follow_up: string
  evidence: Evidence
}

export async function queueVisit(outbox: Queue, visit: VisitInput): Promise<string> {
  const id = uuid()
  const body: Record<string, unknown> = { id, ...visit }
  if (!visit.trigger_id) delete body.trigger_id
  await outbox.enqueue({ kind: 'visit', method: 'POST', url: `${API}/visits`, body })
  return id
}

// ---- What is still waiting in the outbox --------------------------------------------------------

/** A check-in still in the outbox (or on the server without its check-out). */
export interface OpenSession {
  id: string
  since: string
  village_id?: string
  /** Still waiting in the outbox. */
  pending: boolean
}

/** The field records that the outbox has not delivered yet, by what they are. */
export interface PendingField {
  receptionCheckins: Set<string>
  overnightCheckins: OpenSession[]
  overnightCheckouts: Set<string>
  stationingCheckins: OpenSession[]
  stationingCheckouts: Set<string>
  visits: { id: string; household_id: string; trigger_id: string | null; occurred_at: string; qr: boolean }[]
}

function idFromUrl(url: string, resource: string): string | null {
  const m = new RegExp(`/${resource}/([^/]+)/(?:checkout|checkin)$`).exec(url)
  return m ? decodeURIComponent(m[1]) : null
}

export function pendingField(items: readonly OutboxItem[]): PendingField {
  const out: PendingField = {
    receptionCheckins: new Set(),
    overnightCheckins: [],
    overnightCheckouts: new Set(),
    stationingCheckins: [],
    stationingCheckouts: new Set(),
    visits: [],
  }
  for (const item of items) {
    const body = (item.body ?? {}) as Record<string, unknown>
    switch (item.kind) {
      case 'reception_checkin': {
        const id = idFromUrl(item.url, 'reception-days')
        if (id) out.receptionCheckins.add(id)
        break
      }
      case 'overnight_checkin':
        out.overnightCheckins.push({ id: String(body.id), since: String((body.checkin as Evidence).occurred_at), pending: true })
        break
      case 'overnight_checkout': {
        const id = idFromUrl(item.url, 'overnight-stays')
        if (id) out.overnightCheckouts.add(id)
        break
      }
      case 'stationing_checkin':
        out.stationingCheckins.push({
          id: String(body.id),
          village_id: String(body.village_id),
          since: String((body.checkin as Evidence).occurred_at),
          pending: true,
        })
        break
      case 'stationing_checkout': {
        const id = idFromUrl(item.url, 'stationings')
        if (id) out.stationingCheckouts.add(id)
        break
      }
      case 'visit': {
        const evidence = body.evidence as Evidence
        out.visits.push({
          id: String(body.id),
          household_id: String(body.household_id),
          trigger_id: typeof body.trigger_id === 'string' ? body.trigger_id : null,
          occurred_at: evidence.occurred_at,
          qr: typeof evidence.qr_token === 'string' && evidence.qr_token !== '',
        })
        break
      }
    }
  }
  return out
}

/**
 * The session to check out of: the latest check-in, on the server or in the outbox, without
 * a check-out (sent or queued), begun within maxAgeMs. Null when the next step is a check-in.
 */
export function openSession(
  server: readonly { id: string; checkin: { occurred_at: string }; checkout: unknown; village_id?: string }[],
  queuedCheckins: readonly OpenSession[],
  queuedCheckouts: ReadonlySet<string>,
  now: number,
  maxAgeMs: number,
): OpenSession | null {
  const candidates: OpenSession[] = [
    ...server
      .filter((s) => s.checkout === null || s.checkout === undefined)
      .map((s) => ({ id: s.id, since: s.checkin.occurred_at, village_id: s.village_id, pending: false })),
    ...queuedCheckins.filter((q) => !server.some((s) => s.id === q.id)),
  ].filter((s) => !queuedCheckouts.has(s.id) && now - Date.parse(s.since) <= maxAgeMs && Date.parse(s.since) <= now + 5 * 60_000)
  candidates.sort((a, b) => Date.parse(b.since) - Date.parse(a.since))
  return candidates[0] ?? null
}
