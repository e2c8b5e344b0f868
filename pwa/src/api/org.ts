/**
 * The organisation, people, calendar and settings that admins manage (§1) and petition
 * officers and leads read: the API calls, and the mapping from the pages' forms (text as
 * typed) to request bodies, with the checks that can be made before asking the server.
 *
 * Check results are i18n keys under `org.v.*`; the server's own messages (problem+json
 * `errors`) are shown as they come, next to the field they name.
 */
import { API, type ApiClient } from './client'
import { isOffline, readAll, type Page } from './duties'
import { ApiError, AuthRequiredError, problemFrom } from './problem'
import type { Role } from './session'

// ---- Resources ------------------------------------------------------------------------------

export interface Place {
  id: string
  name: string
  lat: number
  lng: number
  radius_m: number
}

export type Township = Place

export interface Village extends Place {
  township_id: string
}

export interface Household {
  id: string
  township_id: string
  village_id: string
  head_name: string
  address: string
  phone: string
  lat: number | null
  lng: number | null
  contact_official_id: string | null
}

export interface StaffUser {
  id: string
  username: string
  display_name: string
  role: Role
  township_id: string | null
  team_member: boolean
  lead: boolean
  appointed_on: string | null
}

export interface Leave {
  id: string
  township_id: string
  user_id: string
  start_date: string
  end_date: string
  reason: string
}

export interface Holiday {
  date: string
  working: boolean
  name: string
}

export interface SettingRecord {
  key: string
  effective_from: string
  value: unknown
  created_by: string | null
  created_at: string
}

// ---- Errors -----------------------------------------------------------------------------------

/** Messages by form field; '' holds what belongs to no field of the form. */
export type Errors = Record<string, string>

/**
 * The server's refusal as messages by field: each `errors[]` entry whose field the form shows
 * goes next to that field, anything else (and a problem without field errors) under ''.
 * Offline: the key `errors.network`.
 */
export function errorsFrom(err: unknown, fields: readonly string[]): Errors {
  if (err instanceof ApiError) {
    const out: Errors = {}
    const rest: string[] = []
    for (const e of err.problem.errors) {
      if (e.field && fields.includes(e.field)) out[e.field] = out[e.field] ? `${out[e.field]}; ${e.message}` : e.message
      else rest.push(e.field ? `${e.field}: ${e.message}` : e.message)
    }
    if (rest.length) out[''] = rest.join('; ')
    else if (!err.problem.errors.length) out[''] = err.message
    return out
  }
  if (err instanceof AuthRequiredError) return { '': 'org.v.session' }
  if (isOffline(err)) return { '': 'errors.network' }
  return { '': err instanceof Error ? err.message : String(err) }
}

// ---- Form checks --------------------------------------------------------------------------------

/** A form checked: the body to send, or the errors by field. */
export type Checked<T> = { ok: true; body: T } | { ok: false; errors: Errors }

function result<T>(errors: Errors, body: T): Checked<T> {
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, body }
}

/**
 * A number typed in a form: undefined when empty, NaN when not a plain decimal number (a comma
 * is refused rather than guessed: "3,000" could be three thousand or three).
 */
export function numberOf(text: string): number | undefined {
  const s = text.trim().replace(/。|．/g, '.')
  if (s === '') return undefined
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN
}

function checkRange(errors: Errors, field: string, v: number | undefined, min: number, max: number, required: boolean): void {
  if (v === undefined) {
    if (required) errors[field] = 'org.v.required'
  } else if (Number.isNaN(v)) errors[field] = 'org.v.number'
  else if (v < min || v > max) errors[field] = `org.v.range.${field}`
}

function checkText(errors: Errors, field: string, text: string, max: number, required = true): string {
  const s = text.trim()
  if (required && s === '') errors[field] = 'org.v.required'
  else if (s.length > max) errors[field] = 'org.v.tooLong'
  return s
}

/** A township or a village as typed: name, geofence centre and radius (metres). */
export interface PlaceForm {
  name: string
  lat: string
  lng: string
  radius_m: string
}

export interface PlaceBody {
  name: string
  lat: number
  lng: number
  radius_m?: number
}

export function placeFormOf(p?: Place): PlaceForm {
  return p ? { name: p.name, lat: String(p.lat), lng: String(p.lng), radius_m: String(p.radius_m) } : { name: '', lat: '', lng: '', radius_m: '' }
}

/** A township's or village's body; an empty radius is left out, so the district's default applies. */
export function placeBody(f: PlaceForm): Checked<PlaceBody> {
  const errors: Errors = {}
  const name = checkText(errors, 'name', f.name, 100)
  const lat = numberOf(f.lat)
  const lng = numberOf(f.lng)
  const radius = numberOf(f.radius_m)
  checkRange(errors, 'lat', lat, -90, 90, true)
  checkRange(errors, 'lng', lng, -180, 180, true)
  checkRange(errors, 'radius_m', radius, 0, 100_000, false)
  if (radius === 0) errors.radius_m = 'org.v.range.radius_m'
  const body: PlaceBody = { name, lat: lat as number, lng: lng as number }
  if (radius !== undefined) body.radius_m = radius
  return result(errors, body)
}

/** A household as typed. contact_official_id '' means none. */
export interface HouseholdForm {
  village_id: string
  head_name: string
  address: string
  phone: string
  lat: string
  lng: string
  contact_official_id: string
}

export interface HouseholdBody {
  village_id: string
  head_name: string
  address: string
  phone: string
  lat?: number
  lng?: number
  contact_official_id?: string
}

export function householdFormOf(h: Household | null, villageId: string): HouseholdForm {
  return h
    ? {
        village_id: h.village_id,
        head_name: h.head_name,
        address: h.address,
        phone: h.phone,
        lat: h.lat === null ? '' : String(h.lat),
        lng: h.lng === null ? '' : String(h.lng),
        contact_official_id: h.contact_official_id ?? '',
      }
    : { village_id: villageId, head_name: '', address: '', phone: '', lat: '', lng: '', contact_official_id: '' }
}

/** Spaces and dashes are dropped from the phone number; 7 to 15 digits, an optional leading +. */
export function householdBody(f: HouseholdForm): Checked<HouseholdBody> {
  const errors: Errors = {}
  if (!f.village_id) errors.village_id = 'org.v.required'
  const head_name = checkText(errors, 'head_name', f.head_name, 50)
  const address = checkText(errors, 'address', f.address, 200)
  const phone = f.phone.replace(/[\s-]/g, '')
  if (phone !== '' && !/^\+?\d{7,15}$/.test(phone)) errors.phone = 'org.v.phone'
  const lat = numberOf(f.lat)
  const lng = numberOf(f.lng)
  checkRange(errors, 'lat', lat, -90, 90, lng !== undefined)
  checkRange(errors, 'lng', lng, -180, 180, lat !== undefined)
  const body: HouseholdBody = { village_id: f.village_id, head_name, address, phone }
  if (lat !== undefined && lng !== undefined) {
    body.lat = lat
    body.lng = lng
  }
  if (f.contact_official_id) body.contact_official_id = f.contact_official_id
  return result(errors, body)
}

/** A user as typed; on an edit, an empty password keeps the current one. */
export interface UserForm {
  username: string
  display_name: string
  role: Role | ''
  township_id: string
  team_member: boolean
  lead: boolean
  appointed_on: string
  password: string
}

export interface UserCreateBody {
  username: string
  password: string
  display_name: string
  role: Role
  township_id?: string
  team_member?: boolean
  lead?: boolean
  appointed_on?: string
}

export type UserUpdateBody = Partial<Pick<UserCreateBody, 'display_name' | 'team_member' | 'lead' | 'appointed_on' | 'password'>>

export function userFormOf(u?: StaffUser): UserForm {
  return u
    ? {
        username: u.username,
        display_name: u.display_name,
        role: u.role,
        township_id: u.township_id ?? '',
        team_member: u.team_member,
        lead: u.lead,
        appointed_on: u.appointed_on ?? '',
        password: '',
      }
    : { username: '', display_name: '', role: '', township_id: '', team_member: false, lead: false, appointed_on: '', password: '' }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

function checkPassword(errors: Errors, password: string, required: boolean): void {
  if (password === '') {
    if (required) errors.password = 'org.v.required'
  } else if (password.length < 10) errors.password = 'org.v.password'
  else if (password.length > 128) errors.password = 'org.v.tooLong'
}

/**
 * A new user: a township is required for an official, optional for a petition officer (none:
 * district-wide) and left out for other roles; the team-member and lead flags and the
 * appointment date are sent only for an official.
 */
export function userCreateBody(f: UserForm): Checked<UserCreateBody> {
  const errors: Errors = {}
  const username = f.username.trim()
  if (username === '') errors.username = 'org.v.required'
  else if (!/^[A-Za-z0-9._-]{3,64}$/.test(username)) errors.username = 'org.v.username'
  const display_name = checkText(errors, 'display_name', f.display_name, 50)
  if (!f.role) errors.role = 'org.v.required'
  checkPassword(errors, f.password, true)
  const body: UserCreateBody = { username, password: f.password, display_name, role: f.role as Role }
  if (f.role === 'official') {
    if (!f.township_id) errors.township_id = 'org.v.required'
    body.township_id = f.township_id
    body.team_member = f.team_member
    body.lead = f.lead
    if (f.appointed_on) {
      if (!DATE.test(f.appointed_on)) errors.appointed_on = 'org.v.date'
      body.appointed_on = f.appointed_on
    }
  } else if (f.role === 'petition_officer' && f.township_id) {
    body.township_id = f.township_id
  }
  return result(errors, body)
}

/** The changes of a user: only what differs from the stored user (username, role and township are fixed). */
export function userUpdateBody(f: UserForm, u: StaffUser): Checked<UserUpdateBody> {
  const errors: Errors = {}
  const display_name = checkText(errors, 'display_name', f.display_name, 50)
  checkPassword(errors, f.password, false)
  const body: UserUpdateBody = {}
  if (display_name !== u.display_name) body.display_name = display_name
  if (u.role === 'official') {
    if (f.team_member !== u.team_member) body.team_member = f.team_member
    if (f.lead !== u.lead) body.lead = f.lead
    if (f.appointed_on === '' && u.appointed_on) errors.appointed_on = 'org.v.keepDate'
    else if (f.appointed_on !== '' && f.appointed_on !== u.appointed_on) {
      if (!DATE.test(f.appointed_on)) errors.appointed_on = 'org.v.date'
      body.appointed_on = f.appointed_on
    }
  }
  if (f.password !== '') body.password = f.password
  if (!Object.keys(errors).length && !Object.keys(body).length) errors[''] = 'org.v.nothing'
  return result(errors, body)
}

export interface LeaveForm {
  user_id: string
  start_date: string
  end_date: string
  reason: string
}

export function leaveBody(f: LeaveForm): Checked<LeaveForm> {
  const errors: Errors = {}
  if (!f.user_id) errors.user_id = 'org.v.required'
  if (!DATE.test(f.start_date)) errors.start_date = f.start_date ? 'org.v.date' : 'org.v.required'
  if (!DATE.test(f.end_date)) errors.end_date = f.end_date ? 'org.v.date' : 'org.v.required'
  else if (!errors.start_date && f.end_date < f.start_date) errors.end_date = 'org.v.endBeforeStart'
  const reason = checkText(errors, 'reason', f.reason, 200)
  return result(errors, { user_id: f.user_id, start_date: f.start_date, end_date: f.end_date, reason })
}

export interface HolidayForm {
  date: string
  working: boolean
  name: string
}

export function holidayBody(f: HolidayForm): Checked<{ date: string; body: { working: boolean; name: string } }> {
  const errors: Errors = {}
  if (!DATE.test(f.date)) errors.date = f.date ? 'org.v.date' : 'org.v.required'
  const name = checkText(errors, 'name', f.name, 50, false)
  return result(errors, { date: f.date, body: { working: f.working, name } })
}

// ---- Settings ----------------------------------------------------------------------------------

export type SettingKind = 'number' | 'clock' | 'list' | 'other'

const CLOCK = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/

/** What a setting holds, judged from its value in force: whole numbers, HH:MM clocks or category lists. */
export function settingKind(value: unknown): SettingKind {
  if (typeof value === 'number') return 'number'
  if (typeof value === 'string' && CLOCK.test(value)) return 'clock'
  if (Array.isArray(value)) return 'list'
  return 'other'
}

export interface SettingForm {
  key: string
  value: string
  effective_from: string
}

/**
 * A new value of a number or clock setting, from a date that is today or later (the server
 * refuses earlier dates too; the check here only saves a round trip).
 */
export function settingBody(f: SettingForm, kind: SettingKind, today: string): Checked<{ key: string; value: number | string; effective_from: string }> {
  const errors: Errors = {}
  let value: number | string = f.value.trim()
  if (!f.key) errors.key = 'org.v.required'
  else if (kind === 'number') {
    const n = numberOf(f.value)
    if (n === undefined) errors.value = 'org.v.required'
    else if (!Number.isInteger(n)) errors.value = 'org.v.integer'
    else value = n
  } else if (kind === 'clock') {
    if (value === '') errors.value = 'org.v.required'
    else if (!CLOCK.test(value)) errors.value = 'org.v.clock'
  } else errors.key = 'org.v.notEditable'
  if (!DATE.test(f.effective_from)) errors.effective_from = f.effective_from ? 'org.v.date' : 'org.v.required'
  else if (f.effective_from < today) errors.effective_from = 'org.v.notPast'
  return result(errors, { key: f.key, value, effective_from: f.effective_from })
}

/** Each key's recorded values, newest effective date first; keys in alphabetical order. */
export function settingHistory(items: readonly SettingRecord[]): { key: string; values: SettingRecord[] }[] {
  const by = new Map<string, SettingRecord[]>()
  for (const s of items) {
    const list = by.get(s.key) ?? []
    list.push(s)
    by.set(s.key, list)
  }
  return [...by.keys()].sort().map((key) => ({
    key,
    values: by.get(key)!.sort((a, b) => b.effective_from.localeCompare(a.effective_from) || b.created_at.localeCompare(a.created_at)),
  }))
}

// ---- API calls ------------------------------------------------------------------------------------

type Client = Pick<ApiClient, 'requestJSON'>

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** One page of a collection (50 a page), from a cursor. */
export const listPage = <T>(c: Client, path: string, params: Record<string, string | undefined>, cursor: string | null, limit = 50) =>
  c.requestJSON('GET', `${API}${path}${query({ ...params, limit, cursor })}`) as Promise<Page<T>>

export const listTownships = (c: Client) => readAll<Township>(c, '/townships', {}, 5)
export const listVillages = (c: Client, townshipId: string) => readAll<Village>(c, '/villages', { township_id: townshipId }, 10)
export const listUsers = (c: Client, params: { township_id?: string; role?: Role } = {}) => readAll<StaffUser>(c, '/users', params, 10)
export const listLeaves = (c: Client, townshipId: string) => readAll<Leave>(c, '/leaves', { township_id: townshipId }, 10)

export const getTownship = (c: Client, id: string) => c.requestJSON('GET', `${API}/townships/${id}`) as Promise<Township>
export const getVillage = (c: Client, id: string) => c.requestJSON('GET', `${API}/villages/${id}`) as Promise<Village>

export const saveTownship = (c: Client, body: PlaceBody, id?: string) =>
  c.requestJSON(id ? 'PATCH' : 'POST', `${API}/townships${id ? `/${id}` : ''}`, { json: body }) as Promise<Township>

export const saveVillage = (c: Client, body: PlaceBody & { township_id?: string }, id?: string) =>
  c.requestJSON(id ? 'PATCH' : 'POST', `${API}/villages${id ? `/${id}` : ''}`, { json: body }) as Promise<Village>

export const saveHousehold = (c: Client, body: HouseholdBody, id?: string) =>
  c.requestJSON(id ? 'PATCH' : 'POST', `${API}/households${id ? `/${id}` : ''}`, { json: body }) as Promise<Household>

export const createUser = (c: Client, body: UserCreateBody) => c.requestJSON('POST', `${API}/users`, { json: body }) as Promise<StaffUser>
export const updateUser = (c: Client, id: string, body: UserUpdateBody) =>
  c.requestJSON('PATCH', `${API}/users/${id}`, { json: body }) as Promise<StaffUser>

export const createLeave = (c: Client, body: LeaveForm) => c.requestJSON('POST', `${API}/leaves`, { json: body }) as Promise<Leave>

export async function deleteLeave(c: Pick<ApiClient, 'request'>, id: string): Promise<void> {
  const res = await c.request('DELETE', `${API}/leaves/${id}`)
  if (!res.ok && res.status !== 404) throw new ApiError(await problemFrom(res), null)
}

export const listHolidays = async (c: Client, year: number) =>
  ((await c.requestJSON('GET', `${API}/holidays${query({ year })}`)) as { items: Holiday[] }).items

export const putHoliday = (c: Client, date: string, body: { working: boolean; name: string }) =>
  c.requestJSON('PUT', `${API}/holidays/${date}`, { json: body }) as Promise<Holiday>

export async function deleteHoliday(c: Pick<ApiClient, 'request'>, date: string): Promise<void> {
  const res = await c.request('DELETE', `${API}/holidays/${date}`)
  if (!res.ok && res.status !== 404) throw new ApiError(await problemFrom(res), null)
}

export const settingsOn = (c: Client, date?: string) =>
  c.requestJSON('GET', `${API}/settings${query({ date })}`) as Promise<{ date: string; values: Record<string, unknown> }>

export const settingsHistory = async (c: Client) =>
  ((await c.requestJSON('GET', `${API}/settings${query({ history: true })}`)) as { items: SettingRecord[] }).items

export const putSetting = (c: Client, body: { key: string; value: unknown; effective_from: string }) =>
  c.requestJSON('POST', `${API}/settings`, { json: body }) as Promise<SettingRecord>

export const putContactLink = (c: Client, officialId: string, villageId: string) =>
  c.requestJSON('PUT', `${API}/contact-links/${officialId}`, { json: { village_id: villageId } }) as Promise<{
    official_id: string
    township_id: string
    village_id: string
  }>

/**
 * A team member's contact village. There is no read of contact links: the official's
 * progress carries it (`links.village_id`).
 */
export const contactVillageOf = async (c: Client, officialId: string) =>
  ((await c.requestJSON('GET', `${API}/progress/officials/${officialId}`)) as { links?: { village_id?: string | null } }).links?.village_id ?? null

/** A household's QR code as a PNG, for printing (admins and petition officers only). */
export async function householdQR(c: Pick<ApiClient, 'request'>, id: string): Promise<Blob> {
  const res = await c.request('GET', `${API}/households/${id}/qr?format=png`, { headers: { Accept: 'image/png, application/problem+json' } })
  if (!res.ok) throw new ApiError(await problemFrom(res), null)
  return res.blob()
}
