/**
 * The petition casework of the staff (信访件办理): a petition as the office and the handler read
 * it, the office's and the handler's actions, the petition figures and their download, and the
 * reassignment of a reception day. Only routes of docs/openapi.yaml.
 */
import type { ApiClient } from './client'
import { API } from './client'
import type { Petition } from './duties'
import { apiError } from './problem'

type Reader = Pick<ApiClient, 'requestJSON'>

export const petitionStates = [
  'submitted',
  'accepted',
  'not_accepted',
  'assigned',
  'replied',
  'review_requested',
  'reviewed',
  'rereview_requested',
  'rereviewed',
  'closed',
  'withdrawn',
] as const
export type PetitionState = (typeof petitionStates)[number]

export interface PetitionEvent {
  id: string
  at: string
  actor_id: string | null
  actor_kind: string
  action: string
  from_state: string | null
  to_state: string
  note: string
  reason: string
  guidance: string
  text: string
  days: number | null
  rating: string | null
  handler_id: string | null
}

/** A petition as staff read it (GET /petitions/{id}); the list answers the same without events. */
export interface CasePetition extends Petition {
  village_id: string | null
  household_id: string | null
  text: string
  anonymous: boolean
  petitioner_masked: boolean
  about_official_ids: string[]
  attachment_ids: string[]
  received_on: string
  accepted_at: string | null
  replied_at: string | null
  finished_at: string | null
  extension_days: number
  rating: string | null
  possible_duplicate: boolean
  duplicate_of: string | null
  events?: PetitionEvent[]
}

export const readPetition = (c: Reader, id: string) => c.requestJSON('GET', `${API}/petitions/${id}`) as Promise<CasePetition>

/** The office's and the handler's actions, each with the body the contract names. */
export interface ActionBodies {
  accept: { note: string }
  reject: { reason: string; guidance: string }
  assign: { handler_id: string }
  extend: { days: number; reason: string }
  reply: { text: string }
  review: { opinion: string }
  rereview: { opinion: string }
  /** On the petitioner's behalf at the counter: the petition's code and the PIN they give. */
  withdraw: { tracking_code: string; pin: string; reason: string }
}
export type CaseAction = keyof ActionBodies

/** Takes an action; answers the petition as it now is (withdraw: as tracking shows it). */
export const act = <A extends CaseAction>(c: Reader, id: string, action: A, body: ActionBodies[A]) =>
  c.requestJSON('POST', `${API}/petitions/${id}/${action}`, { json: body }) as Promise<Partial<CasePetition> & { state: string; deadlines: CasePetition['deadlines'] }>

/** The deadline settings in force on a date (those of the day a petition was received govern it). */
export interface PetitionParams {
  accept_days: number
  reply_days: number
  max_extension_days: number
  review_request_days: number
  review_days: number
  rereview_request_days: number
  rereview_days: number
}

export const DEFAULT_PARAMS: PetitionParams = {
  accept_days: 15,
  reply_days: 60,
  max_extension_days: 30,
  review_request_days: 30,
  review_days: 30,
  rereview_request_days: 30,
  rereview_days: 30,
}

export function paramsFrom(values: Record<string, unknown>): PetitionParams {
  const out = { ...DEFAULT_PARAMS }
  for (const key of Object.keys(out) as (keyof PetitionParams)[]) {
    const v = values[`petition.${key}`]
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v
  }
  return out
}

export async function readPetitionParams(c: Reader, date: string): Promise<PetitionParams> {
  const answer = (await c.requestJSON('GET', `${API}/settings?date=${encodeURIComponent(date)}`)) as { values: Record<string, unknown> }
  return paramsFrom(answer.values ?? {})
}

// ---- Figures ------------------------------------------------------------------------------------

export interface FigureRow {
  township_id: string | null
  township_name: string
  received: number
  by_channel: Record<string, number>
  by_category: Record<string, number>
  accepted: number
  accepted_on_time: number
  not_accepted: number
  replied: number
  replied_on_time: number
  overdue: number
  extended: number
  satisfied: number
  basically_satisfied: number
  dissatisfied: number
  reviews_requested: number
  reviewed: number
  rereviews_requested: number
  rereviewed: number
  withdrawn: number
  closed: number
  possible_duplicates: number
}

export interface Figures {
  from: string
  to: string
  categories: { code: string; name_zh: string; name_en: string }[]
  townships: FigureRow[]
  total: FigureRow
}

export interface FigureFilter {
  from: string
  to: string
  township_id?: string
}

function figuresUrl(f: FigureFilter, format?: 'xlsx' | 'csv'): string {
  const q = new URLSearchParams({ from: f.from, to: f.to })
  if (f.township_id) q.set('township_id', f.township_id)
  if (format) q.set('format', format)
  return `${API}/petitions/figures?${q.toString()}`
}

export const readFigures = (c: Reader, f: FigureFilter) => c.requestJSON('GET', figuresUrl(f)) as Promise<Figures>

/** The file name a download should be saved under: the Chinese one (RFC 6266 filename*) first. */
export function downloadName(disposition: string, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1]
  if (star) {
    try {
      return decodeURIComponent(star)
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback
}

/** The figures as XLSX or CSV, as the server writes them (Chinese headers). */
export async function downloadFigures(c: Pick<ApiClient, 'request'>, f: FigureFilter, format: 'xlsx' | 'csv'): Promise<{ blob: Blob; filename: string }> {
  const res = await c.request('GET', figuresUrl(f, format))
  if (!res.ok) throw await apiError(res, Date.now())
  return { blob: await res.blob(), filename: downloadName(res.headers.get('Content-Disposition') ?? '', `petitions_${f.from}_${f.to}.${format}`) }
}

/** Saves a blob as a file the browser downloads. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

// ---- Reception days ---------------------------------------------------------------------------

export interface ReceptionChange {
  from_official_id: string | null
  to_official_id: string
  reason: string
  changed_by: string
  changed_at: string
}

export const reassignReceptionDay = (c: Reader, dayId: string, officialId: string, reason: string) =>
  c.requestJSON('POST', `${API}/reception-days/${dayId}/reassign`, { json: { official_id: officialId, reason } }) as Promise<{
    id: string
    official_id: string | null
    history: ReceptionChange[]
  }>
